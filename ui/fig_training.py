"""Figures of Part 4 (Training): the live loss curve, samples against data, and a shipped model's loss over t."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui import theme
from ui.i18n import tr

# One colour per role, shared with Part 5's toy figures.
DATA, MODEL, LOSS = theme.DATA, theme.MODEL, theme.LOSS
FONT = theme.FONT
BOX = 4.5  # the toy distributions lie in [-4, 4]^2


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over up to ``window`` values (same length as ``values``)."""
    c = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(0, idx - window)
    return (c[idx] - c[lo]) / (idx - lo)


def loss_curve(losses: list[float], total: int, *, window: int = 50, title: str | None = None) -> go.Figure:
    """Per-step loss (faint) and its moving average (bold) against the step; the x axis spans the whole run."""
    y = np.asarray(losses, dtype=float)
    x = np.arange(1, len(y) + 1)
    fig = go.Figure()
    if len(y):
        stride = max(1, len(y) // 1500)  # keep the chart light: at most ~1500 raw points
        fig.add_scatter(x=x[::stride], y=y[::stride], mode="lines", line=dict(color=LOSS, width=1), opacity=0.3,
                        name=tr("training.loss.each"), hoverinfo="skip")
        avg = _moving_average(y, window)
        fig.add_scatter(x=x[::stride], y=np.round(avg[::stride], 4), mode="lines", line=dict(color=LOSS, width=3),
                        name=tr("training.loss.mean", window=window))
    top = float(np.percentile(y, 99)) * 1.1 if len(y) else 1.0
    fig.update_layout(
        title=dict(text=title or tr("training.loss.title"), font=theme.font("title")), font=FONT, height=340,
        margin=dict(l=60, r=20, t=60, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        xaxis=dict(title=tr("training.loss.x"), range=[0, max(total, 1)]),
        yaxis=dict(title=tr("training.loss.y"), range=[0, max(top, 0.1)]),
    )
    return fig


def samples_vs_data(data: np.ndarray, samples: np.ndarray | None, *, caption: str) -> go.Figure:
    """Two square panels on the same axes: the data (left) and the model's samples (right)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=(tr("training.samples.data"), caption))
    fig.add_scatter(x=data[:, 0], y=data[:, 1], mode="markers", marker=dict(size=4, color=DATA),
                    name=tr("training.samples.data_name"), row=1, col=1)
    if samples is not None:
        fig.add_scatter(x=samples[:, 0], y=samples[:, 1], mode="markers", marker=dict(size=4, color=MODEL),
                        name=tr("training.samples.model_name"), row=1, col=2)
    else:
        fig.add_annotation(text=tr("training.samples.waiting"), x=0, y=0, showarrow=False,
                           font=theme.font("heading", color=DATA), row=1, col=2)
    for col in (1, 2):
        fig.update_xaxes(range=[-BOX, BOX], title="x₁", row=1, col=col, constrain="domain")
        fig.update_yaxes(range=[-BOX, BOX], title="x₂", row=1, col=col, scaleanchor=f"x{'' if col == 1 else col}",
                         scaleratio=1)
    fig.update_annotations(font=theme.font("heading"))
    fig.update_layout(font=FONT, height=420, showlegend=False, margin=dict(l=60, r=20, t=50, b=50))
    return fig


def loss_by_t_figure(ts: list[int], eps_mse: list[float], eps_sem: list[float], x0_mse: list[float],
                     alpha_bars: list[float] | None = None) -> go.Figure:
    """Left: the noise-prediction loss at each t (with a ±2 standard-error band); right: the error of
    the one-shot estimate of I_0 that it implies, on a log scale."""
    t = np.asarray(ts)
    m, se = np.asarray(eps_mse), np.asarray(eps_sem)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.16,
                        subplot_titles=(tr("training.mnist.noise_loss"), tr("training.mnist.image_error")))
    fig.add_scatter(x=np.r_[t, t[::-1]], y=np.r_[m + 2 * se, (m - 2 * se)[::-1]], fill="toself", mode="none",
                    fillcolor="rgba(31,119,180,0.2)", hoverinfo="skip", name=tr("training.mnist.band"), row=1, col=1)
    fig.add_scatter(x=t, y=m, mode="lines+markers", line=dict(color=LOSS, width=3), marker=dict(size=6),
                    name="‖ε̂ − ε‖²", row=1, col=1)
    fig.add_scatter(x=t, y=x0_mse, mode="lines+markers", line=dict(color=MODEL, width=3), marker=dict(size=6),
                    name="‖Î₀ − I₀‖²", row=1, col=2)
    fig.update_xaxes(title=tr("training.mnist.x"), range=[0, max(ts) * 1.02])
    fig.update_yaxes(title=tr("training.loss.y"), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title=tr("training.mnist.image_y"), type="log", exponentformat="power", row=1, col=2)
    fig.update_annotations(font=theme.font("heading"))
    fig.update_layout(font=FONT, height=420, margin=dict(l=70, r=20, t=60, b=60), showlegend=False)
    return fig
