"""Predict, then reveal: the student commits to a prediction before the page shows the answer.

The questions are text, in ``lessons/questions.toml`` (``lessons/fr/questions.toml`` in French),
one table per question: the page, a prompt, the options, the index of the answer, two sentences
of explanation and the figure of the page that shows it. A page asks one with
:func:`ask`, giving a ``reveal`` function that runs the experiment and draws its result under the
explanation; a test checks every answer against the page's own computation. The predictions are
kept in the session (no grading server).

In class mode (:mod:`ui.classmode`) the lecturer can open a question to the class: the students' answers go to the
class's store and the lecturer's box shows them arriving as a bar chart (counts only, never who); nobody sees the
answer until the lecturer reveals it, and then every student sees the verdict on their own answer.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core import paths
from ui import classmode
from ui.components.chart import chart
from ui.figures.answers import answers_figure
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
    words = {w: tr(f"predict.{w}") for w in ("title", "pick", "commit", "again")}
    committed = st.session_state.setdefault(STATE, {})
    with st.container(border=True, key=f"pq_{key}"):
        st.markdown(f":material/psychology_alt: **{words['title']}** {q.prompt}")
        asked = classmode.asked(key)
        if asked is not None and _in_class(asked, q, reveal):
            return
        if key not in committed:
            choice = st.radio(words["pick"], range(len(q.options)), format_func=q.options.__getitem__, index=None,
                              key=f"pq_{key}_choice", label_visibility="collapsed")
            st.button(words["commit"], key=f"pq_{key}_commit", disabled=choice is None, on_click=_commit,
                      args=(key, choice), type="primary")
            return
        _verdict(q, committed[key])
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


def _in_class(asked: classmode.Asked, q: Question, reveal: Callable[[], None] | None) -> bool:
    """The question in a class: the lecturer opens it, watches the answers, reveals; a student answers once and waits
    for the reveal, then sees the verdict and the class's answers. Returns whether the box is drawn (``False``: the
    question is not open to the class, and the student answers alone as usual)."""
    open_ = asked.question
    if asked.lecturer:
        if open_ is None:
            st.button(tr("class.ask"), key=f"pq_{q.key}_ask", on_click=classmode.open_question, args=(q.key, len(q.options)),
                      icon=":material/groups:", help=tr("class.ask.help"))
            if asked.elsewhere:  # one question at a time: say so before the other one closes
                st.caption(tr("class.ask.replaces"))
            return False
        if not open_.revealed:
            _live_answers(q.key, q.options)
            st.button(tr("class.reveal"), key=f"pq_{q.key}_reveal", on_click=classmode.reveal_question, type="primary",
                      use_container_width=True)
            st.button(tr("class.close"), key=f"pq_{q.key}_close", on_click=classmode.close_question, use_container_width=True)
            return True
        _class_answers(q)
        st.success(tr("class.answer_is", answer=q.options[q.answer], why=q.why, figure=q.figure), icon=":material/check_circle:")
        if reveal is not None:
            reveal()
        st.button(tr("class.close"), key=f"pq_{q.key}_close", on_click=classmode.close_question)
        return True
    if open_ is None:
        return False
    mine = classmode.my_answer(open_.round)
    if not open_.revealed:
        st.caption(tr("class.asked"))
        if mine is None:
            choice = st.radio(tr("predict.pick"), range(len(q.options)), format_func=q.options.__getitem__, index=None,
                              key=f"pq_{q.key}_class_{open_.round}", label_visibility="collapsed")
            st.button(tr("class.send"), key=f"pq_{q.key}_send", disabled=choice is None, on_click=classmode.send_answer,
                      args=(open_.round, choice), type="primary")
        else:
            st.info(tr("class.sent", mine=q.options[mine]), icon=":material/hourglass_top:")
        return True
    if mine is not None:  # revealed: the verdict on this student's answer (kept once the question is closed)
        st.session_state.setdefault(STATE, {})[q.key] = mine
        _verdict(q, mine)
    else:
        st.info(tr("class.answer_is", answer=q.options[q.answer], why=q.why, figure=q.figure), icon=":material/lightbulb:")
    _class_answers(q)
    if reveal is not None:
        reveal()
    return True


def _verdict(q: Question, mine: int) -> None:
    """Whether the committed prediction ``mine`` was right, the answer and why."""
    right = mine == q.answer
    text = tr("predict.reveal", mine=q.options[mine], verdict=tr("predict.right" if right else "predict.wrong"),
              answer=q.options[q.answer], why=q.why, figure=q.figure)
    (st.success if right else st.info)(text, icon=":material/check_circle:" if right else ":material/lightbulb:")


def _class_answers(q: Question) -> None:
    """The class's answers, the right one in green (after the reveal: the lecturer's projector and every student)."""
    counts, joined = classmode.tally()
    chart(answers_figure(list(q.options), counts, q.answer), key=f"pq_{q.key}_tally")
    st.caption(tr("class.answered", n=sum(counts), of=joined))


@st.fragment(run_every=0.5)
def _live_answers(key: str, options: tuple[str, ...]) -> None:
    """The lecturer's chart of the class's answers, redrawn twice a second while the question is open (one session
    per class: the lecturer's)."""
    counts, joined = classmode.tally()
    chart(answers_figure(list(options), counts), key=f"pq_{key}_live")
    st.caption(tr("class.answered", n=sum(counts), of=joined))
