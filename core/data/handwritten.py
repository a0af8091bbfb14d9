"""A digit drawn by a student, made to look like an MNIST digit, and written as a short code.

MNIST's digits were size-normalised and centred (LeCun et al., 1998, "The MNIST database"): each writer's digit was
scaled, keeping its aspect ratio, to fit a 20 x 20 box (anti-aliased, hence grey levels), then placed in a 28 x 28
image so that its centre of mass sits at the centre. A network trained on MNIST expects exactly that, so a drawing goes
through the same steps (:func:`mnist_style`) before any model sees it.

The code (:func:`encode_digit`) is the 28 x 28 picture at 16 grey levels, one hexadecimal character per pixel, row by
row: 784 characters, what a shared link carries (``?digit=...``).
"""

from __future__ import annotations

import re

import torch
import torch.nn.functional as F

__all__ = ["BOX", "LEVELS", "SIZE", "decode_digit", "encode_digit", "mnist_style"]

SIZE = 28
"""The side of an MNIST image."""
BOX = 20
"""The side of the box a digit is scaled to fit (MNIST's)."""
LEVELS = 16
"""Grey levels of the code (one hexadecimal character per pixel)."""
INK = 0.1
"""A pixel with at least this much ink belongs to the digit's bounding box."""
_CODE = re.compile(f"[0-9a-f]{{{SIZE * SIZE}}}")


def mnist_style(ink: torch.Tensor) -> torch.Tensor:
    """A drawing ``(H, W)`` of ink in ``[0, 1]`` (1 is ink, any size) as MNIST would have it: ``(28, 28)`` in
    ``[0, 1]``. 1. crop to the ink's bounding box; 2. scale it, keeping its aspect ratio, so that its longer side is
    20 pixels (area averaging: grey edges); 3. paste it in 28 x 28 with its centre of mass at the centre (14, 14),
    shifted by whole pixels and kept inside the image. Raises ``ValueError`` if there is no ink."""
    if ink.ndim != 2:
        raise ValueError(f"a drawing is (H, W), got shape {tuple(ink.shape)}")
    ink = ink.float().clamp(0, 1)
    rows, cols = torch.nonzero(ink >= INK, as_tuple=True)
    if len(rows) == 0:
        raise ValueError("the drawing has no ink")
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]  # 1. (h, w)
    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    if scale < 1:  # 2. shrink by area averaging (anti-aliasing), enlarge bilinearly
        small = F.interpolate(crop[None, None], size=size, mode="area")[0, 0]
    else:
        small = F.interpolate(crop[None, None], size=size, mode="bilinear", align_corners=False)[0, 0]
    small = small.clamp(0, 1)
    mass = small.sum()
    ys, xs = torch.arange(size[0], dtype=torch.float32), torch.arange(size[1], dtype=torch.float32)
    cy, cx = float((small.sum(1) * ys).sum() / mass), float((small.sum(0) * xs).sum() / mass)  # centre of mass
    top = min(max(round(SIZE / 2 - 0.5 - cy), 0), SIZE - size[0])  # 3. pixel centres: (14, 14) lies between 13 and 14
    left = min(max(round(SIZE / 2 - 0.5 - cx), 0), SIZE - size[1])
    out = torch.zeros(SIZE, SIZE)
    out[top : top + size[0], left : left + size[1]] = small
    return out


def encode_digit(image: torch.Tensor) -> str:
    """The code of a ``(28, 28)`` picture in ``[0, 1]``: each pixel rounded to 16 levels, as ``0``-``f``."""
    if tuple(image.shape) != (SIZE, SIZE):
        raise ValueError(f"a digit is ({SIZE}, {SIZE}), got shape {tuple(image.shape)}")
    levels = torch.round(image.float().clamp(0, 1) * (LEVELS - 1)).long().reshape(-1)
    return "".join(format(v, "x") for v in levels.tolist())


def decode_digit(code: str) -> torch.Tensor:
    """The ``(28, 28)`` picture in ``[0, 1]`` of a code. Raises ``ValueError`` on anything that is not one (784
    characters of 0-9 a-f, not all ``0``: a digit has ink)."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"not a digit's code: {SIZE * SIZE} characters of 0-9 a-f")
    if not code.strip("0"):
        raise ValueError("a digit's code has ink: this one is all 0")
    return torch.tensor([int(c, 16) for c in code], dtype=torch.float32).reshape(SIZE, SIZE) / (LEVELS - 1)
