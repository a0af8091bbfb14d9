"""The home page: one digit dissolving into noise along the cosine schedule, and that schedule's āₜ."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
import torch
from PIL import Image

from core.diffusion import make_schedule, q_sample
from core.images import picture
from ui import theme
from ui.resources.data import mnist

T = 1000  # the schedule's steps
COLOUR = theme.SCHEDULE_COLOURS["cosine"]  # the cosine schedule's colour on every figure


@st.cache_data(show_spinner=False)
def dissolving_digit(index: int = 0, columns: int = 8) -> tuple[Image.Image, list[int]]:
    """One MNIST digit at ``columns`` evenly spaced steps of the cosine schedule (the same noise throughout), and those
    steps."""
    x0 = mnist().images[index : index + 1].float() / 127.5 - 1
    sch = make_schedule("cosine", T)
    ts = torch.linspace(0, T, columns).round().long()
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(0))
    frames = torch.cat([q_sample(x0, int(t), sch, eps) for t in ts])
    return picture(frames, columns, scale=4, pad=2), ts.tolist()


@st.cache_resource(show_spinner=False)
def signal_left(ts: tuple[int, ...], title: str) -> go.Figure:
    """The cosine schedule's āₜ, with a marker at each t of the strip above it."""
    abar = make_schedule("cosine", T).alpha_bars.numpy()
    hover = "t=%{x}<br>ā_t=%{y:.3f}<extra></extra>"
    fig = go.Figure(go.Scatter(x=list(range(T + 1)), y=abar, mode="lines", line=dict(color=COLOUR, width=3),
                               hovertemplate=hover))
    fig.add_scatter(x=list(ts), y=abar[list(ts)], mode="markers", marker=dict(color=COLOUR, size=10), hovertemplate=hover)
    fig.update_layout(height=210, showlegend=False, margin=dict(l=10, r=10, t=36, b=10), font=theme.font("label"),
                      title=dict(text=title, font=theme.font("medium")),
                      xaxis=dict(title="t", range=[-10, T + 10]), yaxis=dict(range=[-0.05, 1.05], dtick=0.5))
    return fig
