"""Part 2, forward noising: cached data and Plotly figures (the page only lays them out).

Data helpers are cached at module level (``st.cache_data`` for small arrays, ``st.cache_resource`` for
the read-only noising path); figure builders are plain functions of numpy arrays.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from core.data import CIFAR10_CLASSES, TOY_DATASETS, sample_toy, to_model_range, to_uint8
from core.diffusion import make_schedule, q_sample, q_sample_iterative
from core.diffusion.twopixel import (
    correlation,
    frame_steps,
    mass_inside,
    noise_cloud,
    pixel_marginal_density,
    pixel_pair,
)
from core.export import cloud_frames, gif_bytes
from core.images import grid
from ui import theme
from ui.components.film import Chart, Frame, Series, steps
from ui.figures.mosaic import mosaic, png_uri
from ui.i18n import decimal, percent, tr
from ui.resources import cache
from ui.resources.data import dataset

FONT = theme.FONT
COLOUR_A, COLOUR_B = theme.PIXEL_A, theme.PIXEL_B  # pixel A orange, pixel B cyan, everywhere on the page
ITERATIVE, CLOSED = theme.ITERATIVE, theme.CLOSED  # the two ways of noising
CLASS_COLOURS = theme.CLASS_COLOURS
STRIP = 12  # thumbnails in the picker strip
TOY_SOURCES = tuple(n for n in TOY_DATASETS if n != "gaussian")
LIMIT = 4.0  # the 2-pixel axes run over [-LIMIT, LIMIT]
MASSES = {r: mass_inside(r) for r in (1, 2, 3)}  # the share of a 2-D N(0, I) inside each circle

# Noise seeds: the closed form and the iterative chain draw from different streams, so they are
# two different draws of the same distribution (with one stream, I_1 would coincide).
_ITERATIVE_STREAM = 1_000_003


# ------------------------------------------------------------------------------------ data (cached)


@st.cache_data(show_spinner=False, max_entries=64)
def strip(name: str, start: int) -> np.ndarray:
    """Thumbnails ``start .. start + STRIP - 1`` of dataset ``name`` side by side, (H, STRIP*W, C) uint8."""
    ds = dataset(name)
    return grid(ds.images[start : start + STRIP], STRIP, pad=0)


@st.cache_data(show_spinner=False, max_entries=64)
def clean_image(name: str, index: int) -> np.ndarray:
    """Image ``index`` as (H, W, C) uint8, for display."""
    return dataset(name).images[index].permute(1, 2, 0).numpy()


@st.cache_resource(show_spinner=False, max_entries=8)  # the page shows a spinner around noising_film()
def iterative_path(name: str, index: int, schedule: str, T: int, seed: int) -> torch.Tensor:
    """Every ``I_0 .. I_T`` of the iterative chain for one image, (T + 1, C, H, W) float32 (read-only)."""
    x0 = to_model_range(dataset(name).images[index : index + 1])  # (1, C, H, W)
    g = torch.Generator().manual_seed(seed + _ITERATIVE_STREAM)
    return q_sample_iterative(x0, T, make_schedule(schedule, T), generator=g, return_all=True)[:, 0]


@st.cache_data(show_spinner=False, max_entries=64)
def cloud(source: str, name: str, a: tuple[int, int], b: tuple[int, int], channel: int,
          schedule: str, T: int, t: int, n: int, seed: int, frames: int = 41) -> dict:
    """The 2-pixel (or toy) cloud at evenly spaced steps plus ``t``; numpy arrays for the figure.

    ``source`` is ``"images"`` (pixels ``a`` and ``b`` of ``n`` random images of dataset ``name``)
    or a toy distribution. Returns ts (F,), abars (F,), points (F, n, 2), labels (n,) or None,
    classes, corr (F,).
    """
    g = torch.Generator().manual_seed(seed)
    if source == "images":
        ds = dataset(name)
        pick = torch.randperm(len(ds), generator=g)[:n]
        x0 = pixel_pair(to_model_range(ds.images[pick]), a, b, channel)  # (n, 2)
        labels, classes = ds.labels[pick].numpy(), list(ds.classes)
    else:
        x0 = sample_toy(source, n, generator=g)
        labels, classes = None, []
    eps = torch.randn(x0.shape, generator=g)
    ts = torch.unique(torch.cat([frame_steps(T, frames), torch.tensor([t])]))
    c = noise_cloud(x0, make_schedule(schedule, T), ts, eps)
    return {
        "ts": c.ts.numpy(),
        "abars": c.alpha_bars.numpy(),
        "points": c.points.numpy(),
        "labels": labels,
        "classes": classes,
        "angle": np.arctan2(x0[:, 1].numpy(), x0[:, 0].numpy()),
        "corr": np.array([correlation(p) for p in c.points]),
    }


HIST_BINS = 40  # the film's histograms: bins of 0.2 over [-LIMIT, LIMIT]
DENSITY_POINTS = 81  # the density drawn through 81 points over [-LIMIT, LIMIT]


@cache.figure(max_entries=16)
def noising_film(name: str, index: int, schedule: str, T: int, seed: int) -> list[Frame]:
    """One image at every step of :func:`ui.components.film.steps`: ``I_0``, ``I_t`` by the iterative chain and by the closed form
    side by side, the scales ``sqrt(abar_t)`` and ``sqrt(1 - abar_t)`` in the title, and the histograms of both
    ``I_t``'s pixel values with the density they should follow (the film's chart)."""
    ts = steps(T)
    sch = make_schedule(schedule, T)
    x0 = to_model_range(dataset(name).images[index : index + 1])  # (1, C, H, W)
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
    chain = iterative_path(name, index, schedule, T, seed)
    edges = np.linspace(-LIMIT, LIMIT, HIST_BINS + 1)
    xs = torch.linspace(-LIMIT, LIMIT, DENSITY_POINTS)
    clean = to_uint8(x0)[0].numpy()
    frames = []
    for t in ts:
        closed, iterative = q_sample(x0, t, sch, eps)[0], chain[t]
        cells = np.stack([clean, to_uint8(iterative).numpy(), to_uint8(closed).numpy()])[None]  # (1, 3, C, H, W)
        abar = float(sch.alpha_bars[t])
        hists = tuple(tuple(np.histogram(x.numpy().ravel(), bins=edges, density=True)[0]) for x in (iterative, closed))
        density = () if abar >= 1.0 else tuple(pixel_marginal_density(x0, abar, xs).numpy())
        title = tr("forward.film.title", t=t, abar=decimal(abar, 4), scale=decimal(abar ** 0.5, 3),
                   std=decimal((1 - abar) ** 0.5, 3))
        frames.append(Frame(png_uri(mosaic(cells)), title, str(t), chart=(*hists, density)))
    return frames


def film_columns(index: int) -> list[str]:
    """The titles of the film's three pictures."""
    return [tr("forward.x0.caption", index=index), tr("forward.iterative.column"), tr("forward.closed.caption")]


def film_chart() -> Chart:
    """The film's chart: both ``I_t``'s histograms and the density they should follow."""
    return Chart((Series(tr("forward.hist.iterative"), ITERATIVE), Series(tr("forward.hist.closed"), CLOSED),
                  Series(tr("forward.hist.density"), theme.INK, "line")), (-LIMIT, LIMIT), tr("forward.hist.x"),
                 tr("forward.hist.y"))


def circles() -> str:
    """What the 1, 2 and 3 sigma circles hold, for the caption: "1σ holds 39%, ..." ("39 %" in French)."""
    return ", ".join(tr("forward.cloud.circle", r=r, share=percent(m)) for r, m in MASSES.items())


def class_name(name: str) -> str:
    """A class for the legend: a CIFAR-10 class in the session's language, an MNIST digit as it is."""
    return tr(f"cifar.{name}") if name in CIFAR10_CLASSES else str(name)



# ------------------------------------------------------------------------------------ figures


def _rgb(img: np.ndarray) -> np.ndarray:
    return np.repeat(img, 3, axis=2) if img.shape[2] == 1 else img


def _click_grid(h: int, w: int) -> go.Scatter:
    """Invisible markers on every pixel centre, so a click on the picture selects a point."""
    rows, cols = np.mgrid[0:h, 0:w]
    return go.Scatter(
        x=cols.ravel(), y=rows.ravel(), mode="markers", hoverinfo="none", showlegend=False,
        marker=dict(size=12, opacity=0, color="white"),
        selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0)),
    )


def strip_figure(thumbs: np.ndarray, start: int, chosen: int) -> go.Figure:
    """The thumbnail strip: click a thumbnail to pick it; the chosen one is framed."""
    h = thumbs.shape[0]
    n = thumbs.shape[1] // h
    fig = go.Figure(go.Image(z=_rgb(thumbs), hoverinfo="none"))
    centres = np.arange(n) * h + (h - 1) / 2
    fig.add_trace(go.Scatter(
        x=centres, y=np.full(n, (h - 1) / 2), mode="markers", showlegend=False,
        customdata=np.arange(start, start + n), hovertemplate=tr("forward.strip.hover") + "<extra></extra>",
        marker=dict(size=40, symbol="square", opacity=0), selected=dict(marker=dict(opacity=0)),
        unselected=dict(marker=dict(opacity=0)),
    ))
    if start <= chosen < start + n:
        k = chosen - start
        fig.add_shape(type="rect", x0=k * h - 0.5, x1=(k + 1) * h - 0.5, y0=-0.5, y1=h - 0.5,
                      line=dict(color=COLOUR_A, width=4))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=76, margin=dict(l=0, r=0, t=0, b=0), dragmode=False)
    return fig


def picker_figure(img: np.ndarray, a: tuple[int, int], b: tuple[int, int]) -> go.Figure:
    """The clean image with pixels A and B framed; a click on a pixel moves A or B there."""
    h, w = img.shape[:2]
    fig = go.Figure(go.Image(z=_rgb(img), hoverinfo="none"))
    fig.add_trace(_click_grid(h, w))
    for label, (row, col), colour in (("A", a, COLOUR_A), ("B", b, COLOUR_B)):
        fig.add_shape(type="rect", x0=col - 0.5, x1=col + 0.5, y0=row - 0.5, y1=row + 0.5, line=dict(color=colour, width=4))
        fig.add_annotation(x=col, y=row - 0.5 if label == "A" else row + 0.5, text=f"<b>{label}</b>", showarrow=False,
                           yshift=14 if label == "A" else -14, font=theme.font("title", color=colour))
    fig.update_xaxes(visible=False, range=[-0.5, w - 0.5])
    fig.update_yaxes(visible=False, range=[h - 0.5, -0.5], scaleanchor="x")
    fig.update_layout(height=270, margin=dict(l=0, r=0, t=20, b=20), dragmode=False, font=FONT)
    return fig


@st.cache_data(show_spinner=False, max_entries=8)
def cloud_gif(source: str, name: str, a: tuple[int, int], b: tuple[int, int], channel: int, schedule: str, T: int,
              t: int, n: int, seed: int) -> bytes:
    """The 2-pixel (or toy) cloud from t = 0 to T as an animated GIF, coloured by class like the figure."""
    c = cloud(source, name, a, b, channel, schedule, T, t, n, seed)
    colours = None
    if c["labels"] is not None:
        rgb = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in theme.CLASS_COLOURS])
        colours = rgb[np.asarray(c["labels"]) % len(rgb)]
    titles = [f"t = {int(tk)} / {T}   abar = {ab:.3f}   corr = {r:+.2f}" for tk, ab, r in zip(c["ts"], c["abars"], c["corr"])]
    return gif_bytes(cloud_frames(c["points"], limit=LIMIT, colours=colours, titles=titles), duration_ms=150)


def _frame_title(t: int, abar: float, corr: float, T: int) -> str:
    return tr("forward.cloud.title", t=t, T=T, abar=f"{abar:.3f}", corr=f"{corr:+.2f}")


def cloud_figure(c: dict, t: int, T: int, axis_names: tuple[str, str], height: int = 675) -> dict:
    """The animated 2-D cloud with the N(0, I) circles; opens at step ``t``, plays over all steps in the browser.

    Returned as a plain dict (one scatter trace whose x, y change from frame to frame, float32 arrays sent
    in binary): Plotly validates it once inside ``st.plotly_chart``, instead of once per frame.
    """
    ts, pts = c["ts"], c["points"].astype(np.float32)
    start = int(np.searchsorted(ts, t))
    legend: list[dict] = []
    if c["labels"] is not None:  # colour by class; dummy traces make the legend
        colours = [CLASS_COLOURS[k % 10] for k in c["labels"]]
        marker = dict(size=7, opacity=0.75, color=colours)
        legend = [dict(type="scatter", x=[None], y=[None], mode="markers", name=class_name(name),
                       marker=dict(size=10, color=CLASS_COLOURS[k % 10]), hoverinfo="skip")
                  for k, name in enumerate(c["classes"])]
    else:  # toy data: colour each point by its angle at t = 0, to follow it into the noise
        marker = dict(size=7, opacity=0.8, color=c["angle"].astype(np.float32), colorscale="Phase", cmin=-np.pi, cmax=np.pi)
    points = dict(type="scatter", x=pts[start, :, 0], y=pts[start, :, 1], mode="markers", marker=marker,
                  hoverinfo="skip", showlegend=False, name="points")
    frames = [dict(name=str(int(tk)), traces=[0], data=[dict(type="scatter", x=pts[k, :, 0], y=pts[k, :, 1])],
                   layout=dict(title=dict(text=_frame_title(int(tk), float(c["abars"][k]), float(c["corr"][k]), T))))
              for k, tk in enumerate(ts)]
    shapes, notes = [], []
    for r in (1, 2, 3):
        shapes.append(dict(type="circle", x0=-r, x1=r, y0=-r, y1=r, layer="below",
                           line=dict(color=theme.GUIDE_LINE, width=2, dash="dot")))
        notes.append(dict(x=-r * 0.7071, y=r * 0.7071, text=f"{r}σ", showarrow=False,
                          font=theme.font("label", color=theme.GUIDE_TEXT), xshift=-10, yshift=10))
    # redraw=True: each frame also applies its layout, so the title (t, ā_t, correlation) follows the cloud as it plays
    play = dict(frame=dict(duration=90, redraw=True), transition=dict(duration=0), fromcurrent=True, mode="immediate")
    slow = dict(play, frame=dict(duration=350, redraw=True))
    # the slider on its own row under the x axis, the buttons on the row below it: they never meet, whatever the
    # width of the chart or of the buttons' labels (the French ones are wider)
    layout = dict(
        height=height, font=FONT, margin=dict(l=10, r=10, t=50, b=205), shapes=shapes, annotations=notes,
        title=dict(text=_frame_title(int(ts[start]), float(c["abars"][start]), float(c["corr"][start]), T), font=theme.font("heading")),
        xaxis=dict(title=dict(text=axis_names[0]), range=[-LIMIT, LIMIT], zeroline=True, dtick=1, constrain="domain"),
        yaxis=dict(title=dict(text=axis_names[1]), range=[-LIMIT, LIMIT], zeroline=True, dtick=1, scaleanchor="x",
                   constrain="domain"),
        legend=dict(title=dict(text=tr("forward.cloud.class")), font=theme.font("label"), itemwidth=30, tracegroupgap=0),
        updatemenus=[dict(
            type="buttons", direction="left", x=0.0, y=0, xanchor="left", yanchor="top", pad=dict(t=170, r=0),
            buttons=[
                dict(label=tr("forward.cloud.play"), method="animate", args=[None, play]),
                dict(label=tr("forward.cloud.slow"), method="animate", args=[None, slow]),
                dict(label=tr("forward.cloud.pause"), method="animate", args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")]),
            ],
        )],
        sliders=[dict(
            active=start, x=0.0, len=1.0, y=0, yanchor="top", pad=dict(t=90, b=0),
            currentvalue=dict(visible=False),  # the title says t
            steps=[dict(method="animate", label=str(int(tk)),
                        args=[[str(int(tk))], dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))])
                   for tk in ts],
        )],
    )
    return dict(data=[points, *legend], layout=layout, frames=frames)
