"""Turning tensors into pictures: grids and crisp upscaling (no Streamlit, no plotting library)."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

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
