"""Helpers shared by the networks: parameter counts, the time embedding, checks, normalisation."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn


@torch.no_grad()
def in_batches(fn, x: Tensor, batch_size: int = 500) -> Tensor:
    """``fn`` over ``x`` in batches of ``batch_size`` along the first axis, concatenated: the one way the project runs a
    network over many images (bounded memory, no gradient)."""
    return torch.cat([fn(chunk) for chunk in x.split(batch_size)])


def count_params(model: nn.Module) -> int:
    """Number of parameters of ``model``, frozen ones included (an EMA copy counts too)."""
    return sum(p.numel() for p in model.parameters())


def timestep_embedding(
    t: Tensor, dim: int, *, scale: float = 1000.0, max_period: float = 10000.0
) -> Tensor:
    """Sinusoidal embedding of a continuous time (Vaswani et al. 2017; DDPM).

    ``emb[:, i] = cos(scale * t * w_i)`` and ``emb[:, dim/2 + i] = sin(scale * t * w_i)``
    with frequencies ``w_i = max_period ** (-i / (dim/2))``, so that ``t in [0, 1]``
    scaled by 1000 looks like DDPM's integer steps.

    Args:
        t: (B,) float times in [0, 1].
        dim: embedding size (even).
        scale: multiplies ``t`` before the sinusoids.
        max_period: slowest period, in units of ``scale * t``.

    Returns:
        (B, dim) float32 embedding.
    """
    if dim % 2:
        raise ValueError(f"embedding dim must be even, got {dim}")
    half = dim // 2
    freqs = torch.exp(
        -math.log(max_period) * torch.arange(half, device=t.device, dtype=torch.float32) / half
    )  # (half,)
    args = scale * t.float()[:, None] * freqs[None, :]  # (B, half)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)  # (B, dim)


def _check_time(x: Tensor, t: Tensor) -> None:
    """Raise a readable error when ``t`` is not a float tensor of shape ``(B,)``."""
    if not torch.is_tensor(t) or not t.is_floating_point():
        raise TypeError(
            "t must be a float tensor of shape (B,) in [0, 1]; diffusion steps "
            "0..T must be divided by T first"
        )
    if t.shape != (x.shape[0],):
        raise ValueError(f"t must have shape ({x.shape[0]},) to match x, got {tuple(t.shape)}")


def _num_groups(channels: int, max_groups: int = 8) -> int:
    """Largest number of GroupNorm groups ``<= max_groups`` that divides ``channels``."""
    for g in range(min(max_groups, channels), 0, -1):
        if channels % g == 0:
            return g
    return 1


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(_num_groups(channels), channels)


def _as_int_tuple(name: str, value: Any) -> tuple[int, ...]:
    """Config lists come back from JSON as lists; store them as tuples of ints."""
    out = tuple(int(v) for v in value)
    if not out or any(v <= 0 for v in out):
        raise ValueError(f"{name} must be a non-empty sequence of positive ints, got {value!r}")
    return out


def _check_image(x: Tensor, channels: int, size: int, what: str) -> None:
    """Raise a readable error when ``x`` is not ``(B, channels, size, size)``."""
    if x.ndim != 4 or tuple(x.shape[1:]) != (channels, size, size):
        raise ValueError(
            f"this {what} takes images of shape (B, {channels}, {size}, {size}), got "
            f"{tuple(x.shape)}; set in_channels and image_size in its config"
        )


def _downsampled_sizes(size: int, levels: int) -> list[int]:
    """Spatial sizes after 0..levels stride-2 3x3 convs (padding 1): ``s -> ceil(s / 2)``."""
    sizes = [size]
    for _ in range(levels):
        sizes.append((sizes[-1] + 1) // 2)
    return sizes
