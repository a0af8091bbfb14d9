"""Latent diffusion (Rombach et al., 2022): the same process, run on a VAE's latents instead of pixels.

An image ``x`` (e.g. 1x28x28) is encoded to the mean of ``q(z | x)`` (e.g. a 4x7x7 latent), divided by
one global scale so that latents have unit variance (as Stable Diffusion does with its
0.18215). A generative model learns the distribution of ``z / scale``; its samples are
multiplied back by ``scale`` and decoded to images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import Tensor

from core.data import SPLIT_SEED, TRAIN_FRACTION, load_images, split, to_model_range
from core.io.checkpoints import Checkpoint, CheckpointError, load
from core.nets import VAE, ConvAutoencoder
from core.nets.autoencoder import decode, encode_means


@lru_cache(maxsize=4)
def _encoded(vae_name: str, fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Latent means of the training part of the VAE's own data set, its labels, and their global std."""
    vae = load(vae_name)
    data = vae.meta.get("recipe", {}).get("data")
    if data is None:
        raise CheckpointError(f"{vae_name} records no training data, so its latents cannot be computed")
    train_part, _ = split(load_images(data), fraction, seed=seed)
    x = to_model_range(train_part.images)
    mu = encode_means(vae.model, x)
    return mu, train_part.labels, float(mu.std())


def encode_dataset(vae_name: str, fraction: float = TRAIN_FRACTION, seed: int = SPLIT_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled latents ``z / scale`` of the training part of the VAE's data, ``(N, *latent_shape)``, and labels."""
    mu, labels, scale = _encoded(vae_name, fraction, seed)
    return mu / scale, labels


def latent_scale(vae_name: str, fraction: float = TRAIN_FRACTION, seed: int = SPLIT_SEED) -> float:
    """The global standard deviation of the VAE's latent means on the training data."""
    return _encoded(vae_name, fraction, seed)[2]


@torch.no_grad()
def encode_latents(vae: Checkpoint, x: torch.Tensor, scale: float) -> torch.Tensor:
    """Scaled latents of images ``x`` (``(B, C, H, W)`` in ``[-1, 1]``): the posterior means divided by ``scale``."""
    return vae.model.encode(x).mu / scale


@torch.no_grad()
def interpolate(vae: Checkpoint, a: torch.Tensor, b: torch.Tensor, n: int, scale: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """From image ``a`` to image ``b`` (each ``(1, C, H, W)``) in ``n`` steps, twice.

    In pixel space, ``(1 - s) a + s b``: a cross-fade. In latent space, ``D((1 - s) E(a) + s E(b))``: each
    step decoded, an image of its own. Returns ``(pixel, latent)``, each ``(n, C, H, W)``, ``s = 0 .. 1``.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    s = torch.linspace(0, 1, n).reshape(-1, *([1] * (a.ndim - 1)))
    za, zb = encode_latents(vae, a, scale), encode_latents(vae, b, scale)
    return (1 - s) * a + s * b, decode_latents(vae, (1 - s) * za + s * zb, scale)


@torch.no_grad()
def decode_latents(vae: Checkpoint, z_scaled: torch.Tensor, scale: float) -> torch.Tensor:
    """Images in ``[-1, 1]`` from scaled latents: ``vae.decode(z * scale)``."""
    return vae.model.decode(z_scaled * scale).clamp(-1, 1)


# ---------------------------------------------------------------- an auto-encoder's codes: the decoder as a generator, the latent map


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
