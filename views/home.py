"""Home: the route through the lecture."""

import plotly.graph_objects as go
import streamlit as st
import torch

from core.diffusion import make_schedule, q_sample
from core.images import grid, to_pil
from ui import theme
from ui.i18n import tr
from ui.lessons import lesson
from ui.navigation import ROADMAP, page_for
from ui.present import chart
from ui.state import mnist


@st.cache_data(show_spinner=False)
def dissolving_digit(index: int = 0, columns: int = 8):
    """One MNIST digit at evenly spaced steps of the cosine schedule (same noise throughout)."""
    ds = mnist()
    x0 = ds.images[index : index + 1].float() / 127.5 - 1
    sch = make_schedule("cosine", 1000)
    ts = torch.linspace(0, 1000, columns).round().long()
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(0))
    frames = torch.cat([q_sample(x0, int(t), sch, eps) for t in ts])
    return to_pil(grid(frames, columns, pad=2), scale=4), ts.tolist()


@st.cache_resource(show_spinner=False)
def signal_left(ts: tuple[int, ...], title: str) -> go.Figure:
    """The cosine schedule's abar_t, with a marker at each t of the strip above it."""
    abar = make_schedule("cosine", 1000).alpha_bars.numpy()
    fig = go.Figure(go.Scatter(x=list(range(1001)), y=abar, mode="lines", line=dict(color="#2F6DB5", width=3),
                               hovertemplate="t=%{x}<br>ā_t=%{y:.3f}<extra></extra>"))
    fig.add_scatter(x=list(ts), y=abar[list(ts)], mode="markers", marker=dict(color="#2F6DB5", size=10),
                    hovertemplate="t=%{x}<br>ā_t=%{y:.3f}<extra></extra>")
    fig.update_layout(height=210, showlegend=False, margin=dict(l=10, r=10, t=36, b=10), font=theme.font("label"),
                      title=dict(text=title, font=theme.font("medium")),
                      xaxis=dict(title="t", range=[-10, 1010]), yaxis=dict(range=[-0.05, 1.05], dtick=0.5))
    return fig


st.title(tr("home.title"))
st.caption(tr("home.caption"))

left, right = st.columns([3, 2], gap="large")
with left:
    lesson("home")
with right:
    strip, ts = dissolving_digit()
    st.image(strip, caption=tr("home.strip", ts=", ".join(map(str, ts))), width="stretch")
    chart(signal_left(tuple(ts), tr("home.abar")), width="stretch", key="home_abar")
    with st.container(border=True):
        lesson("home", "conventions")

st.subheader(tr("home.route"))
cols = st.columns(3, gap="medium")
for i, part in enumerate(ROADMAP):
    with cols[i % 3].container(border=True, height=170):
        page = page_for(part)
        if page is not None:
            st.page_link(page, label=f"**{part.number}. {part.title}**", icon=part.icon)
        else:
            st.markdown(f"**{part.number}. {part.title}**  \n:gray-badge[{tr('home.soon')}]")
        st.caption(part.summary)
