"""The lecture's route: one entry per part, in teaching order, and the pages that exist for them.

Titles and summaries are interface strings (:data:`ui.i18n.MESSAGES`, ``part.N`` and ``part.N.summary``),
so the route and the sidebar follow the language switch; :func:`pages` builds the navigation on
every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core import paths
from ui.i18n import tr


@dataclass(frozen=True)
class Part:
    """One part of the lecture. ``page`` is the page file under ``views/``, or ``None`` while it is being built."""

    number: int
    icon: str
    page: str | None = None

    @property
    def title(self) -> str:
        return tr(f"part.{self.number}")

    @property
    def summary(self) -> str:
        return tr(f"part.{self.number}.summary")


ROADMAP: tuple[Part, ...] = (
    Part(1, ":material/compress:", page="autoencoder.py"),
    Part(2, ":material/blur_on:", page="forward_noising.py"),
    Part(3, ":material/timeline:", page="schedules.py"),
    Part(4, ":material/model_training:", page="training.py"),
    Part(5, ":material/auto_fix_high:", page="reverse.py"),
    Part(6, ":material/target:", page="prediction_targets.py"),
    Part(7, ":material/layers:", page="latent_diffusion.py"),
    Part(8, ":material/trending_flat:", page="flow_matching.py"),
    Part(9, ":material/search:", page="spotting.py"),
)


def pages() -> dict[str, list[st.Page]]:
    """The navigation, in the session's language: home, then one page per part that has one."""
    lecture = [st.Page(paths.VIEWS / p.page, title=f"{p.number}. {p.title}", icon=p.icon, url_path=Path(p.page).stem)
               for p in ROADMAP if p.page]
    home = st.Page(paths.VIEWS / "home.py", title=tr("nav.home"), icon=":material/home:", default=True)
    return {"": [home], **({tr("nav.lecture"): lecture} if lecture else {})}


def page_for(part: Part) -> Path | None:
    """The page file of a part (for ``st.page_link``), or ``None`` if it has no page yet."""
    return paths.VIEWS / part.page if part.page else None


def page_at(url_path: str) -> Path | None:
    """The page file at ``url_path`` (``""``: home), for ``st.switch_page``; ``None`` for an unknown one."""
    if url_path == "":
        return paths.VIEWS / "home.py"
    return next((page_for(p) for p in ROADMAP if p.page and Path(p.page).stem == url_path), None)


def neighbours(url_path: str) -> tuple[Part | None, Part | None]:
    """The parts before and after the page at ``url_path`` in the lecture (home: none before, part 1 after)."""
    parts = [p for p in ROADMAP if p.page]
    stems = [Path(p.page).stem for p in parts]
    if url_path not in stems:
        return None, (parts[0] if parts else None)
    k = stems.index(url_path)
    return (parts[k - 1] if k > 0 else None), (parts[k + 1] if k + 1 < len(parts) else None)


def footer(url_path: str) -> None:
    """At the foot of every page: links to the previous and the next part of the lecture (``app.py``)."""
    before, after = neighbours(url_path)
    st.divider()
    left, _, right = st.columns([2, 1, 2])
    if before is not None:
        left.page_link(page_for(before), label=f"← {before.number}. {before.title}")
    if after is not None:
        with right.container(horizontal=True, horizontal_alignment="right"):  # the way on, at the right edge
            st.page_link(page_for(after), label=f"{after.number}. {after.title} →")
