"""The 2-pixel view: a whole dataset, seen through two coordinates, under forward noising.

Pick two pixels ``A`` and ``B`` of every image (or the two coordinates of 2-D
toy points): each data point ``I_0`` becomes a dot ``(I_0[A], I_0[B])`` in the
plane. Forward noising acts on every coordinate independently,

    I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps,      eps ~ N(0, I),

so the cloud of dots shrinks towards the origin by ``sqrt(abar_t)`` while each
dot is blurred by a Gaussian of standard deviation ``sqrt(1 - abar_t)``. At
``t = T`` (``abar_T`` close to 0) the cloud is the round ``N(0, I)``, whatever
the data looked like. Conventions as in :mod:`core`: ``t = 0`` is the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from core.diffusion.process import q_sample
from core.diffusion.schedules import Schedule


@dataclass(frozen=True)
class NoisedCloud:
    """The same points at several steps: ``points[k]`` is ``I_t`` at ``t = ts[k]``.

    ts: (F,) int64; alpha_bars: (F,) float64, ``abar_t`` at those steps;
    points: (F, N, 2), in the dtype of the clean points.
    """

    ts: torch.Tensor
    alpha_bars: torch.Tensor
    points: torch.Tensor


def pixel_pair(images: torch.Tensor, a: tuple[int, int], b: tuple[int, int], channel: int = 0) -> torch.Tensor:
    """The values of pixels ``a = (row, col)`` and ``b`` in one channel of every image.

    images: (N, C, H, W), floats in ``[-1, 1]``. Returns (N, 2): column 0 is pixel ``a``, column 1 pixel ``b``.
    """
    if images.ndim != 4:
        raise ValueError(f"expected (N, C, H, W) images, got shape {tuple(images.shape)}")
    _, c, h, w = images.shape
    if not 0 <= channel < c:
        raise ValueError(f"channel must be in 0..{c - 1}, got {channel}")
    for name, (row, col) in (("a", a), ("b", b)):
        if not (0 <= row < h and 0 <= col < w):
            raise ValueError(f"pixel {name} = ({row}, {col}) lies outside the {h}x{w} image")
    return torch.stack([images[:, channel, a[0], a[1]], images[:, channel, b[0], b[1]]], dim=1)


def frame_steps(T: int, frames: int) -> torch.Tensor:
    """``frames`` evenly spaced integer steps from ``0`` to ``T`` (both included, no repeats), int64."""
    if T < 1 or frames < 2:
        raise ValueError(f"need T >= 1 and frames >= 2, got T={T}, frames={frames}")
    return torch.unique(torch.linspace(0, T, min(frames, T + 1), dtype=torch.float64).round().long())


def noise_cloud(x0: torch.Tensor, schedule: Schedule, ts: torch.Tensor, eps: torch.Tensor) -> NoisedCloud:
    """Noise the points ``x0`` to every step in ``ts`` with the closed form and the *same* ``eps``.

    ``points[k] = sqrt(abar_{ts[k]}) x0 + sqrt(1 - abar_{ts[k]}) eps`` (:func:`core.diffusion.q_sample`);
    keeping ``eps`` fixed makes each dot move smoothly from its data position (``t = 0``) to its
    noise position ``eps`` (``abar = 0``), which is what an animation over ``t`` should show.

    x0, eps: (N, 2); ts: (F,) int steps in ``0..T``.
    """
    ts = torch.as_tensor(ts, dtype=torch.long)
    points = torch.stack([q_sample(x0, int(t), schedule, eps) for t in ts])  # (F, N, 2)
    return NoisedCloud(ts=ts, alpha_bars=schedule.alpha_bars[ts], points=points)


def sigma_circle(radius: float, n: int = 121) -> torch.Tensor:
    """Points on the circle ``|x| = radius``, shape (n, 2), closed (first point = last point).

    For ``N(0, I)`` in 2-D, the circles of radius 1, 2, 3 hold 39.3 %, 86.5 % and 98.9 %
    of the mass (``1 - exp(-r^2 / 2)``).
    """
    angle = torch.linspace(0, 2 * math.pi, n, dtype=torch.float64)
    return radius * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)


def mass_inside(radius: float) -> float:
    """Probability that a 2-D standard normal falls inside the circle of ``radius``: ``1 - exp(-r^2 / 2)``."""
    return 1.0 - math.exp(-(radius**2) / 2)


def pixel_marginal_density(x0: torch.Tensor, abar: float, grid: torch.Tensor) -> torch.Tensor:
    """Density of one pixel of ``I_t`` drawn at random from the image: a mixture of Gaussians.

    Pixel ``i`` of ``I_t`` is ``N(sqrt(abar_t) mu_i, 1 - abar_t)`` with ``mu_i`` its clean value,
    so the histogram of all pixels of ``I_t`` follows ``(1/P) sum_i N(x; sqrt(abar_t) mu_i, 1 - abar_t)``.

    x0: any shape, the ``P`` clean pixel values ``mu_i``; abar: ``abar_t`` in ``[0, 1)``;
    grid: (G,) where to evaluate. Returns (G,) float64.
    """
    if not 0.0 <= abar < 1.0:
        raise ValueError(f"abar must be in [0, 1) (at t = 0 there is no noise and no density), got {abar}")
    mu = math.sqrt(abar) * x0.reshape(-1).to(torch.float64)  # (P,)
    var = 1.0 - abar
    z = grid.to(torch.float64)[:, None] - mu[None, :]  # (G, P)
    return torch.exp(-(z**2) / (2 * var)).mean(dim=1) / math.sqrt(2 * math.pi * var)


def correlation(points: torch.Tensor) -> float:
    """Pearson correlation of the two columns of ``points`` (N, 2); ``0.0`` when one column is constant."""
    x = points.to(torch.float64) - points.to(torch.float64).mean(dim=0)
    sx, sy = x.pow(2).sum(dim=0).sqrt()
    if float(sx) == 0.0 or float(sy) == 0.0:
        return 0.0
    return float((x[:, 0] * x[:, 1]).sum() / (sx * sy))
