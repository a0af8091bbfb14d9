"""Lesson text lives in ``lessons/NAME.md`` (Markdown with LaTeX) so a lecturer can edit it without code.

A lesson file may be cut into named sections with HTML comments::

    <!-- section: intro -->
    Text shown at the top of the page...
    <!-- section: two-pixels -->
    Text shown beside the 2-pixel view...
"""

from __future__ import annotations

import re

import streamlit as st

from core import paths
from ui.i18n import language, typeset

_MARK = re.compile(r"^<!--\s*section:\s*([\w-]+)\s*-->\s*$", re.MULTILINE)


@st.cache_data(show_spinner=False)
def sections(name: str, language: str = "en") -> dict[str, str]:
    """The sections of ``lessons/NAME.md`` (in ``language``); text before the first marker is section ``""``."""
    text = paths.lesson(name, language).read_text(encoding="utf-8")
    parts = _MARK.split(text)
    out = {"": parts[0].strip()}
    out.update({key: body.strip() for key, body in zip(parts[1::2], parts[2::2])})
    return {key: typeset(body, language) for key, body in out.items()}


def lesson(name: str, section: str = "") -> None:
    """Render one section of a lesson, in the session's language (:mod:`ui.i18n`)."""
    text = sections(name, language()).get(section)
    if text:
        st.markdown(text)
