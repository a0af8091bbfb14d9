"""The language of the lessons: English, or French (the lecture itself is partly in French).

A sidebar switch on every page (``?lang=fr`` in a link) chooses it for the session; each lesson
``lessons/NAME.md`` has its French version in ``lessons/fr/NAME.md`` with the same sections and the
same mathematics (a test holds them together). Widget labels, captions and figures are in English
for now.
"""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT = "en"
KEY = "lang"


def language() -> str:
    """The session's language (a key of :data:`LANGUAGES`)."""
    chosen = st.session_state.get(KEY)
    return chosen if chosen in LANGUAGES else DEFAULT


def language_switch() -> None:
    """The switch, in the sidebar (``app.py``). A link's ``?lang=fr`` sets it when the session opens; the address
    then carries the language from page to page (``lang=fr``, not the label a bound widget would write)."""
    wanted = st.query_params.get(KEY)
    st.session_state.setdefault(KEY, wanted if wanted in LANGUAGES else DEFAULT)
    st.radio("Lessons in", list(LANGUAGES), format_func=LANGUAGES.get, key=KEY, horizontal=True,
             help="The lesson text of every page; the controls and figures stay in English for now.")
    if language() == DEFAULT:
        st.query_params.pop(KEY, None)
    else:
        st.query_params[KEY] = language()
