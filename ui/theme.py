"""The look of every figure: one type scale and one palette, so a presenter mode can scale them in one place.

Figure modules never write a font size or a colour literal of their own: they ask here
(``theme.font("title")``, ``theme.CLASS_COLOURS``...). Sizes are CSS pixels at the default zoom.
"""

from __future__ import annotations

from typing import Any

from core.data import EXTENT

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


PRESENTER: dict[str, float] = {
    "text": 1.3,  # lesson text (rem; the default is 1)
    "caption": 1.05,  # captions under figures
    "label": 1.15,  # widget labels
    "h1": 3.2, "h2": 2.3, "h3": 1.8,  # headings
    "metric": 2.8,  # a metric's value (Streamlit's is 2.25)
    "control": 1.15,  # what a control shows: a slider's value and its ends, a box's text, a metric's change
    "figure": 1.3,  # every font of every figure, and its margins to make room for them
    "figure_height": 600,  # no figure taller (px): one main figure fits a 1280x720 screen with its title bar
    "width": 1200,  # the page's width at 1280x720 (px), the sidebar folded
}
"""Presenter mode's sizes (:mod:`ui.chrome`, :mod:`ui.present`): read from the back of a lecture hall at 1280x720."""


def font(role: str = "body", **style: Any) -> dict[str, Any]:
    """A Plotly font dict of the size of ``role`` (a key of :data:`SIZES`), plus any style (``color``...)."""
    return {"size": SIZES[role], **style}


def size(role: str) -> int:
    """The font size of ``role`` in pixels."""
    return SIZES[role]


FONT = font("body")
"""The default font of every figure (``fig.update_layout(font=theme.FONT)``)."""
LEGEND_UNDER = dict(orientation="h", x=0.5, xanchor="center", yref="container", y=0, yanchor="bottom", font=font("label"))
"""A legend at the foot of a figure (Plotly makes room for it): under the axis titles, however many rows it takes."""

# ---------------------------------------------------------------- palette
INK = "#333333"  # text and thin lines drawn on figures
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
"""One colour per class (digit 0-9, CIFAR-10 class), the same on every page."""
SCHEDULE_COLOURS = {"constant": "#2ca02c", "linear": "#d62728", "cosine": "#1f77b4"}  # green, red, blue on every figure
SCHEDULE_MARKDOWN_COLOURS = {"constant": "green", "linear": "red", "cosine": "blue"}  # the same, for st.markdown
REGION_COLOURS = {"clean": "#c7e9c0", "useful": "#fdae6b", "noise": "#bdbdbd"}  # almost clean, useful, almost pure noise
PAIRING_COLOURS = {"random": "#E8743B", "ot": "#2F6DB5"}
SOURCE, TARGET = "#8C8C8C", "#2CA02C"  # a flow's start and end points
DATA, MODEL, LOSS = "#8c8c8c", "#e4572e", "#1f77b4"  # real data, a model's samples, a loss curve
PIXEL_A, PIXEL_B = "#ff7f0e", "#17becf"  # the two pixels of the 2-pixel view: orange and cyan
ITERATIVE, CLOSED = "#d62728", "#1f77b4"  # the two ways of noising
CLOUD = "#1f77b4"  # a cloud of points I_t
GRID = "#eee"  # the grid lines of a chart that shows them
DRAWING_COLOURS = ("#1f77b4", "#ff7f0e")  # a student's drawing: the blue pen, the orange pen (ui.components.drawing)
INK_ON_BLACK = ("#fff", "#000")  # a handwritten digit: white ink on black, as MNIST stores its digits (digit_pad)
ZERO_LINE, FAINT_LINE = "#555", "#aaa"  # an axis' zero line: marked, or faint
LEGEND_BACKGROUND = "rgba(255,255,255,0.8)"  # a legend drawn over the data
LOSS_BAND = "rgba(31,119,180,0.2)"  # the LOSS colour, faint: a band of ±2 standard errors
GUIDE_LINE, GUIDE_TEXT = "rgba(0,0,0,0.55)", "rgba(0,0,0,0.75)"  # a reference drawn over a cloud, and its label
DARK_DATA = "#555555"  # data points behind bright samples
REAL = "#bdbdbd"  # real images' bars next to a generator's
REAL_CALLED_REAL = "#9e9e9e"
SOURCE_COLOURS = ("#e4572e", "#f3a712", "#a8c686", "#669bbc", "#8e6c8a", "#29335c")  # the spotting page's generators
SEEN, UNSEEN = "#2ca02c", "#d62728"  # generators a detector was trained on, and the others
TARGET_COLOURS = {"eps": "#d62728", "x": "#2ca02c", "v": "#1f77b4"}  # what a network predicts: noise red, image green, velocity blue

TOY_VIEW = EXTENT + 0.5
"""The axes of every toy figure run over ``[-TOY_VIEW, TOY_VIEW]``: the toy data's box (:data:`core.data.EXTENT`) and a margin."""
AUTOENCODER_PARTS = {"input": "#9e9e9e", "encoder": "#4c78a8", "code": "#f58518", "decoder": "#54a24b", "output": "#9e9e9e"}
WARNING = "#d62728"  # a reference line to beat
ANSWER_BARS = "#9e9e9e"  # the class's answers (class mode), before the reveal
RIGHT_ANSWER = "#2ca02c"  # ... and the right one's bar after it


_FONTS = frozenset({"font", "tickfont", "textfont", "insidetextfont", "outsidetextfont", "titlefont"})


def scaled(figure: Any, factor: float) -> dict[str, Any]:
    """A copy of a Plotly figure (a ``go.Figure`` or its dict) with every font size and the margins times ``factor``.

    Only the nested dicts and lists are copied; data arrays are shared with the original (a cached figure is
    never changed).
    """
    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v, k) for k, v in node.items()}
            if key in _FONTS and isinstance(out.get("size"), (int, float)):
                out["size"] = round(out["size"] * factor, 1)
            if key == "margin":
                out = {k: round(v * factor) if k in "lrtb" and isinstance(v, (int, float)) else v for k, v in out.items()}
            return out
        if isinstance(node, (list, tuple)):
            return [walk(v) for v in node]
        return node

    out = walk(dict(spec))
    layout = out.setdefault("layout", {})
    layout.setdefault("font", {}).setdefault("size", round(12 * factor, 1))  # Plotly's default size, scaled
    return out
