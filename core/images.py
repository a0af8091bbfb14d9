"""Turning tensors into pictures: grids and crisp upscaling (no Streamlit, no plotting library)."""

from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from core.data import to_uint8


def grid(images: torch.Tensor, ncols: int | None = None, *, pad: int = 0, pad_value: int = 255) -> np.ndarray:
    """Tile ``(N, C, H, W)`` images (uint8, or floats in ``[-1, 1]``) into one ``(rows*H, ncols*W, C)`` uint8 array.

    With ``pad = 0`` the cells touch, so the grid can be cut back into the original images.
    """
    if images.ndim != 4:
        raise ValueError(f"grid needs (N, C, H, W) images, got shape {tuple(images.shape)}")
    x = images if images.dtype == torch.uint8 else to_uint8(images)
    n, c, h, w = x.shape
    ncols = max(1, min(ncols or int(np.ceil(np.sqrt(n))), n))
    nrows = int(np.ceil(n / ncols))
    out = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad, c), pad_value, dtype=np.uint8)
    arr = x.permute(0, 2, 3, 1).cpu().numpy()
    for i in range(n):
        r, k = divmod(i, ncols)
        out[r * (h + pad) : r * (h + pad) + h, k * (w + pad) : k * (w + pad) + w] = arr[i]
    return out


def to_pil(array: np.ndarray, scale: int = 1) -> Image.Image:
    """An ``(H, W, C)`` uint8 array as a PIL image, upscaled ``scale`` times with nearest-neighbour (crisp pixels)."""
    img = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST) if scale > 1 else img


def picture(images: torch.Tensor | np.ndarray, ncols: int | None = None, *, scale: int = 1, pad: int = 0) -> Image.Image:
    """``(N, C, H, W)`` images (uint8, or floats in ``[-1, 1]``) as one crisp picture: their :func:`grid`, upscaled
    ``scale`` times by :func:`to_pil`. The one way the app turns images into a picture."""
    return to_pil(grid(torch.as_tensor(images), ncols, pad=pad), scale=scale)


def signed_to_uint8(x: torch.Tensor, scale: float | None = None) -> torch.Tensor:
    """Map a signed tensor (noise, a difference) to uint8 with 0 at mid-grey; ``scale`` defaults to 3 std."""
    s = float(scale if scale is not None else 3 * x.float().std().clamp(min=1e-8))
    return to_uint8((x.float() / s).clamp(-1, 1))


# ---------------------------------------------------------------- damage, and how far an image is from another


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


def psnr(x: Tensor, ref: Tensor) -> float:
    """Peak signal-to-noise ratio in dB of ``x`` against ``ref`` (both in [-1, 1], peak-to-peak 2)."""
    mse = float(((x - ref) ** 2).mean())
    return math.inf if mse == 0 else 10 * math.log10(4.0 / mse)
