"""Latent diffusion (Rombach et al., 2022): the same process, run on a VAE's latents instead of pixels.

An image ``x`` (e.g. 1x28x28) is encoded to the mean of ``q(z | x)`` (e.g. a 4x7x7 latent), divided by
one global scale so that latents have unit variance (as Stable Diffusion does with its
0.18215). A generative model learns the distribution of ``z / scale``; its samples are
multiplied back by ``scale`` and decoded to images.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from core.data import SPLIT_SEED, TRAIN_FRACTION, load_images, split, to_model_range
from core.io.checkpoints import Checkpoint, CheckpointError, load


@lru_cache(maxsize=4)
def _encoded(vae_name: str, fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Latent means of the training part of the VAE's own data set, its labels, and their global std."""
    vae = load(vae_name)
    data = vae.meta.get("recipe", {}).get("data")
    if data is None:
        raise CheckpointError(f"{vae_name} records no training data, so its latents cannot be computed")
    train_part, _ = split(load_images(data), fraction, seed=seed)
    x = to_model_range(train_part.images)
    with torch.no_grad():
        mu = torch.cat([vae.model.encode(x[i : i + 500]).mu for i in range(0, len(x), 500)])
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
