"""Lesson text lives in ``lessons/NAME.md`` (Markdown with LaTeX) so a lecturer can edit it without code.

A lesson file may be cut into named sections with HTML comments::

    <!-- section: intro -->
    Text shown at the top of the page...
    <!-- section: two-pixels -->
    Text shown beside the 2-pixel view...

A number the lesson quotes from a measurement is never typed in: the lesson writes ``{{name:format}}`` and the page
passes its measured facts (``lesson("spotting", "spectrum-reading", facts=fig.facts())``, read from the manifest, the
forensics data or the page's own computation), so a retrained model changes the text with its figures. ``format``:
``percent`` (46% / 46 %), ``int`` (3,000 / 3 000), or a Python format such as ``.1f`` (0.5 / 0,5).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

import streamlit as st

from core import paths
from ui.i18n import language, number, percent, typeset

_MARK = re.compile(r"^<!--\s*section:\s*([\w-]+)\s*-->\s*$", re.MULTILINE)
FACT = re.compile(r"\{\{([\w.-]+)(?::([^}]+))?\}\}")
"""A measured number in a lesson: ``{{name}}`` or ``{{name:format}}``."""
log = logging.getLogger(__name__)


@st.cache_data(show_spinner=False)
def sections(name: str, language: str = "en") -> dict[str, str]:
    """The sections of ``lessons/NAME.md`` (in ``language``); text before the first marker is section ``""``."""
    text = paths.lesson(name, language).read_text(encoding="utf-8")
    parts = _MARK.split(text)
    out = {"": parts[0].strip()}
    out.update({key: body.strip() for key, body in zip(parts[1::2], parts[2::2])})
    return {key: typeset(body, language) for key, body in out.items()}


def fill(text: str, facts: Mapping[str, float], lang: str) -> str:
    """``text`` with each ``{{name:format}}`` replaced by ``facts[name]`` written in ``lang``; a fact the page did not
    measure (a model missing) reads "…" (logged; the tests require every placeholder to resolve)."""

    def one(m: re.Match) -> str:
        name, form = m.group(1), m.group(2) or ""
        if name not in facts:
            log.warning("lesson fact %r not measured on this page", name)
            return "…"
        value = facts[name]
        if form == "percent":
            return percent(value, lang)
        if form == "int":
            return number(round(value), lang)
        text = format(value, form)
        return text.replace(".", ",") if lang == "fr" else text  # the decimal comma (ui.i18n.decimal)

    return FACT.sub(one, text)


def lesson(name: str, section: str = "", facts: Mapping[str, float] | None = None) -> None:
    """Render one section of a lesson, in the session's language (:mod:`ui.i18n`), its measured numbers filled in
    from ``facts``."""
    text = sections(name, language()).get(section)
    if text:
        st.markdown(fill(text, facts or {}, language()) if "{{" in text else text)
