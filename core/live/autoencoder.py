"""Auto-encoders up close (lecture, part 1): the layers, a live training run, restoration, and decoders as generators.

An auto-encoder squeezes an image ``x`` into a short code ``z = E(x)`` and rebuilds it,
``x_hat = D(z)``; it is trained to make the reconstruction error ``||D(E(x)) - x||^2`` small.
This module holds the pure functions the "Auto-encoders" page drives:

* :func:`describe_layers`: every layer of a :class:`~core.nets.ConvAutoencoder` with its
  operation in words and its output shape (for the architecture diagram);
* :func:`train_live`: a small conv auto-encoder trained on mini-batches of images with the one
  training loop, reporting each step's loss and, now and then, its reconstructions of a few
  held-out images;
* :func:`add_noise`, :func:`apply_mask`, :func:`restore`: damage a digit, let an auto-encoder
  repair it;
* :func:`fit_code_gaussian`, :func:`sample_codes`, :func:`decode`: the decoder used as a
  generator, from random codes drawn from a Gaussian fitted to the codes of real digits;
* :func:`latent_grid`, :func:`encode_means`: a 2-D VAE's latent map.

Images are ``(B, C, H, W)`` floats in ``[-1, 1]`` (``core.data.to_model_range``), any size the
auto-encoder was built for (MNIST's 1x28x28 on the page).
Nothing here prints or knows about Streamlit; randomness always comes from a seed or a
``torch.Generator``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from core import data as datasets
from core.nets import VAE, ConvAutoencoder, build
from core.training import (
    Optimisation,
    StepInfo,
    new_state,
    reconstruction_objective,
    train,
)

__all__ = [
    "CODE_SIZES",
    "CodeGaussian",
    "LayerInfo",
    "LiveConfig",
    "LiveResult",
    "add_noise",
    "apply_mask",
    "decode",
    "describe_layers",
    "encode",
    "encode_means",
    "fit_code_gaussian",
    "latent_grid",
    "restore",
    "sample_codes",
    "train_live",
]

CODE_SIZES = (2, 4, 8, 16, 32)
"""Code sizes offered for the live run."""


# --------------------------------------------------------------------------- #
# The layers, in words
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class LayerInfo:
    """One layer of an auto-encoder as the architecture diagram shows it.

    Attributes:
        name: the module's name, ``"encoder.down1"``; ``"input"`` for the image.
        part: ``"input"``, ``"encoder"``, ``"code"``, ``"decoder"`` or ``"output"``.
        op: what the layer does, e.g. ``"conv 3x3, stride 2, ReLU"``.
        shape: its output shape without the batch dimension, e.g. ``(32, 14, 14)`` or ``(16,)``.
    """

    name: str
    part: str
    op: str
    shape: tuple[int, ...]

    @property
    def shape_text(self) -> str:
        """``"32×14×14"`` or ``"16"``."""
        return "×".join(str(s) for s in self.shape)


def _describe(module: nn.Module) -> str:
    """The operation of one block of :mod:`core.nets` in words (``"upsample to 14x14, conv 3x3, ReLU"``)."""
    parts: list[str] = []
    children = list(module.children()) if isinstance(module, nn.Sequential) else [module]
    for m in children:
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0]
            stride = m.stride[0]
            parts.append(f"conv {k}x{k}" + (f", stride {stride}" if stride != 1 else ""))
        elif isinstance(m, nn.Upsample):
            size = m.size if isinstance(m.size, int) else m.size[0]
            parts.append(f"upsample to {size}x{size}")
        elif isinstance(m, nn.Linear):
            parts.append("linear")
        elif isinstance(m, nn.Flatten):
            parts.append("flatten")
        elif isinstance(m, nn.Unflatten):
            parts.append("reshape")
        elif isinstance(m, nn.ReLU):
            parts.append("ReLU")
        elif isinstance(m, nn.Tanh):
            parts.append("tanh")
        else:
            parts.append(type(m).__name__)
    return ", ".join(parts)


def describe_layers(model: ConvAutoencoder) -> list[LayerInfo]:
    """Every layer of ``model`` with its operation and output shape, input first.

    Built on :meth:`ConvAutoencoder.layer_shapes`; the layer named ``encoder.code``
    (the flat code) has ``part == "code"`` and the last layer ``part == "output"``.
    """
    shapes = model.layer_shapes()
    modules = dict(model.named_modules())
    out: list[LayerInfo] = []
    for i, (name, shape) in enumerate(shapes):
        if name == "input":
            out.append(LayerInfo(name, "input", "image", shape))
            continue
        part = name.split(".", 1)[0]
        if name == "encoder.code":
            part = "code"
        elif i == len(shapes) - 1:
            part = "output"
        out.append(LayerInfo(name, part, _describe(modules[name]), shape))
    return out


# --------------------------------------------------------------------------- #
# Encoding and decoding in batches
# --------------------------------------------------------------------------- #


@torch.no_grad()
def encode(model: ConvAutoencoder, x: Tensor, batch_size: int = 500) -> Tensor:
    """Codes ``z = E(x)`` of images ``x`` (B, C, H, W) in [-1, 1] -> (B, code_dim), in batches."""
    model.eval()
    return torch.cat([model.encode(chunk) for chunk in x.split(batch_size)])


@torch.no_grad()
def decode(model: ConvAutoencoder | VAE, z: Tensor, batch_size: int = 500) -> Tensor:
    """Images ``D(z)`` of codes ``z`` (B, code_dim) -> (B, C, H, W) in [-1, 1], in batches."""
    model.eval()
    return torch.cat([model.decode(chunk) for chunk in z.split(batch_size)])


@torch.no_grad()
def restore(model: ConvAutoencoder, x: Tensor) -> Tensor:
    """The reconstruction ``D(E(x))`` (B, C, H, W) of (possibly damaged) images ``x``."""
    model.eval()
    return model(x)


# --------------------------------------------------------------------------- #
# Live training
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class LiveConfig:
    """A small auto-encoder that trains in seconds on one CPU thread.

    Attributes:
        code_dim: size of the code vector z.
        channels: channels after each stride-2 conv (28 -> 14 -> 7); smaller than the
            shipped model's (16, 32) so that one step takes under 0.1 s.
        steps: optimiser steps.
        batch_size: digits per mini-batch.
        lr: the learning rate (AdamW without weight decay, constant).
        grad_clip: the gradient is rescaled to at most this norm before each step; without
            it, the first large steps can leave the net stuck near a constant output
            (we saw it most often with a 2-D code).
        seed: initial weights and the order of the mini-batches.
        preview_every: reconstructions of the preview digits are reported every so many steps.
    """

    code_dim: int = 8
    channels: tuple[int, ...] = (8, 16)
    steps: int = 300
    batch_size: int = 32
    lr: float = 1e-3
    grad_clip: float = 0.1
    seed: int = 0
    preview_every: int = 20

    def __post_init__(self) -> None:
        if self.code_dim <= 0 or self.steps <= 0 or self.batch_size <= 0 or self.preview_every <= 0:
            raise ValueError("code_dim, steps, batch_size and preview_every must be positive")
        if not (self.lr > 0 and self.grad_clip > 0):
            raise ValueError(f"lr and grad_clip must be positive, got {self.lr}, {self.grad_clip}")

    def optimisation(self) -> Optimisation:
        return Optimisation(steps=self.steps, lr=self.lr, final_lr=1.0, grad_clip=self.grad_clip)


@dataclass
class LiveResult:
    """What :func:`train_live` returns.

    Attributes:
        model: the trained auto-encoder (in eval mode).
        losses: the mini-batch loss of every step that ran.
        preview: the last reconstructions of the preview images, (P, C, H, W).
        steps_done: how many steps ran (fewer than ``cfg.steps`` when stopped).
    """

    model: ConvAutoencoder
    losses: list[float]
    preview: Tensor
    steps_done: int


def train_live(
    images: Tensor,
    cfg: LiveConfig,
    *,
    preview: Tensor | None = None,
    on_step: Callable[[StepInfo], bool | None] | None = None,
    on_preview: Callable[[int, Tensor], None] | None = None,
) -> LiveResult:
    """Train a :class:`~core.nets.ConvAutoencoder` on mini-batches of ``images`` (lecture, part 1).

    The one training loop (:func:`core.training.train`) with
    :func:`core.training.reconstruction_objective`: each step draws a mini-batch ``x`` of
    ``cfg.batch_size`` images, computes ``L = mean((D(E(x)) - x)^2)`` (mean over the batch and the
    pixels), back-propagates it, clips the gradient's norm to ``cfg.grad_clip``, and takes one
    Adam step (Kingma & Ba 2015) with a constant learning rate ``cfg.lr``: stochastic gradient
    descent on mini-batches, with momentum and per-weight step sizes.

    Args:
        images: (N, C, H, W) uint8 training images (C, H, W fix the network's shape).
        cfg: sizes and optimiser settings.
        preview: (P, C, H, W) floats in [-1, 1] (held-out images) whose reconstructions
            are passed to ``on_preview(step, recon)`` after step 1, every
            ``cfg.preview_every`` steps, and at the end.
        on_step: ``on_step(StepInfo)`` after each step; returning ``True`` stops the run early.
        on_preview: receives ``(step, recon)``, recon (P, C, H, W) in [-1, 1].

    Returns:
        A :class:`LiveResult`. Every draw (weights and batches) comes from one generator seeded by
        ``cfg.seed``; the global random state is left alone.
    """
    if images.dtype != torch.uint8 or images.ndim != 4:
        raise ValueError(f"images must be (N, C, H, W) uint8, got {images.dtype} {tuple(images.shape)}")
    channels, size = images.shape[1], images.shape[-1]
    generator = torch.Generator().manual_seed(cfg.seed)
    model = build("autoencoder", {"in_channels": channels, "image_size": size, "channels": cfg.channels,
                                  "code_dim": cfg.code_dim}, generator=generator)
    opt = cfg.optimisation()
    state = new_state(model, opt)
    last = preview

    def hook(info: StepInfo) -> bool:
        nonlocal last
        stop = bool(on_step(info)) if on_step is not None else False
        if preview is not None and (info.step == 1 or info.step % cfg.preview_every == 0 or info.step == info.total or stop):
            last = restore(model, preview)
            if on_preview is not None:
                on_preview(info.step, last)
            model.train()
        return stop

    train(state, reconstruction_objective(), datasets.batches(images, cfg.batch_size, generator=generator), opt,
          generator=generator, on_step=hook)
    if last is None:
        last = torch.empty(0, channels, size, size)
    return LiveResult(model=model, losses=state.losses, preview=last, steps_done=len(state.losses))


# --------------------------------------------------------------------------- #
# Damage and repair
# --------------------------------------------------------------------------- #


def add_noise(x: Tensor, sigma: float, *, generator: torch.Generator | None = None) -> Tensor:
    """``clamp(x + sigma * eps, -1, 1)`` with ``eps ~ N(0, I)``; ``x`` is not modified.

    Args:
        x: (B, C, H, W) images in [-1, 1].
        sigma: noise standard deviation, >= 0 (in units of the [-1, 1] pixel range).
        generator: source of ``eps``.
    """
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    eps = torch.randn(x.shape, generator=generator, dtype=x.dtype)
    return (x + sigma * eps).clamp(-1.0, 1.0)


def apply_mask(x: Tensor, size: int, *, top: int | None = None, left: int | None = None, fill: float = 0.0) -> Tensor:
    """Hide a ``size x size`` square of every image behind the value ``fill`` (0 is mid-grey).

    The square is centred unless ``top``/``left`` (its upper-left pixel) are given, and is
    clipped to the image. ``x`` (B, C, H, W) is not modified; ``size == 0`` returns a copy.
    """
    if size < 0:
        raise ValueError(f"mask size must be >= 0, got {size}")
    h, w = x.shape[-2:]
    size = min(size, h, w)
    top = (h - size) // 2 if top is None else max(0, min(top, h - size))
    left = (w - size) // 2 if left is None else max(0, min(left, w - size))
    out = x.clone()
    out[..., top : top + size, left : left + size] = fill
    return out


# --------------------------------------------------------------------------- #
# The decoder as a generator
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class CodeGaussian:
    """A Gaussian ``N(mean, cov)`` fitted to codes; ``chol`` is the Cholesky factor of ``cov``."""

    mean: Tensor  # (D,)
    cov: Tensor  # (D, D)
    chol: Tensor  # (D, D), lower triangular, chol @ chol.T = cov


def fit_code_gaussian(codes: Tensor, *, jitter: float = 1e-5) -> CodeGaussian:
    """Fit ``N(mean, cov)`` to codes (N, D) by their sample mean and covariance.

    ``cov = (Z - mean)^T (Z - mean) / (N - 1)``; ``jitter * I`` is added before the
    Cholesky factorisation so that a degenerate direction does not break it.
    """
    if codes.ndim != 2 or codes.shape[0] < 2:
        raise ValueError(f"codes must be (N, D) with N >= 2, got {tuple(codes.shape)}")
    z = codes.double()
    mean = z.mean(0)
    centred = z - mean
    cov = centred.T @ centred / (len(z) - 1)
    chol = torch.linalg.cholesky(cov + jitter * torch.eye(z.shape[1], dtype=z.dtype))
    return CodeGaussian(mean.float(), cov.float(), chol.float())


def sample_codes(g: CodeGaussian, n: int, *, generator: torch.Generator | None = None) -> Tensor:
    """``n`` codes ``z = mean + chol @ u`` with ``u ~ N(0, I)``: (n, D)."""
    u = torch.randn((n, g.mean.shape[0]), generator=generator)
    return g.mean + u @ g.chol.T


# --------------------------------------------------------------------------- #
# A 2-D VAE's latent map
# --------------------------------------------------------------------------- #


def latent_grid(model: VAE | ConvAutoencoder, n: int = 15, extent: float = 3.0,
                centre: tuple[float, float] = (0.0, 0.0)) -> tuple[Tensor, Tensor]:
    """Decode an ``n x n`` grid of points of a 2-D code plane, ``centre + [-extent, extent]^2``.

    ``model``: a VAE with a 2-D latent, or an auto-encoder with a 2-D code. Returns
    ``(coords, images)``: coords (n, ) the offsets along each axis, and images (n * n, C, H, W);
    row ``r`` of the grid has ``z_2 = centre_2 + coords[n - 1 - r]`` (high ``z_2`` at the top, like a
    plot) and column ``c`` has ``z_1 = centre_1 + coords[c]``.
    """
    shape = model.latent_shape if isinstance(model, VAE) else (model.cfg.code_dim,)
    if tuple(shape) != (2,):
        raise ValueError(f"the latent map needs a 2-D code, this model's has shape {tuple(shape)}")
    coords = torch.linspace(-extent, extent, n)
    z2, z1 = torch.meshgrid(coords.flip(0), coords, indexing="ij")  # (n, n) each
    z = torch.stack([z1.reshape(-1) + centre[0], z2.reshape(-1) + centre[1]], dim=1)  # (n*n, 2), from the top-left
    return coords, decode(model, z)


@torch.no_grad()
def encode_means(vae: VAE, x: Tensor, batch_size: int = 500) -> Tensor:
    """Posterior means ``mu(x)`` of images ``x`` (B, C, H, W) -> (B, *latent_shape)."""
    vae.eval()
    return torch.cat([vae.encode(chunk).mu for chunk in x.split(batch_size)])


def psnr(x: Tensor, ref: Tensor) -> float:
    """Peak signal-to-noise ratio in dB of ``x`` against ``ref`` (both in [-1, 1], peak-to-peak 2)."""
    mse = float(((x - ref) ** 2).mean())
    return math.inf if mse == 0 else 10 * math.log10(4.0 / mse)


def far_share(codes: Tensor, n: int = 2000, *, factor: float = 3.0, seed: int = 0) -> float:
    """How often a code drawn from a Gaussian fitted to ``codes`` lands far from every real code.

    ``codes``: (N, D). Draws ``n`` codes from :func:`fit_code_gaussian` and returns the share whose
    nearest real code is more than ``factor`` times the median gap between neighbouring real codes:
    where a generator sampling that Gaussian would ask the decoder for an image it never learned.
    """
    z = codes.double()
    draws = sample_codes(fit_code_gaussian(codes.float()), n, generator=torch.Generator().manual_seed(seed)).double()
    gaps = torch.cdist(z, z).fill_diagonal_(math.inf).min(1).values
    return float((torch.cdist(draws, z).min(1).values > factor * gaps.median()).double().mean())
