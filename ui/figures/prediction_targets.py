"""Part 6, prediction targets: cached data and figures (three networks read at one I_t, samples by step
count, judged quality, the one-shot error by t, and the "Back to Basics" toy grid)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from plotly.subplots import make_subplots

from core import data as datasets
from core import paths, progress
from core.data import sample_toy
from core.diffusion import q_sample
from core.flow import wasserstein2
from core.images import picture, signed_to_uint8
from core.io import Checkpoint
from core.live.targets import GridCell, TargetToyConfig, compute_grid, load_grid, sample_target_toy, train_target_toy
from core.sampling import generate, read_prediction, schedule_of
from ui import jobs, theme
from ui.components.film import Frame
from ui.figures.mosaic import PAD, mosaic, png_uri
from ui.i18n import decimal, percent, significant, tr
from ui.resources import cache
from ui.resources.data import mnist_split
from ui.resources.models import measured_quality, preloaded

MODELS = {"eps": "mnist-ddpm-eps", "x": "mnist-ddpm-x0", "v": "mnist-ddpm-v"}
COLOURS = theme.TARGET_COLOURS
STEPS = (1, 2, 5, 10, 20, 50)  # DDIM steps of the sample grids and the quality chart
N_SAMPLES = 4  # per cell, 2 x 2: a new seed is 3 models x 88 DDIM steps on 4 images (half the work of 8)
NOISE_RANGE = 3.0  # noise and velocity images: -3 black, +3 white
T_VALUES = (1, 50, 100, 200, 400, 600, 800, 900, 950, 990, 1000)  # the steps of the outputs film
DEFAULT_VIEW = {"digit": 3, "t": 990, "seed": 0, "label": "any", "sample_seed": 0}
TOY_TARGETS = ("x", "eps", "v")  # the paper's order
FONT = theme.FONT


def target_name(kind: str) -> str:
    """What network ``kind`` (a key of :data:`MODELS`) outputs, in the session's language."""
    return tr(f"targets.target.{kind}")


def toy_name(prediction: str) -> str:
    """A toy target (one of :data:`TOY_TARGETS`) by name: "x-prediction"..."""
    return tr(f"targets.toy.name.{prediction}")


def facts(ckpts: tuple[Checkpoint, ...]) -> dict[str, float]:
    """The numbers the lesson quotes (:func:`ui.components.lessons.fill`), from the manifest, for the shipped weights
    ``ckpts`` (of :data:`MODELS`): with one DDIM step, the three networks' mean Fréchet ratio, and the judge's confident
    share for the image-like estimates (image and velocity networks, the lower) and for the noise network's."""
    one = {k: measured_quality(name, c.sha256).get("ddim-1-cond-w1") for (k, name), c in zip(MODELS.items(), ckpts)}
    if not all(one.values()):
        return {}
    return {"one_step_frechet": float(np.mean([q["frechet_ratio"] for q in one.values()])),
            "one_step_confident_image": min(one["x"]["confident_share"], one["v"]["confident_share"]),
            "one_step_confident_noise": one["eps"]["confident_share"]}


def heldout() -> datasets.ImageSet:
    return mnist_split()[1]


# ------------------------------------------------------------------ 1. three networks, one noisy input


@cache.shared(max_entries=64)
def read_all(ckpts: tuple[Checkpoint, ...], digit: int, t: int, seed: int) -> dict:
    """``I_0``, ``eps``, ``I_t`` of held-out digit ``digit``, and what each network says there.

    Returns uint8 cells ``(4, 3, 1, 28, 28)``: rows truth / eps-net / x0-net / v-net, columns
    ``eps``, ``I_0``, ``v``; and the RMSE of each network's one-shot ``I0_hat`` (pixels in [-1, 1]).
    """
    x0 = datasets.to_model_range(heldout().images[digit : digit + 1])  # (1, 1, 28, 28)
    sch = schedule_of(ckpts[0])
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
    x_t = q_sample(x0, t, sch, eps)
    ab = float(sch.alpha_bars[t])
    v = ab**0.5 * eps - (1 - ab) ** 0.5 * x0

    def row(e: torch.Tensor, i0: torch.Tensor, vel: torch.Tensor) -> np.ndarray:
        cells = [signed_to_uint8(e, NOISE_RANGE), datasets.to_uint8(i0), signed_to_uint8(vel, NOISE_RANGE)]
        return torch.cat(cells).numpy()  # (3, 1, 28, 28)

    rows, rmse = [row(eps, x0, v)], {}
    for kind, ckpt in zip(MODELS, ckpts):
        p = read_prediction(ckpt, x_t, t)
        rows.append(row(p.eps, p.x0, p.v))
        rmse[kind] = float((p.x0 - x0).pow(2).mean().sqrt())
    return {"cells": np.stack(rows), "x_t": datasets.to_uint8(x_t)[0].numpy(), "abar": ab, "rmse": rmse}


def outputs_picture(cells: np.ndarray) -> np.ndarray:
    """The 4 x 3 table of images as one RGB picture: what each network outputs is framed in its colour, the rest is
    what that output implies for the other two targets (a white margin of :data:`PAD` around, for the frames)."""
    m = mosaic(cells)
    m = np.pad(np.repeat(m[..., None], 3, axis=2) if m.ndim == 2 else m, ((PAD, PAD), (PAD, PAD), (0, 0)),
               constant_values=255)
    h, w = cells.shape[-2:]
    for r, kind in enumerate(MODELS, start=1):
        c = list(MODELS).index(kind)
        y0, x0 = PAD + r * (h + PAD) - 1, PAD + c * (w + PAD) - 1  # one pixel outside the cell, all round
        rgb = [int(COLOURS[kind][i : i + 2], 16) for i in (1, 3, 5)]
        m[y0, x0 : x0 + w + 2] = m[y0 + h + 1, x0 : x0 + w + 2] = rgb
        m[y0 : y0 + h + 2, x0] = m[y0 : y0 + h + 2, x0 + w + 1] = rgb
    return m


def outputs_frame(cells: np.ndarray, rmse: dict[str, float], t: int, abar: float) -> Frame:
    """One frame of the outputs film: the table at ``t``, its title (ā_t and the two scales), its rows' labels."""
    rows = (tr("targets.outputs.truth"), *(tr("targets.outputs.row", target=target_name(k), rmse=decimal(rmse[k], 2))
                                          for k in MODELS))
    values = (f"āₜ = {significant(abar, 4)}{tr('targets.outputs.separator')}√āₜ = {significant(abar ** 0.5, 4)}"
              f"{tr('targets.outputs.separator')}√(1 − āₜ) = {significant((1 - abar) ** 0.5, 4)}")
    return Frame(png_uri(outputs_picture(cells)), tr("targets.outputs.title", t=t, values=values), str(t), rows)


def output_columns() -> list[str]:
    """The titles of the outputs film's three columns."""
    return [f"<b>{tr(f'targets.outputs.column.{k}')}</b>" for k in MODELS]


# ------------------------------------------------------------------ 2. samples and judged quality by step count


@cache.shared(max_entries=32)  # the page shows the spinner (its text is translated)
def sample_rows(ckpts: tuple[Checkpoint, ...], label: int | None, seed: int) -> dict[str, list]:
    """For each model, ``N_SAMPLES`` DDIM samples at each step count of ``STEPS`` (same seed, same noise)."""
    out, total = {}, len(ckpts) * sum(STEPS)
    for m, (kind, ckpt) in enumerate(zip(MODELS, ckpts)):
        out[kind] = []
        for j, k in enumerate(STEPS):
            before = m * sum(STEPS) + sum(STEPS[:j])
            with progress.part(before / total, (before + k) / total):  # a share per network call
                images = generate(ckpt, N_SAMPLES, steps=k, method="ddim", seed=seed, label=label).images
            out[kind].append(picture(images, N_SAMPLES // 2, scale=2, pad=1))
    return out


def quality_figure(quality: dict[str, dict]) -> go.Figure:
    """Judged quality of 1,000 class-conditional samples against DDIM steps, one line per target (from the manifest)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=(tr("targets.quality.confident"), tr("targets.quality.frechet")))
    for kind in MODELS:
        ks = [k for k in STEPS if f"ddim-{k}-cond-w1" in quality.get(kind, {})]
        rows = [quality[kind][f"ddim-{k}-cond-w1"] for k in ks]
        style = dict(color=COLOURS[kind], width=3)
        fig.add_scatter(x=ks, y=[100 * r["confident_share"] for r in rows], mode="lines+markers", line=style,
                        name=tr("targets.predicts", target=target_name(kind)), legendgroup=kind, row=1, col=1)
        fig.add_scatter(x=ks, y=[r["frechet_ratio"] for r in rows], mode="lines+markers", line=style, showlegend=False,
                        legendgroup=kind, row=1, col=2)
    fig.add_hline(y=1.0, line=dict(color=theme.INK, dash="dot", width=1), row=1, col=2)
    fig.update_xaxes(type="log", tickvals=list(STEPS), title_text=tr("targets.quality.steps"), tickfont=theme.font("label"))
    fig.update_yaxes(title_text=tr("targets.quality.share"), range=[0, 101], row=1, col=1)
    fig.update_yaxes(type="log", title_text=tr("targets.quality.ratio"), tickvals=[1, 2, 5, 10, 20], row=1, col=2)
    fig.update_annotations(font=theme.font("emphasis"))
    fig.update_layout(height=380, font=FONT, margin=dict(l=60, r=20, t=50, b=50), plot_bgcolor="white",
                      legend=theme.LEGEND_UNDER)
    fig.update_xaxes(showgrid=True, gridcolor=theme.GRID)
    fig.update_yaxes(showgrid=True, gridcolor=theme.GRID)
    return fig


@st.cache_data(show_spinner=False)
def average_digit_rmse() -> float:
    """RMSE of guessing the average training digit for every held-out digit: what "knowing nothing" scores."""
    train, held = mnist_split()
    mean = datasets.to_model_range(train.images).mean(0)
    return float((datasets.to_model_range(held.images) - mean).pow(2).mean().sqrt())


def oneshot_figure(curves: dict[str, dict], baseline: float) -> go.Figure:
    """RMSE of the one-shot estimate Î₀ against t on held-out digits, one line per target (from the manifest)."""
    fig = go.Figure()
    for kind, c in curves.items():
        fig.add_scatter(x=c["ts"], y=np.sqrt(c["x0_mse"]), mode="lines+markers",
                        name=tr("targets.predicts", target=target_name(kind)),
                        line=dict(color=COLOURS[kind], width=3), marker=dict(size=5))
    fig.add_hline(y=baseline, line=dict(color=theme.INK, dash="dot", width=1))
    fig.add_annotation(x=0, y=np.log10(baseline), xanchor="left", yanchor="bottom", showarrow=False,
                       text=tr("targets.oneshot.average", rmse=f"{baseline:.2f}"), font=theme.font("small"))
    fig.update_xaxes(title_text=tr("targets.oneshot.step"), showgrid=True, gridcolor=theme.GRID)
    fig.update_yaxes(type="log", title_text=tr("targets.oneshot.rmse"), showgrid=True, gridcolor=theme.GRID,
                     tickvals=[0.001, 0.01, 0.1, 1, 10, 100, 1000], ticktext=["0.001", "0.01", "0.1", "1", "10", "100", "1000"])
    fig.update_layout(height=380, font=FONT, margin=dict(l=70, r=20, t=50, b=50), plot_bgcolor="white",
                      title=dict(text=tr("targets.oneshot.title"), font=theme.font("emphasis"), x=0.5, xanchor="center"),
                      legend=theme.LEGEND_UNDER)
    return fig


# ------------------------------------------------------------------ 3. the "Back to Basics" toy


@st.cache_resource(show_spinner=False)  # the page shows the spinner (its text is translated)
def toy_grid() -> dict[tuple[str, int], GridCell]:
    """The default grid: shipped in assets/toys, computed (a few minutes) only if missing."""
    return load_grid() or compute_grid()


def toy_run(cfg: TargetToyConfig) -> jobs.Run:
    """The page's live run: one cell of the grid, trained (together with the class's other runs), then sampled (returns
    its :class:`GridCell`)."""

    def fn(progress: jobs.Progress) -> GridCell:
        run = train_target_toy(cfg, progress.report, trainer=jobs.together.train)
        samples = sample_target_toy(run)
        return GridCell(run.cfg, samples.points, samples.w2, run.losses, run.seconds)

    return jobs.Run(fn, cfg.steps, config=cfg, with_class=True)


OFF_PLOT = 0.05
"""A grid cell says how many of its samples fall outside its square once they are at least this share: the data
drawn alone would look like a success."""


@st.cache_data(show_spinner=False)
def toy_data(dataset: str) -> np.ndarray:
    return sample_toy(dataset, 1000, seed=12345).numpy()


@st.cache_data(show_spinner=False)
def toy_floor(dataset: str, n: int = 1000) -> float:
    """W2 between two sets of ``n`` real points, averaged over three seeds: the best a sampler can score."""
    return float(np.mean([wasserstein2(sample_toy(dataset, n, seed=s), sample_toy(dataset, n, seed=s + 7919))
                          for s in range(3)]))


def toy_grid_figure(cells: dict[tuple[str, int], GridCell], data: np.ndarray, height: int = 720) -> go.Figure:
    """Rows: what the MLP predicts; columns: the ambient dimension D; samples projected back to the plane."""
    dims = sorted({d for _, d in cells})
    targets = [p for p in TOY_TARGETS if any(q == p for q, _ in cells)]
    titles = [tr("targets.toy.cell", D=d, w2=f"{cells[p, d].w2:.2f}") if (p, d) in cells else ""
              for p in targets for d in dims]
    fig = make_subplots(rows=len(targets), cols=len(dims), subplot_titles=titles, horizontal_spacing=0.02,
                        vertical_spacing=0.07)
    lim = theme.TOY_VIEW
    for r, p in enumerate(targets, start=1):
        for c, d in enumerate(dims, start=1):
            if (p, d) in cells:
                pts = cells[p, d].points.numpy()
                inside = np.abs(pts).max(axis=1) < lim
                fig.add_scattergl(x=pts[inside, 0], y=pts[inside, 1], mode="markers", hoverinfo="skip", showlegend=False,
                                  marker=dict(size=2.5, opacity=0.55, color=COLOURS[p]), row=r, col=c)
                if (off := 1 - inside.mean()) >= OFF_PLOT:  # a cell with few samples in it is a failure, not data alone
                    fig.add_annotation(text=tr("targets.toy.off", share=percent(off)), x=0, y=0, showarrow=False,
                                       font=theme.font("small", color=theme.WARNING), bgcolor=theme.LEGEND_BACKGROUND,
                                       row=r, col=c)  # in the middle of its own cell: a narrow column cuts nothing
            fig.add_scattergl(x=data[:, 0], y=data[:, 1], mode="markers", marker=dict(size=1.5, color=theme.DARK_DATA, opacity=0.5),
                              hoverinfo="skip", showlegend=False, row=r, col=c)  # the data on top, thin
            fig.update_xaxes(range=[-lim, lim], visible=False, row=r, col=c)
            anchor = (r - 1) * len(dims) + c
            fig.update_yaxes(range=[-lim, lim], visible=False, scaleanchor=f"x{'' if anchor == 1 else anchor}", row=r, col=c)
        axis = (r - 1) * len(dims) + 1
        fig.add_annotation(text=f"<b>{toy_name(p)}</b>", xref="paper", yref=f"y{'' if axis == 1 else axis} domain",
                           x=-0.01, y=0.5, xanchor="right", showarrow=False, font=theme.font("body"), textangle=-90)
    fig.update_annotations(font_size=theme.size("label"), selector=dict(textangle=None))
    fig.update_layout(height=height, margin=dict(l=40, r=10, t=50, b=10), font=FONT, plot_bgcolor="white")  # titles: two lines
    return fig


# ``st.cache_resource`` hands every session the same Figure; nothing mutates one once it is built.
# A figure holds text: the language is part of each key (``lang``, the session's, which ``tr`` reads).


@cache.figure(max_entries=32)
def outputs_film(ckpts: tuple[Checkpoint, ...], digit: int, seed: int) -> list[Frame]:
    """The outputs table at every t of :data:`T_VALUES` (the film the page steps through in the browser)."""
    frames = []
    for t in T_VALUES:
        read = read_all(ckpts, digit, t, seed)
        frames.append(outputs_frame(read["cells"], read["rmse"], t, read["abar"]))
    return frames


@cache.figure(max_entries=4)
def quality_chart(shas: tuple[str, ...], manifest_mtime: float) -> go.Figure:

    return quality_figure({k: measured_quality(name, sha) for (k, name), sha in zip(MODELS.items(), shas)})


@cache.figure(max_entries=4)
def oneshot_chart(shas: tuple[str, ...], manifest_mtime: float) -> go.Figure:

    quality = {k: measured_quality(name, sha) for (k, name), sha in zip(MODELS.items(), shas)}
    return oneshot_figure({k: q["loss_by_t"] for k, q in quality.items() if "loss_by_t" in q}, average_digit_rmse())


@cache.figure()
def toy_grid_chart() -> go.Figure:
    return toy_grid_figure(toy_grid(), toy_data("spiral"))


def warm() -> None:
    """Compute what the page shows before any click (``ui.resources.warm`` calls this once, at server start)."""

    ckpts = tuple(preloaded(name) for name in MODELS.values())
    toy_grid_chart()
    toy_floor("spiral")
    if all(c is not None for c in ckpts):
        shas, v = tuple(c.sha256 for c in ckpts), DEFAULT_VIEW
        outputs_film(ckpts, v["digit"], v["seed"])
        sample_rows(ckpts, None, v["sample_seed"])
        mtime = manifest_mtime()
        quality_chart(shas, mtime), oneshot_chart(shas, mtime)


def bank(seed: int) -> None:
    """The MNIST sample grids for ``seed`` at the default settings (computed ahead, for a student stepping the seed)."""
    ckpts = tuple(preloaded(name) for name in MODELS.values())
    if all(c is not None for c in ckpts):
        sample_rows(ckpts, None, seed)


def manifest_mtime() -> float:
    """When the manifest last changed (a cache key: figures from it are rebuilt when it does)."""

    try:
        return paths.manifest().stat().st_mtime
    except OSError:
        return 0.0
