"""Download buttons for slides and notes: a GIF of a process, a PNG of a picture (the bytes: :mod:`core.export`).

The file is made when the button is pressed (Streamlit runs the callable then, off the page's
run), and its name says what it shows, e.g. ``reverse-ddpm-50steps-seed3.gif``. Plotly charts
export themselves: :func:`ui.components.chart.chart` gives each one a camera button (PNG, offline).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.data import is_drawn


def download_gif(label: str, file_name: str, make: Callable[[], bytes], *, key: str) -> None:
    """A button that saves ``make()`` (GIF bytes) as ``file_name``."""
    st.download_button(label, make, file_name=file_name, mime="image/gif", icon=":material/gif_box:", key=key,
                       on_click="ignore")


def download_png(label: str, file_name: str, make: Callable[[], bytes], *, key: str) -> None:
    """A button that saves ``make()`` (PNG bytes) as ``file_name``."""
    st.download_button(label, make, file_name=file_name, mime="image/png", icon=":material/image:", key=key,
                       on_click="ignore")


def slug(*parts: object) -> str:
    """A file-name stem from parts: ``slug("reverse", "ddpm", "50steps")`` is ``reverse-ddpm-50steps``; a student's
    drawing (``drawn:CODE``) is named ``drawing`` (its set: ``drawn``, ``drawn2``), not by its long code."""
    text = "-".join(str(p).partition(":")[0].replace("drawn", "drawing") if is_drawn(str(p)) else str(p)
                    for p in parts if p not in (None, ""))
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text).strip("-").lower()
