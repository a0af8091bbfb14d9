"""The look of every figure: one type scale and one palette, so a presenter mode can scale them in one place.

Figure modules never write a font size or a colour literal of their own: they ask here
(``theme.font("title")``, ``theme.CLASS_COLOURS``...). Sizes are CSS pixels at the default zoom.
"""

from __future__ import annotations

from typing import Any

SIZES: dict[str, int] = {
    "tiny": 12,  # dense tick labels (many bars)
    "small": 13,  # annotations inside a plot, slider labels
    "label": 14,  # tick labels, legends, row labels
    "medium": 15,  # buttons, secondary legends
    "body": 16,  # axis titles and the default text of a figure
    "emphasis": 17,  # subplot titles, short figure titles
    "heading": 18,  # figure titles
    "title": 20,  # the main title of an animated figure
}


def font(role: str = "body", **style: Any) -> dict[str, Any]:
    """A Plotly font dict of the size of ``role`` (a key of :data:`SIZES`), plus any style (``color``...)."""
    return {"size": SIZES[role], **style}


def size(role: str) -> int:
    """The font size of ``role`` in pixels."""
    return SIZES[role]


FONT = font("body")
"""The default font of every figure (``fig.update_layout(font=theme.FONT)``)."""

# ---------------------------------------------------------------- palette
INK = "#333333"  # text and thin lines drawn on figures
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
"""One colour per class (digit 0-9, CIFAR-10 class), the same on every page."""
SCHEDULE_COLOURS = {"constant": "#2ca02c", "linear": "#d62728", "cosine": "#1f77b4"}  # green, red, blue on every figure
SCHEDULE_MARKDOWN_COLOURS = {"constant": "green", "linear": "red", "cosine": "blue"}  # the same, for st.markdown
REGION_COLOURS = {"almost clean": "#c7e9c0", "useful": "#fdae6b", "almost pure noise": "#bdbdbd"}
PAIRING_COLOURS = {"random": "#E8743B", "ot": "#2F6DB5"}
SOURCE, TARGET = "#8C8C8C", "#2CA02C"  # a flow's start and end points
DATA, MODEL, LOSS = "#8c8c8c", "#e4572e", "#1f77b4"  # real data, a model's samples, a loss curve
PIXEL_A, PIXEL_B = "#ff7f0e", "#17becf"  # the two pixels of the 2-pixel view: orange and cyan
ITERATIVE, CLOSED = "#d62728", "#1f77b4"  # the two ways of noising
CLOUD = "#1f77b4"  # a cloud of points I_t
AUTOENCODER_PARTS = {"input": "#9e9e9e", "encoder": "#4c78a8", "code": "#f58518", "decoder": "#54a24b", "output": "#9e9e9e"}
WARNING = "#d62728"  # a reference line to beat
