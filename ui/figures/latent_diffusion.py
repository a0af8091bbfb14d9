"""Part 7, latent diffusion: cached data and figures (the encode/decode pipeline, generation step by step in the
latent and in pixels, interpolations, auto-encoder vs VAE codes, and what each costs)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from plotly.subplots import make_subplots

from core import data as datasets
from core import progress
from core.evaluation import SamplingCost, sampling_cost
from core.images import picture, signed_to_uint8
from core.io import Checkpoint
from core.nets.autoencoder import encode, encode_means
from core.sampling import decode_latents, encode_latents, generate, interpolate
from core.sampling.latent import far_share, latent_grid
from ui import theme
from ui.figures.mosaic import PAD, mosaic, png_uri
from ui.i18n import tr
from ui.resources import cache
from ui.resources.data import mnist_split
from ui.resources.models import preloaded

VAE_NAME, LATENT_MODEL, PIXEL_MODEL = "mnist-vae-spatial", "mnist-latent-flow", "mnist-flow-ot"
UNCONDITIONAL = {LATENT_MODEL: "mnist-latent-flow-uncond", PIXEL_MODEL: "mnist-flow-ot-uncond"}
"""The models for "any digit": trained without labels (issue 26), both with OT pairing, one in the latent, one on pixels."""


def generation_models(label: int | None) -> tuple[str, str]:
    """The latent and the pixel model that draw a digit: for "any digit" (``label`` None) the two trained without
    labels, when both are shipped; else the class-conditional pair (their null label for "any")."""
    if label is None and all(preloaded(name) is not None for name in UNCONDITIONAL.values()):
        return UNCONDITIONAL[LATENT_MODEL], UNCONDITIONAL[PIXEL_MODEL]
    return LATENT_MODEL, PIXEL_MODEL
AE_2D, VAE_2D = "mnist-autoencoder-2d", "mnist-vae-2d"
LATENT_RANGE = 3.0  # scaled latents have unit variance: -3 black, +3 white
DEFAULT_VIEW = {"digit": 0, "label": "any", "seed": 0, "steps": 20, "a": 3, "b": 8}
COST_STEPS = 20  # the sampling budget of the cost table (the latent model's measured sweet spot)
FONT = theme.FONT


def heldout() -> datasets.ImageSet:
    return mnist_split()[1]


def digit(index: int) -> torch.Tensor:
    """Held-out digit ``index`` in [-1, 1], ``(1, 1, 28, 28)``."""
    return datasets.to_model_range(heldout().images[index : index + 1])


def _latent_cell(z: torch.Tensor) -> np.ndarray:
    """A scaled latent ``(4, 7, 7)`` as one 28x28 grey cell: its four channels as a 2x2 tile, each upscaled 2x."""
    ch = signed_to_uint8(z, LATENT_RANGE)  # (4, 7, 7) uint8
    tiles = ch.repeat_interleave(2, dim=1).repeat_interleave(2, dim=2)  # (4, 14, 14)
    top, bottom = torch.cat([tiles[0], tiles[1]], dim=1), torch.cat([tiles[2], tiles[3]], dim=1)
    return torch.cat([top, bottom], dim=0)[None].numpy()  # (1, 28, 28)


def _image_figure(cells: np.ndarray, columns: list[str], rows: list[str], *, title: str = "", width: int = 760,
                  left: int = 70, row_font: str = "label") -> go.Figure:
    """A table of small images ``(R, K, C, H, W)`` with column titles and row labels (one PNG, crisp); ``left``: the
    room for the row labels, in image pixels; ``row_font``: their size (a role of :data:`ui.theme.SIZES`)."""
    m = mosaic(cells)
    H, W = m.shape[:2]
    h, w = cells.shape[-2:]
    fig = go.Figure(go.Image(source=png_uri(m), x0=0, y0=0, dx=1, dy=1, hoverinfo="skip"))
    for c, label in enumerate(columns):
        fig.add_annotation(x=c * (w + PAD) + w / 2, y=-1, text=label, showarrow=False, yanchor="bottom",
                           font=theme.font("label"))
    for r, label in enumerate(rows):
        fig.add_annotation(x=-2, y=r * (h + PAD) + h / 2, text=label, showarrow=False, xanchor="right",
                           font=theme.font(row_font))
    top = 16
    fig.update_xaxes(visible=False, range=[-left, W + 1], constrain="domain")
    fig.update_yaxes(visible=False, range=[H + 1, -top], scaleanchor="x", scaleratio=1)
    fig.update_layout(font=FONT, dragmode=False, margin=dict(l=0, r=0, t=40 if title else 0, b=0),
                      height=int((40 if title else 0) + width * (H + top + 2) / (W + left + 1)),
                      title=dict(text=title, font=theme.font("heading"), x=0.5, xanchor="center") if title else None)  # Streamlit's theme anchors titles left
    return fig


# ------------------------------------------------------------------ 1. the pipeline


# Figures are cached as resources: every session gets the same Figure (nothing mutates one once built),
# without the copy that st.cache_data makes on each access. A figure holds text: the language is part of
# each key (``lang``, the session's, which ``tr`` reads).


@cache.figure(max_entries=64)
def pipeline(vae: Checkpoint, scale: float, index: int) -> go.Figure:
    """Image -> its scaled latent (four channels) -> decoded image, for held-out digit ``index``."""
    x = digit(index)
    z = encode_latents(vae, x, scale)  # (1, 4, 7, 7)
    recon = decode_latents(vae, z, scale)
    chans = [signed_to_uint8(z[0, c], LATENT_RANGE).repeat_interleave(4, 0).repeat_interleave(4, 1)[None].numpy()
             for c in range(z.shape[1])]  # each 7x7 channel drawn at 28x28
    cells = np.stack([datasets.to_uint8(x)[0].numpy(), *chans, datasets.to_uint8(recon)[0].numpy()])[None]
    columns = ["<b>x</b>", *[f"z<sub>{c + 1}</sub>" for c in range(len(chans))], "<b>D(z)</b>"]
    mse = float((recon - x).pow(2).mean())
    return _image_figure(cells, columns, [""], left=4,
                         title=tr("latent.pipeline.title", mse=f"{mse:.3f}"))


# ------------------------------------------------------------------ 2. generation, step by step


@cache.shared(max_entries=32)  # the page shows the spinner (its text is translated)
def generation(latent: Checkpoint, pixel: Checkpoint, vae: Checkpoint, label: int | None, seed: int, steps: int) -> dict:
    """Both models from ``t = 0`` (noise) to ``t = 1`` in ``steps`` Euler steps; cells ``(3, steps + 1, 1, 28, 28)``."""
    with progress.part(0.0, 0.5):
        lat = generate(latent, 1, steps=steps, method="euler", seed=seed, label=label, vae=vae)
    with progress.part(0.5, 1.0):
        pix = generate(pixel, 1, steps=steps, method="euler", seed=seed, label=label)
    rows = [
        np.stack([_latent_cell(z[0]) for z in lat.latents]),
        datasets.to_uint8(lat.frames[:, 0]).numpy(),
        datasets.to_uint8(pix.frames[:, 0].clamp(-1, 1)).numpy(),
    ]
    return {"cells": np.stack(rows), "times": lat.times}


MAX_COLUMNS = 11  # frames drawn: every step up to 10 steps, every other one at 20
PRESENTER_COLUMNS = 8  # on a projector: 8 frames of about 100 px across 1200 px


@cache.figure(max_entries=32)
def generation_chart(latent: Checkpoint, pixel: Checkpoint, vae: Checkpoint, label: int | None, seed: int,
                     steps: int, columns: int = MAX_COLUMNS) -> go.Figure:
    run = generation(latent, pixel, vae, label, seed, steps)
    return generation_figure(run["cells"], run["times"], columns)


@cache.figure(max_entries=8)
def codes_chart(ae: Checkpoint, vae: Checkpoint) -> go.Figure:
    c = codes(ae, vae)
    return codes_figure(c["ae"], c["vae"], c["labels"])


def generation_figure(cells: np.ndarray, times: list[float], columns: int = MAX_COLUMNS) -> go.Figure:
    keep = np.linspace(0, len(times) - 1, min(len(times), columns)).round().astype(int)  # first and last always
    cells, times = cells[:, keep], [times[k] for k in keep]
    rows = [tr(f"latent.generation.{row}") for row in ("latent", "decoded", "pixel")]
    step = max(1, len(times) // 6)
    columns = [f"t = {t:.2g}" if k % step == 0 or k == len(times) - 1 else "" for k, t in enumerate(times)]
    # many columns make short rows: smaller two-line labels, so that one row's label does not run into the next
    return _image_figure(cells, columns, rows, left=84, width=900, row_font="tiny")


# ------------------------------------------------------------------ 3. what the latent looks like


@cache.figure(max_entries=64)
def interpolation(vae: Checkpoint, scale: float, a: int, b: int, n: int = 9) -> go.Figure:
    """Held-out digit ``a`` to digit ``b`` in ``n`` steps: a pixel cross-fade, and a walk in the latent, decoded."""
    pixel, latent = interpolate(vae, digit(a), digit(b), n, scale)
    cells = np.stack([datasets.to_uint8(pixel).numpy(), datasets.to_uint8(latent).numpy()])
    columns = [f"s = {s:.2g}" for s in np.linspace(0, 1, n)]
    return _image_figure(cells, columns, [tr("latent.interpolation.pixels"), tr("latent.interpolation.latent")],
                         left=90, width=900)


@cache.data(max_entries=8)  # the page shows the spinner (its text is translated)
def codes(ae_ckpt: Checkpoint, vae_ckpt: Checkpoint) -> dict:
    """2-D codes of the held-out digits: the plain auto-encoder's ``E(x)`` and the VAE's posterior means."""
    x = datasets.to_model_range(heldout().images)
    ae, vae = encode(ae_ckpt.model, x), encode_means(vae_ckpt.model, x)
    return {"ae": ae.numpy(), "vae": vae.numpy(), "labels": heldout().labels.numpy(),
            "far": {"ae": far_share(ae), "vae": far_share(vae)}, "std": {"ae": float(ae.std()), "vae": float(vae.std())}}


def codes_figure(ae: np.ndarray, vae: np.ndarray, labels: np.ndarray) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=(tr("latent.codes.ae"), tr("latent.codes.vae")))
    for col, pts in ((1, ae), (2, vae)):
        for d in range(10):
            sel = labels == d
            fig.add_scattergl(x=pts[sel, 0], y=pts[sel, 1], mode="markers", name=str(d), legendgroup=str(d),
                              showlegend=col == 1, marker=dict(size=4, color=theme.CLASS_COLOURS[d], opacity=0.7),
                              row=1, col=col)
    fig.update_annotations(font=theme.font("emphasis"))
    lim = float(np.ceil(np.percentile(np.abs(np.concatenate([ae, vae])), 99.5)))  # one range for both: sizes compare
    # the legend at the foot of the figure, under the axis titles (Plotly makes room for it, on one row or two)
    fig.update_layout(height=500, font=FONT, margin=dict(l=40, r=10, t=40, b=40), plot_bgcolor="white",
                      legend=theme.LEGEND_UNDER | dict(title=dict(text=tr("latent.codes.digit")), itemsizing="constant"))
    fig.update_xaxes(title_text=tr("latent.codes.z1"), showgrid=True, gridcolor=theme.GRID, zeroline=False, range=[-lim, lim], dtick=2)
    fig.update_yaxes(title_text=tr("latent.codes.z2"), showgrid=True, gridcolor=theme.GRID, zeroline=False, range=[-lim, lim], dtick=2)
    fig.update_yaxes(scaleanchor="x", row=1, col=1)
    fig.update_yaxes(scaleanchor="x2", row=1, col=2)
    return fig


@cache.resource(max_entries=8)
def decoded_maps(ae: Checkpoint, vae: Checkpoint, ae_box: tuple[float, float, float], n: int = 12) -> tuple:
    """Each model's decoder on an ``n x n`` grid covering its codes: the AE's box (centre, half-width), the VAE's [-3, 3]^2."""
    _, ae_images = latent_grid(ae.model, n, ae_box[2], (ae_box[0], ae_box[1]))
    _, vae_images = latent_grid(vae.model, n, 3.0)
    return (picture(ae_images, n, scale=2, pad=1), picture(vae_images, n, scale=2, pad=1))


def code_box(points: np.ndarray) -> tuple[float, float, float]:
    """Centre and half-width of a square around 98 % of the codes (the map's window)."""
    lo, hi = np.percentile(points, 1, axis=0), np.percentile(points, 99, axis=0)
    centre = (lo + hi) / 2
    return float(centre[0]), float(centre[1]), float((hi - lo).max() / 2)


# ------------------------------------------------------------------ 4. cost


@st.cache_resource(show_spinner=False)  # the page shows the spinner (its text is translated)
def costs() -> dict[str, SamplingCost]:
    """64 samples in ``COST_STEPS`` Euler steps, timed once per server on this machine (one call each: the
    warm-up has already run both models, so no untimed call is needed)."""

    out = {}
    for name in (PIXEL_MODEL, LATENT_MODEL):
        if (ckpt := preloaded(name)) is not None:
            out[name] = sampling_cost(ckpt, n=64, steps=COST_STEPS, repeats=1, warmup=False)
    return out


def warm() -> None:
    """Compute what the page shows before any click (``ui.resources.warm`` calls this once, at server start)."""

    v = DEFAULT_VIEW
    vae, lat = preloaded(VAE_NAME), preloaded(LATENT_MODEL)
    if vae is not None and lat is not None:
        scale = lat.meta["latent"]["scale"]
        pipeline(vae, scale, v["digit"])
        interpolation(vae, scale, v["a"], v["b"])
        names = generation_models(None)
        if all(preloaded(name) is not None for name in names):
            generation_chart(*map(preloaded, names), vae, None, v["seed"], v["steps"])
    ae, vae2 = preloaded(AE_2D), preloaded(VAE_2D)
    if ae is not None and vae2 is not None:
        c = codes(ae, vae2)
        codes_chart(ae, vae2)
        decoded_maps(ae, vae2, code_box(c["ae"]))
    costs()
