"""The one loss-curve figure of every live trainer (pages 1, 4, 6 and 8): each run's loss at every step (faint) and
its trailing mean (bold) over the last tenth of the run, at most :data:`WINDOW` steps (:func:`window`), against the
optimiser step, the x axis spanning the whole run so that the curve grows as the run goes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ui import theme
from ui.i18n import tr

WINDOW = 50  # at most this many steps in the trailing mean (the training page's text: "mean of the last 50 steps")
MAX_POINTS = 1500  # points drawn per curve: a longer run is drawn every few steps, to keep the chart light


@dataclass(frozen=True)
class Curve:
    """One run's losses, its colour, and its name in the legend (``""``: a single run, named by the legend's
    "each step" and "mean of the last 50 steps")."""

    losses: list[float]
    colour: str = theme.LOSS
    name: str = ""


def window(total: int) -> int:
    """Steps of the trailing mean for a run of ``total`` steps: a tenth of it, at most :data:`WINDOW` (a 100-step run
    averages 10, so that its mean follows the fall instead of lagging half the run behind)."""
    return max(1, min(WINDOW, total // 10))


def trailing_mean(values: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Mean of up to ``window`` values ending at each one (same length as ``values``): ``mean(v[max(0, i-w+1) : i+1])``."""
    c = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(0, idx - window)
    return (c[idx] - c[lo]) / (idx - lo)


def loss_figure(curves: list[Curve], total: int, *, title: str, y_title: str, height: int = 340,
                baseline: tuple[float, str] | None = None) -> go.Figure:
    """The runs' loss curves over ``[0, total]`` steps; ``baseline``: a level to beat and its label, dashed."""
    fig, w = go.Figure(), window(total)
    top = baseline[0] if baseline else 0.0
    for curve in curves:
        y = np.asarray(curve.losses, dtype=float)
        if not len(y):
            continue
        x = np.arange(1, len(y) + 1)
        stride = max(1, len(y) // MAX_POINTS)
        fig.add_scatter(x=x[::stride], y=y[::stride], mode="lines", line=dict(color=curve.colour, width=1), opacity=0.3,
                        name=tr("loss.each"), showlegend=not curve.name, hoverinfo="skip")
        fig.add_scatter(x=x[::stride], y=np.round(trailing_mean(y, w)[::stride], 4), mode="lines",
                        line=dict(color=curve.colour, width=3), name=curve.name or tr("loss.mean", window=w))
        top = max(top, float(np.percentile(y, 99)))
    if baseline is not None:  # (layout shapes: much cheaper than add_hline)
        fig.update_layout(
            shapes=[dict(type="line", xref="paper", x0=0, x1=1, y0=baseline[0], y1=baseline[0],
                         line=dict(color=theme.WARNING, dash="dash", width=2))],
            annotations=[dict(xref="paper", x=1, y=baseline[0], text=baseline[1], showarrow=False, xanchor="right",
                              yanchor="bottom", font=theme.font("small", color=theme.WARNING))])
    fig.update_layout(
        title=dict(text=title, font=theme.font("heading")), font=theme.FONT, height=height, plot_bgcolor="white",
        margin=dict(l=60, r=20, t=60, b=50), uirevision="loss",
        legend=dict(orientation="h", yanchor="top", y=0.98, xanchor="right", x=0.99, bgcolor=theme.LEGEND_BACKGROUND),
        xaxis=dict(title=tr("loss.x"), range=[0, max(total, 1)], gridcolor=theme.GRID),
        yaxis=dict(title=y_title, range=[0, max(1.1 * top, 0.1)], gridcolor=theme.GRID),
    )
    return fig
