"""Image cells as one picture: a mosaic of small images with white gaps, and a PNG data URI for Plotly."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

PAD = 3  # pixels between cells


def png_uri(array: np.ndarray) -> str:
    """A uint8 ``(H, W)`` grey or ``(H, W, 3)`` colour array as a PNG data URI."""
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def mosaic(cells: np.ndarray) -> np.ndarray:
    """``(rows, cols, C, H, W)`` uint8 cells into one image with white gaps of ``PAD`` pixels.

    The result is ``(rows*(H+PAD)-PAD, cols*(W+PAD)-PAD)`` for grey cells (``C = 1``), with a last
    axis of 3 for colour ones.
    """
    rows, cols, ch, h, w = cells.shape
    out = np.full((rows * (h + PAD) - PAD, cols * (w + PAD) - PAD, ch), 255, dtype=np.uint8)
    for r in range(rows):
        for c in range(cols):
            out[r * (h + PAD) : r * (h + PAD) + h, c * (w + PAD) : c * (w + PAD) + w] = cells[r, c].transpose(1, 2, 0)
    return out[..., 0] if ch == 1 else out
