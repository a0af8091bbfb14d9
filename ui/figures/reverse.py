"""Part 5 (Reverse denoising): its cached reverse runs, and step-throughs that play in the browser.

The MNIST steps are a film (:mod:`ui.components.film`): every step's pictures are sent once, and the browser swaps
them; the toy cloud carries every step as a Plotly frame. Moving through the steps never reruns the page.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from core.data import to_uint8
from core.diffusion import DiffusionStep
from core.export import gif_bytes
from core.images import grid, picture, signed_to_uint8
from core.io import Checkpoint
from core.live.toy_diffusion import ToyModel, sample_toy_model
from core.sampling import generate
from ui import theme
from ui.components.film import Frame
from ui.figures.animation import controls
from ui.figures.mosaic import mosaic, png_uri
from ui.figures.training import BOX, DATA, FONT, MODEL, toy_data
from ui.i18n import decimal, language, tr
from ui.resources import cache
from ui.resources.models import preloaded
from ui.resources.warm import reference_toy_model

MODELS = {"any": "mnist-ddpm-eps-uncond", "digit": "mnist-ddpm-eps"}
"""The shipped MNIST models the page runs: for "any digit" the unconditional one (trained without labels), for a
chosen digit the class-conditional one, with guidance (both: noise prediction, cosine schedule, T = 1000)."""
CLOUD = theme.CLOUD  # the points I_t
PANELS = ("state", "noise", "oneshot", "mean", "next")  # the five columns of a DDPM step (their titles: reverse.panel.*)
TOY_POINTS = 500  # points of the toy cloud sent back to the data
TOY_STEPS = 50  # DDPM steps of the toy cloud
NOISE_RANGE = 3.0  # the predicted noise is drawn with -3 as black and +3 as white
def step_title(t: int, s: int, sigma: float, index: int, total: int) -> str:
    return tr("reverse.step", k=index + 1, total=total, t=t, s=s, sigma=decimal(sigma, 3))


def steps_film(panels: np.ndarray, ts: list[int], ss: list[int], sigmas: list[float]) -> list[Frame]:
    """One frame per DDPM step: one row per sample, the five quantities of the step as columns (:data:`PANELS`).

    panels: ``(K, N, 5, C, H, W)`` uint8 (images clipped to [-1, 1], noise mapped from [-3, 3]); a frame's value is
    its ``t``, the step it starts from.
    """
    K, n = panels.shape[:2]
    rows = tuple(tr("reverse.sample", i=i + 1) for i in range(n))
    return [Frame(png_uri(mosaic(panels[k])), step_title(ts[k], ss[k], sigmas[k], k, K), str(ts[k]), rows)
            for k in range(K)]


def columns() -> list[str]:
    """The titles of the five columns of the step-through film."""
    return [f"<b>{tr(f'reverse.panel.{p}')}</b>" for p in PANELS]


def toy_reverse_figure(states: np.ndarray, x0_hats: np.ndarray, times: list[int], data: np.ndarray) -> go.Figure:
    """The whole cloud going back from N(0, I) to the data: ``states`` ``(K + 1, N, 2)``, ``x0_hats`` ``(K, N, 2)``.

    Frame ``k`` shows ``I_t`` at ``t = times[k]`` and the one-shot estimates made there (the last frame:
    the samples alone); the data stay in the background.
    """
    K1 = len(states)
    names = [str(k) for k in range(K1)]

    def traces(k: int) -> list[go.Scatter]:
        est = x0_hats[k] if k < len(x0_hats) else np.empty((0, 2))
        return [
            go.Scatter(x=states[k][:, 0], y=states[k][:, 1], mode="markers", name=tr("reverse.toy.cloud"),
                       marker=dict(size=5, color=CLOUD, opacity=0.8)),
            go.Scatter(x=est[:, 0], y=est[:, 1], mode="markers", name=tr("reverse.toy.oneshot"),
                       marker=dict(size=5, color=MODEL, opacity=0.7, symbol="x-thin", line=dict(width=1.5, color=MODEL))),
        ]

    title = lambda k: tr("reverse.toy.last", t=times[k]) if k == K1 - 1 else f"t = {times[k]}"
    fig = go.Figure(
        data=[go.Scatter(x=data[:, 0], y=data[:, 1], mode="markers", name=tr("reverse.toy.data_points"),
                         marker=dict(size=4, color=DATA, opacity=0.35)), *traces(0)],
        frames=[go.Frame(data=traces(k), traces=[1, 2], name=names[k], layout=dict(title=dict(text=title(k))))
                for k in range(K1)],
    )
    fig.update_xaxes(range=[-BOX, BOX], title="x₁", constrain="domain")
    fig.update_yaxes(range=[-BOX, BOX], title="x₂", scaleanchor="x", scaleratio=1)
    fig.update_layout(
        title=dict(text=title(0), font=theme.font("title"), x=0.5, xanchor="center"), font=FONT, height=700,
        margin=dict(l=60, r=20, t=60, b=210), legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0, font=theme.font("medium")),
        **controls(names, [str(t) for t in times], redraw=True, duration=150, top=88),  # under the x axis title
    )
    return fig


# ------------------------------------------------------------------ the page's runs, cached


@cache.shared(max_entries=32)  # the page shows a spinner around mnist_figure()
def mnist_steps(ckpt: Checkpoint, label: int | None, guidance: float, seed: int, steps: int, n: int) -> dict:
    """Every DDPM step of ``n`` samples, as pictures: ``panels`` ``(K, n, 5, C, H, W)`` uint8, plus t, s, sigma."""
    kept: list[DiffusionStep] = []
    gen = generate(ckpt, n, steps=steps, method="ddpm", seed=seed, label=label, guidance=guidance,
                   on_diffusion_step=kept.append)
    panels = np.stack([
        torch.stack([to_uint8(k.x_t), signed_to_uint8(k.eps, NOISE_RANGE), to_uint8(k.x0), to_uint8(k.mean),
                     to_uint8(k.x_s)], dim=1).numpy()  # (n, 5, C, H, W)
        for k in kept
    ])
    return {"panels": panels, "ts": [k.t for k in kept], "ss": [k.s for k in kept],
            "sigmas": [float(k.sigma) for k in kept], "final": to_uint8(gen.images).numpy()}


@cache.figure(max_entries=32)
def mnist_film(ckpt: Checkpoint, label: int | None, guidance: float, seed: int, steps: int, n: int):
    """The step-through film and the film strip for these settings, their text in
    the session's language (built once, then reused: the frames are PNGs made once)."""
    run = mnist_steps(ckpt, label, guidance, seed, steps, n)
    frames = steps_film(run["panels"], run["ts"], run["ss"], run["sigmas"])
    image, picks = strip(run["panels"])
    return frames, image, [run["ts"][k] for k in picks]


@cache.data(max_entries=8)
def steps_gif(ckpt: Checkpoint, label: int | None, guidance: float, seed: int, steps: int, n: int) -> bytes:
    """The step-through grid as an animated GIF: one frame per DDPM step, the same five columns."""
    run = mnist_steps(ckpt, label, guidance, seed, steps, n)
    frames = [grid(torch.from_numpy(p.reshape(-1, *p.shape[2:])), 5, pad=2) for p in run["panels"]]
    return gif_bytes([f[..., 0] if f.shape[-1] == 1 else f for f in frames], duration_ms=120, scale=3)


@cache.figure(max_entries=16)
def toy_figure(dataset: str, seed: int):
    """The toy cloud going back to the data under the reference model."""
    traj = toy_steps(dataset, seed)
    return toy_reverse_figure(traj["states"], traj["x0_hats"], traj["times"], toy_data(dataset))


def strip(panels: np.ndarray, columns: int = 10):
    """Sample 0's I_t (top row) and one-shot estimate (bottom row) at ``columns`` evenly spaced steps."""
    K = len(panels)
    picks = np.linspace(0, K - 1, columns).round().astype(int)
    cells = np.concatenate([panels[picks, 0, 0], panels[picks, 0, 2]])  # (2 * columns, C, H, W)
    return picture(cells, columns, scale=3, pad=2), picks


@st.cache_data(show_spinner=False, max_entries=16)  # the page shows a spinner around toy_figure()
def toy_steps(dataset: str, seed: int) -> dict:
    path = sample_toy_model(reference_toy_model(dataset), TOY_POINTS, steps=TOY_STEPS, seed=seed)
    return {"states": path.states.numpy(), "x0_hats": path.x0_hats.numpy(), "times": path.times}


def own_toy_figure(model: ToyModel, seed: int, memo: dict):
    """Like :func:`toy_figure` for the student's own model, kept in ``memo`` (the student's session: the model is theirs)."""
    key = (id(model), model.steps_done, seed, language())
    if key not in memo:
        memo.clear()
        path = sample_toy_model(model, TOY_POINTS, steps=TOY_STEPS, seed=seed)
        memo[key] = toy_reverse_figure(path.states.numpy(), path.x0_hats.numpy(), path.times, toy_data(model.cfg.dataset))
    return memo[key]


DEFAULT_VIEW = {"label": None, "guidance": 1.0, "seed": 0, "steps": 50, "n": 3}  # the page's settings as it opens


def warm() -> None:
    """The page's default step-through (``ui.resources.warm`` calls this once, at server start)."""
    bank(DEFAULT_VIEW["seed"])


def bank(seed: int) -> None:
    """The step-through at the default settings for ``seed`` (the seeds a student steps to first, computed ahead)."""
    ckpt = preloaded(MODELS["any"])
    if ckpt is not None:
        v = DEFAULT_VIEW
        mnist_film(ckpt, v["label"], v["guidance"], seed, v["steps"], v["n"])
