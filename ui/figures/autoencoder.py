"""Figures and cached figure data for the "Auto-encoders" page (part 1).

Plotly figures are built here from plain arrays; the math lives in :mod:`core.nets.autoencoder`, :mod:`core.images`,
:mod:`core.sampling.latent` and :mod:`core.live.autoencoder`. Cached functions take a shipped checkpoint, keyed by its
weights' SHA-256 (:mod:`ui.resources.cache`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from PIL import Image

from core import data as datasets
from core.data.handwritten import decode_digit
from core.diffusion import make_schedule, q_sample
from core.forensics.detector import GENERATED
from core.images import add_noise, apply_mask, picture, psnr
from core.io import Checkpoint
from core.live import autoencoder as tae
from core.nets.autoencoder import LayerInfo, decode, describe_layers, encode, encode_means, restore
from core.sampling.latent import CodeGaussian, fit_code_gaussian, latent_grid, sample_codes
from ui import jobs, theme
from ui.figures.loss import Curve, loss_figure
from ui.i18n import DEFAULT, MESSAGES, decimal, tr
from ui.resources import cache
from ui.resources.data import cifar10, mnist
from ui.resources.models import preloaded

# One palette for the page: encoder blue, code orange, decoder green, images grey.
COLORS = theme.AUTOENCODER_PARTS
DIGIT_COLORS = theme.CLASS_COLOURS
FONT = theme.font("medium")
DEFAULT_VIEW = {"digit": 0, "sigma": 0.6, "noise_seed": 0, "samples": 36, "gen_seed": 0, "grid": 15, "extent": 3.0}


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Split:
    train: datasets.ImageSet
    heldout: datasets.ImageSet


@st.cache_resource(show_spinner=False)
def split() -> Split:
    """MNIST cut as the shipped models were trained: 80 % seen, 20 % held out (stratified, seed 0)."""
    train, held = datasets.split(mnist())  # the shipped models never saw the held-out 20 %
    return Split(train, held)


@st.cache_data(show_spinner=False)
def one_per_class() -> tuple[int, ...]:
    """Index of the first held-out digit of each class, 0 to 9."""
    labels = split().heldout.labels
    return tuple(int((labels == c).nonzero()[0, 0]) for c in range(10))


def heldout_digits(indices: list[int] | tuple[int, ...]) -> torch.Tensor:
    """Held-out digits in [-1, 1], (len(indices), 1, 28, 28)."""
    return datasets.to_model_range(split().heldout.images[list(indices)])


# --------------------------------------------------------------------------- encode / decode with the shipped models


@cache.data(max_entries=64)
def reconstruct(ckpt: Checkpoint, index: int) -> tuple[np.ndarray, np.ndarray]:
    """(code (D,), reconstruction (28, 28) in [-1, 1]) of held-out digit ``index``."""
    x = heldout_digits([index])
    z = encode(ckpt.model, x)
    return z[0].numpy(), decode(ckpt.model, z)[0, 0].numpy()


@cache.data()
def code_range(ckpt: Checkpoint, n: int = 500) -> float:
    """Largest |code entry| over the first ``n`` held-out digits (a fixed axis for the code chart)."""
    z = encode(ckpt.model, heldout_digits(range(min(n, len(split().heldout)))))
    return float(z.abs().max())


@cache.data(max_entries=32)
def damage_and_restore(ckpt: Checkpoint, indices: tuple[int, ...], kind: str, level: float, seed: int):
    """Clean, damaged and restored held-out digits (each (N, 1, 28, 28)) and the PSNR (dB) of damaged / restored."""
    clean = heldout_digits(indices)
    if kind == "noise":
        damaged = add_noise(clean, level, generator=torch.Generator().manual_seed(seed))
    else:
        damaged = apply_mask(clean, int(level))
    restored = restore(ckpt.model, damaged)
    return clean, damaged, restored, psnr(damaged, clean), psnr(restored, clean)


NOISE_STEPS = (0, 100, 250, 500, 750, 1000)
"""The steps ``t`` (cosine schedule, ``T = 1000``) at which the student's own digit is shown noised."""


@dataclass(frozen=True)
class OwnDigit:
    """A student's digit through the lecture's machines: the auto-encoder (code and reconstruction), the restoration
    (damaged as the page's restoration section says, then restored), forward noising (closed form at
    :data:`NOISE_STEPS`), the two judges' readings and the real-vs-generated detector. Images ``(1, 28, 28)`` in
    ``[-1, 1]``; ``noised``: ``(len(NOISE_STEPS), 1, 28, 28)``."""

    image: torch.Tensor
    code: np.ndarray
    reconstruction: torch.Tensor
    damaged: torch.Tensor
    restored: torch.Tensor
    psnr_damaged: float
    psnr_restored: float
    noised: torch.Tensor
    readings: tuple[tuple[int, float], ...]  # each judge's digit and its probability
    generated: float | None  # the detector's probability "generated" (None without the detector)


@cache.data(max_entries=64)
def own_digit(code: str, ae: Checkpoint, judges: tuple[Checkpoint, ...], detector: Checkpoint | None, kind: str,
              level: float, seed: int) -> OwnDigit:
    """The student's digit (its code, :mod:`core.data.handwritten`) through every model of :class:`OwnDigit`."""
    x = decode_digit(code)[None, None] * 2 - 1  # (1, 1, 28, 28) in [-1, 1]
    with torch.no_grad():
        z = encode(ae.model, x)
        recon = decode(ae.model, z)
        if kind == "noise":
            damaged = add_noise(x, level, generator=torch.Generator().manual_seed(seed))
        else:
            damaged = apply_mask(x, int(level))
        restored = restore(ae.model, damaged)
        schedule = make_schedule("cosine", 1000)
        eps = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))
        noised = torch.cat([q_sample(x, t, schedule, eps) for t in NOISE_STEPS]).clamp(-1, 1)
        readings = []
        for judge in judges:
            p = judge.model(x).softmax(-1)[0]
            readings.append((int(p.argmax()), float(p.max())))
        generated = None if detector is None else float(detector.model(x).softmax(-1)[0, GENERATED])
    return OwnDigit(x[0], z[0].numpy(), recon[0], damaged[0], restored[0], psnr(damaged, x), psnr(restored, x), noised,
                    tuple(readings), generated)


def decibels(x: float, *, sign: bool = False) -> str | None:
    """A PSNR (or a change of one) as the page writes it: ``21.1 dB`` (``21,1 dB`` in French), ``∞ dB`` for an image
    identical to the clean one (no damage); a change that is not a number (from ∞): ``None``, no delta shown."""
    if math.isnan(x) or (sign and math.isinf(x)):
        return None
    if math.isinf(x):
        return "∞ dB"
    return f"{'+' if sign and x >= 0 else ''}{decimal(x)} dB"


def default_rows() -> tuple[int, ...]:
    """The held-out digits the restoration rows show by default (the one chosen above, then one per class)."""
    return (DEFAULT_VIEW["digit"], *one_per_class()[:7])


@cache.data(max_entries=4)
def facts(ckpt: Checkpoint) -> dict[str, float]:
    """The numbers the restoration lesson quotes (:func:`ui.components.lessons.fill`): the PSNR (dB) of the default
    rows' clean digits through the auto-encoder, its own blur."""
    clean = heldout_digits(default_rows())
    return {"clean_psnr": psnr(restore(ckpt.model, clean), clean)}


@cache.resource()
def _code_gaussian(ckpt: Checkpoint, n: int = 2000) -> CodeGaussian:
    """A Gaussian fitted to the codes of ``n`` digits the auto-encoder was trained on."""
    x = datasets.to_model_range(split().train.images[:n])
    return fit_code_gaussian(encode(ckpt.model, x))


@cache.data(max_entries=32)
def ae_samples(ckpt: Checkpoint, n: int, seed: int) -> torch.Tensor:
    """The decoder as a generator: ``D(z)`` for ``n`` codes drawn from the fitted Gaussian."""
    g = _code_gaussian(ckpt)
    return decode(ckpt.model, sample_codes(g, n, generator=torch.Generator().manual_seed(seed)))


@cache.data(max_entries=32)
def vae_samples(ckpt: Checkpoint, n: int, seed: int) -> torch.Tensor:
    """The VAE as a generator: ``D(z)`` for ``z ~ N(0, I)``."""
    z = torch.randn((n, *ckpt.model.latent_shape), generator=torch.Generator().manual_seed(seed))
    return decode(ckpt.model, z)


@cache.data(max_entries=8)
def vae_map(ckpt: Checkpoint, n: int, extent: float) -> Image.Image:
    """The decoded ``n x n`` grid over ``[-extent, extent]^2`` as one picture (z_2 up, z_1 right)."""
    _, images = latent_grid(ckpt.model, n, extent)
    return picture(images, scale=2, ncols=n)


@cache.data()
def vae_codes(ckpt: Checkpoint, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Posterior means (n, 2) of the first ``n`` held-out digits, and their labels."""
    held = split().heldout
    n = min(n, len(held))
    mu = encode_means(ckpt.model, datasets.to_model_range(held.images[:n]))
    return mu.numpy(), held.labels[:n].numpy()


@st.cache_data(show_spinner=False)
def mean_digit_loss() -> float:
    """The loss of always answering the average training digit: mean pixel variance (a plateau to beat)."""
    x = datasets.to_model_range(split().train.images)
    return float(((x - x.mean(0)) ** 2).mean())


@cache.data(max_entries=4)
def photo_reconstructions(ckpt: Checkpoint, scale: int = 3) -> tuple[Image.Image, Image.Image, float]:
    """The first held-out CIFAR-10 photo of each class, their reconstructions ``D(E(x))``, and the PSNR (dB)."""
    _, held = datasets.split(cifar10())
    pick = [int((held.labels == c).nonzero()[0, 0]) for c in range(len(held.classes))]
    x = datasets.to_model_range(held.images[pick])
    recon = restore(ckpt.model, x).clamp(-1, 1)
    n = len(pick)
    return picture(x, n, scale=scale, pad=2), picture(recon, n, scale=scale, pad=2), psnr(recon, x)


@dataclass
class LiveAutoencoder:
    """A live run's settings and its latest reconstructions of the preview digits (written by the run, read by the page)."""

    cfg: tae.LiveConfig
    step: int = 0
    recon: torch.Tensor | None = None

    def preview(self, step: int, recon: torch.Tensor) -> None:
        self.step, self.recon = step, recon


def live_run(cfg: tae.LiveConfig) -> jobs.Run:
    """The page's live run: a fresh auto-encoder on the training digits, rebuilding one held-out digit per class as it
    goes."""
    live, images, preview = LiveAutoencoder(cfg), split().train.images, heldout_digits(one_per_class())
    fn = lambda progress: tae.train_live(images, cfg, preview=preview, on_step=progress.report, on_preview=live.preview)
    return jobs.Run(fn, cfg.steps, config=live)


def warm() -> None:
    """Compute what the page shows before any click (``ui.resources.warm`` calls this once, at server start; its
    figures in English, the default language: the warm-up thread has no session)."""

    v = DEFAULT_VIEW
    split(), one_per_class(), mean_digit_loss()
    if (ae := preloaded("mnist-autoencoder")) is not None:
        architecture(describe_layers(ae.model))
        reconstruct(ae, v["digit"])
        code_range(ae)
        damage_and_restore(ae, default_rows(), "noise", v["sigma"], v["noise_seed"])
        facts(ae)
        ae_samples(ae, v["samples"], v["gen_seed"])
    if (photos := preloaded("cifar10-autoencoder")) is not None:
        photo_reconstructions(photos)
    if (vae := preloaded("mnist-vae-2d")) is not None and vae.model.latent_shape == (2,):
        vae_samples(vae, v["samples"], v["gen_seed"])
        vae_map(vae, v["grid"], v["extent"])
        mu, labels = vae_codes(vae)
        latent_scatter(mu, labels, v["extent"])


# --------------------------------------------------------------------------- figures


def operation(layer: LayerInfo) -> str:
    """A layer's steps (:class:`core.nets.autoencoder.Op`) in the session's language: ``upsample to 14×14, conv 3×3,
    SiLU`` (each kind a key ``autoencoder.op.*``; a kind without one, another module, by its class name)."""
    pieces = []
    for op in layer.ops:
        key = f"autoencoder.op.{op.kind}"
        size = f"{op.size}×{op.size}" if op.kind in ("conv", "upsample") else op.size  # 3×3, as the shapes are written
        pieces.append(tr(key, size=size) if key in MESSAGES[DEFAULT] else op.kind)
    return ", ".join(pieces)


def _wrap(op: str) -> str:
    """One line per piece of an operation; a long piece breaks after its first word ("upsample<br>to 14x14")."""
    return "<br>".join(p.replace(" ", "<br>", 1) if len(p) > 12 else p for p in op.split(", "))


@cache.figure(max_entries=8)
def architecture(layers: list[LayerInfo]) -> go.Figure:
    """The auto-encoder as a row of blocks: height follows the spatial size, width the channels.

    Feature maps ``C x H x W`` are boxes of height proportional to ``H``; flat vectors are thin
    bars (the code in orange). The operation is written above each block, the output shape below.
    """
    shapes: list[dict] = []
    notes: list[dict] = []
    full = 2.0  # height of a 28x28 map
    n = len(layers)
    xs = np.arange(n, dtype=float)
    hover_x, hover_y, hover_text = [], [], []
    for x, layer in zip(xs, layers):
        color = COLORS[layer.part]
        if len(layer.shape) == 3:
            c, h, _ = layer.shape
            height = full * h / 28
            width = 0.16 + 0.08 * np.log2(c) if layer.part not in ("input", "output") else 0.5
        else:
            (d,) = layer.shape
            height = float(np.clip(0.32 * np.log2(d) - 0.2, 0.35, full))
            width = 0.14 if layer.part != "code" else 0.22
        shapes.append(dict(type="rect", x0=x - width / 2, x1=x + width / 2, y0=-height / 2, y1=height / 2,
                           line=dict(color=theme.INK, width=1.5), fillcolor=color, opacity=0.9 if layer.part != "code" else 1.0))
        notes.append(dict(x=x, y=full / 2 + 0.12, text=_wrap(operation(layer)), showarrow=False, yanchor="bottom",
                          font=theme.font("small", color=theme.INK)))
        notes.append(dict(x=x, y=-full / 2 - 0.12, text=f"<b>{layer.shape_text}</b>", showarrow=False, yanchor="top",
                          font=theme.font("label", color=color if layer.part not in ("input", "output") else theme.INK)))
        hover_x.append(x)
        hover_y.append(0)
        hover_text.append(tr("autoencoder.arch.hover", name=layer.name, op=operation(layer), shape=layer.shape_text))
    # brackets: encoder and decoder
    code_i = next(i for i, layer in enumerate(layers) if layer.part == "code")
    for lo, hi, label, color in ((1, code_i - 1, tr("autoencoder.arch.encoder"), COLORS["encoder"]),
                                 (code_i + 1, n - 1, tr("autoencoder.arch.decoder"), COLORS["decoder"])):
        y = -full / 2 - 0.55
        shapes.append(dict(type="line", x0=xs[lo] - 0.3, x1=xs[hi] + 0.3, y0=y, y1=y, line=dict(color=color, width=3)))
        notes.append(dict(x=(xs[lo] + xs[hi]) / 2, y=y - 0.05, text=f"<b>{label}</b>", showarrow=False, yanchor="top",
                          font=theme.font("body", color=color)))
    notes.append(dict(x=xs[code_i], y=-full / 2 - 0.55, text=f"<b>{tr('autoencoder.arch.code')}</b>", showarrow=False,
                      yanchor="top", font=theme.font("body", color=COLORS["code"])))
    fig = go.Figure(
        go.Scatter(x=hover_x, y=hover_y, mode="markers", marker=dict(size=30, opacity=0), hoverinfo="text",
                   hovertext=hover_text, showlegend=False),
        layout=dict(shapes=shapes, annotations=notes),
    )
    fig.update_xaxes(visible=False, range=[-0.6, n - 0.4], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-full / 2 - 1.0, full / 2 + 1.05], fixedrange=True)  # room for four lines above
    fig.update_layout(height=390, margin=dict(l=5, r=5, t=5, b=5), plot_bgcolor="white", paper_bgcolor="white",
                      font=FONT, hoverlabel=dict(font_size=theme.size("label")))
    return fig


def code_bars(z: np.ndarray, limit: float) -> go.Figure:
    """The code vector z as a bar chart (entries z_1..z_D), on a fixed symmetric axis."""
    d = len(z)
    fig = go.Figure(go.Bar(x=np.arange(1, d + 1), y=z, marker_color=COLORS["code"],
                           hovertemplate="z%{x} = %{y:.2f}<extra></extra>"))
    fig.update_layout(title=dict(text=tr("autoencoder.code.title", d=d), font=theme.font("emphasis")), height=300, font=FONT,
                      margin=dict(l=50, r=10, t=45, b=40), plot_bgcolor="white")
    fig.update_yaxes(range=[-limit * 1.05, limit * 1.05], zeroline=True, zerolinecolor=theme.ZERO_LINE, gridcolor=theme.GRID,
                     title=tr("autoencoder.code.value"))
    # entries numbered on a numeric axis: Plotly spaces the labels (z5, z10, z15) to the chart's width, never on top of each other
    fig.update_xaxes(tickangle=0, tickprefix="z", range=[0.5, d + 0.5], dtick=1 if d <= 8 else None, tickfont=theme.font("tiny" if d > 16 else "label"))
    return fig


def loss_curve(losses: list[float], baseline: float, total: int, title: str | None = None) -> go.Figure:
    """The reconstruction loss at every step and its trailing mean (:func:`ui.figures.loss.loss_figure`), under the
    level of always answering the average digit."""
    return loss_figure([Curve(losses, COLORS["encoder"])], total, title=title or tr("autoencoder.loss.title"),
                       y_title=tr("autoencoder.loss.mse"), height=330, baseline=(baseline, tr("autoencoder.loss.baseline")))


@cache.figure(max_entries=16)
def latent_scatter(mu: np.ndarray, labels: np.ndarray, extent: float) -> go.Figure:
    """Encoded held-out digits (posterior means) in the 2-D latent plane, one colour per class."""
    fig = go.Figure()
    for d in range(10):
        sel = labels == d
        fig.add_trace(go.Scattergl(x=mu[sel, 0], y=mu[sel, 1], mode="markers", name=str(d),
                                   marker=dict(size=5, color=DIGIT_COLORS[d], opacity=0.75),
                                   hovertemplate=tr("autoencoder.latent.hover", d=d) + "<br>z1=%{x:.2f}, z2=%{y:.2f}<extra></extra>"))
    fig.update_layout(title=dict(text=tr("autoencoder.latent.title", n=len(mu)), font=theme.font("emphasis")),
                      height=470, font=FONT, plot_bgcolor="white", margin=dict(l=55, r=10, t=45, b=50),
                      legend=dict(title=tr("autoencoder.latent.digit"), itemsizing="constant", orientation="h", y=-0.18, x=0))
    fig.update_xaxes(title="z1", range=[-extent, extent], gridcolor=theme.GRID, zerolinecolor=theme.FAINT_LINE)
    fig.update_yaxes(title="z2", range=[-extent, extent], gridcolor=theme.GRID, zerolinecolor=theme.FAINT_LINE,
                     scaleanchor="x", scaleratio=1)
    return fig
