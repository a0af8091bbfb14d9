"""Predict, then reveal: the student commits to a prediction before the page shows the answer.

The questions are text, in ``lessons/questions.toml`` (``lessons/fr/questions.toml`` in French),
one table per question: the page, a prompt, the options, the index of the answer, two sentences
of explanation and the figure of the page that shows it. A page asks one with
:func:`ask`, giving a ``reveal`` function that runs the experiment and draws its result under the
explanation; a test checks every answer against the page's own computation. The predictions are
kept in the session (no grading server).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core import paths
from ui.i18n import language, tr, typeset

STATE = "predictions"
"""Session key: ``{question key: the option index the student committed to}``."""


@dataclass(frozen=True)
class Question:
    key: str
    page: str
    prompt: str
    options: tuple[str, ...]
    answer: int
    why: str
    figure: str


@st.cache_data(show_spinner=False)
def questions(lang: str = "en") -> dict[str, Question]:
    """Every question, by key, in ``lang``."""
    with open(paths.lesson("questions", lang).with_suffix(".toml"), "rb") as f:
        table = tomllib.load(f)
    return {key: Question(key=key, options=tuple(typeset(o, lang) for o in q.pop("options")),
                          **{name: typeset(value, lang) if isinstance(value, str) else value for name, value in q.items()})
            for key, q in table.items()}


def ask(key: str, reveal: Callable[[], None] | None = None) -> None:
    """Ask question ``key``; once the student has committed, say whether it was right, why, and run ``reveal``."""
    q = questions(language())[key]
    words = {w: tr(f"predict.{w}") for w in ("title", "pick", "commit", "right", "wrong", "again")}
    committed = st.session_state.setdefault(STATE, {})
    with st.container(border=True, key=f"pq_{key}"):
        st.markdown(f":material/psychology_alt: **{words['title']}** {q.prompt}")
        if key not in committed:
            choice = st.radio(words["pick"], range(len(q.options)), format_func=q.options.__getitem__, index=None,
                              key=f"pq_{key}_choice", label_visibility="collapsed")
            st.button(words["commit"], key=f"pq_{key}_commit", disabled=choice is None, on_click=_commit,
                      args=(key, choice), type="primary")
            return
        mine = committed[key]
        verdict = words["right"] if mine == q.answer else words["wrong"]
        text = tr("predict.reveal", mine=q.options[mine], verdict=verdict, answer=q.options[q.answer], why=q.why,
                  figure=q.figure)
        (st.success if mine == q.answer else st.info)(text, icon=":material/check_circle:" if mine == q.answer
                                                      else ":material/lightbulb:")
        if reveal is not None:
            reveal()
        st.button(words["again"], key=f"pq_{key}_again", on_click=_forget, args=(key,))


def answered(key: str) -> bool:
    """Whether the student has committed to a prediction for question ``key`` (text that gives the answer away
    can wait for it)."""
    return key in st.session_state.get(STATE, {})


def _commit(key: str, choice: int | None) -> None:
    if choice is not None:
        st.session_state.setdefault(STATE, {})[key] = int(choice)


def _forget(key: str) -> None:
    st.session_state.setdefault(STATE, {}).pop(key, None)
    st.session_state.pop(f"pq_{key}_choice", None)
