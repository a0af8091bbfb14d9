"""What a generator over- and under-produces: simple attributes of images, and the spread of a class.

A generator can be fluent yet biased: it may favour some classes (the class histogram of its
unconditional samples against the data's), and within a class some styles. Two attributes are read
directly from the pixels of an image ``I`` (``(C, H, W)`` in ``[-1, 1]``, ink ``w = (I + 1) / 2`` in
``[0, 1]``, averaged over channels):

* **ink**: the mean of ``w``, how much of the square the strokes cover (thick or bold digits: more);
* **slant**: the shear of the strokes, from the second moments of ``w`` about its centre of mass
  ``(x_c, y_c)``: ``slant = -sum w (x - x_c)(y - y_c) / sum w (y - y_c)^2`` with ``y`` downwards, so a
  stroke leaning right (its top to the right of its bottom) has positive slant; ``slant = tan(angle)``
  from the vertical;
* for colour images, **brightness** (the mean of ``w`` over pixels and channels) and **saturation**
  (the mean over pixels of the largest minus the smallest channel).

Classifier-free guidance trades diversity for typicality: its effect is measured by the **spread**
of a class, the root-mean-square distance of the judge's features to their class mean.
"""

from __future__ import annotations

import numpy as np
import torch

from core.data import to_uint8
from core.io.checkpoints import Checkpoint
from core.sampling.generate import generate

__all__ = ["ATTRIBUTES", "GUIDANCE", "attribute", "class_spread", "guidance_grid", "ink", "slant"]

GUIDANCE = (0.0, 1.0, 2.0, 3.0, 5.0)
"""The classifier-free guidance weights the page compares (0: the label ignored; 1: plain conditional)."""


def _ink(images: torch.Tensor) -> torch.Tensor:
    if images.ndim != 4:
        raise ValueError(f"images must be (B, C, H, W), got shape {tuple(images.shape)}")
    return ((images.double() + 1) / 2).clamp(0, 1).mean(1)  # (B, H, W)


def ink(images: torch.Tensor) -> torch.Tensor:
    """The mean ink ``w = (I + 1) / 2`` of each image: ``(B,)``."""
    return _ink(images).mean(dim=(-2, -1))


def slant(images: torch.Tensor) -> torch.Tensor:
    """The shear of each image's strokes, ``tan`` of their angle from the vertical (positive: leaning right): ``(B,)``."""
    w = _ink(images)
    h, wd = w.shape[-2:]
    y = torch.arange(h, dtype=torch.float64)[:, None].expand(h, wd)
    x = torch.arange(wd, dtype=torch.float64)[None, :].expand(h, wd)
    mass = w.sum(dim=(-2, -1)).clamp_min(1e-9)
    xc = (w * x).sum(dim=(-2, -1)) / mass
    yc = (w * y).sum(dim=(-2, -1)) / mass
    dx, dy = x - xc[:, None, None], y - yc[:, None, None]
    return -(w * dx * dy).sum(dim=(-2, -1)) / (w * dy * dy).sum(dim=(-2, -1)).clamp_min(1e-9)


def brightness(images: torch.Tensor) -> torch.Tensor:
    """Mean of ``(I + 1) / 2`` over pixels and channels: ``(B,)``."""
    return ink(images)


def saturation(images: torch.Tensor) -> torch.Tensor:
    """Mean over pixels of (largest - smallest channel) of ``(I + 1) / 2``: ``(B,)`` (0 for grey images)."""
    w = ((images.double() + 1) / 2).clamp(0, 1)
    return (w.amax(1) - w.amin(1)).mean(dim=(-2, -1))


ATTRIBUTES = {
    "mnist": {"ink": ink, "slant": slant},
    "cifar10": {"brightness": brightness, "saturation": saturation},
}
"""The attributes shown for each data set."""


def attribute(data: str, name: str, images: torch.Tensor) -> torch.Tensor:
    """Attribute ``name`` of ``images`` of data set ``data`` (see :data:`ATTRIBUTES`)."""
    try:
        return ATTRIBUTES[data][name](images)
    except KeyError:
        raise ValueError(f"unknown attribute {name!r} for {data!r}; known: {', '.join(ATTRIBUTES.get(data, {}))}") from None


def class_spread(features: torch.Tensor, labels: torch.Tensor) -> float:
    """Root-mean-square distance of ``features`` ``(N, F)`` to the mean of their class, averaged over classes."""
    features = torch.as_tensor(features, dtype=torch.float64)
    spreads = [
        (features[labels == c] - features[labels == c].mean(0)).pow(2).sum(1).mean().sqrt()
        for c in labels.unique() if int((labels == c).sum()) > 1
    ]
    if not spreads:
        raise ValueError("class_spread needs at least one class with two samples")
    return float(torch.stack(spreads).mean())


def guidance_grid(ckpt: Checkpoint, *, label: int, seed: int, weights: tuple[float, ...], n: int = 8,
                  steps: int = 10) -> np.ndarray:
    """``n`` samples of ``label`` at each guidance weight, from the same noise: uint8 ``(len(weights), n, C, H, W)``."""
    return torch.stack([to_uint8(generate(ckpt, n, steps=steps, seed=seed, label=label, guidance=w).images)
                        for w in weights]).numpy()
