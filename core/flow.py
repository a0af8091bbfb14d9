"""Flow matching: straight paths from noise to images, pairings, and how straight the flow is.

Convention (see ``core``): ``t in [0, 1]``, ``t = 0`` is the noise ``X ~ N(0, I)``,
``t = 1`` is the image ``Y``. The straight path and its velocity are

    I_t = (1 - t) X + t Y,        d I_t / dt = Y - X,

and a network ``v(I_t, t)`` is trained with ``||v(I_t, t) - (Y - X)||^2``
(Lipman et al. 2023; Liu et al. 2023). Pairing decides which ``X`` goes with
which ``Y``: at random, or by optimal transport within the mini-batch
(Tong et al. 2024; Pooladian et al. 2023), which makes paths cross less and
the learned flow straighter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

PAIRINGS = ("random", "ot")
VelocityField = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class PathSample:
    """A point on the straight path and the velocity to regress. ``x_t``, ``target``: ``(B, ...)``; ``t``: ``(B,)``."""

    x_t: torch.Tensor
    target: torch.Tensor
    t: torch.Tensor


def straight_path(x: torch.Tensor, y: torch.Tensor, t: torch.Tensor) -> PathSample:
    """``I_t = (1 - t) X + t Y`` and target velocity ``Y - X``. x (noise), y (data): ``(B, ...)``; t: ``(B,)``."""
    if x.shape != y.shape:
        raise ValueError(f"noise and data shapes differ: {tuple(x.shape)} vs {tuple(y.shape)}")
    if t.shape != (x.shape[0],):
        raise ValueError(f"t must have shape ({x.shape[0]},), got {tuple(t.shape)}")
    tb = t.to(x.dtype).reshape(-1, *([1] * (x.ndim - 1)))
    return PathSample(x_t=(1 - tb) * x + tb * y, target=y - x, t=t)


def flow_matching_loss(model: VelocityField, x: torch.Tensor, y: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Mean of ``||v(I_t, t) - (Y - X)||^2`` over the batch (per-element mean), a scalar."""
    p = straight_path(x, y, t)
    return ((model(p.x_t, p.t) - p.target) ** 2).mean()


# ---------------------------------------------------------------- pairings


def pairing_cost(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Squared distances ``C[i, j] = ||x_i - y_j||^2`` between flattened samples, ``(B, B)`` float64."""
    xf, yf = x.reshape(len(x), -1).double(), y.reshape(len(y), -1).double()
    return torch.cdist(xf, yf).pow(2)


def ot_permutation(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Exact mini-batch optimal transport: the permutation ``p`` minimising ``sum_i ||x_i - y_{p(i)}||^2``.

    Solved as a linear assignment problem (Hungarian / Jonker-Volgenant, ``scipy``). Returns ``(B,)`` long.
    """
    if len(x) != len(y):
        raise ValueError(f"OT pairing needs equal batch sizes, got {len(x)} and {len(y)}")
    cost = pairing_cost(x, y).cpu().numpy()
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(len(x), dtype=np.int64)
    perm[rows] = cols
    return torch.from_numpy(perm).to(x.device)


def random_permutation(n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """A uniformly random permutation of ``0..n-1``."""
    return torch.randperm(n, generator=generator)


def pair(x: torch.Tensor, y: torch.Tensor, how: str, *, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Re-pair noise ``x`` with data ``y`` (``random`` or ``ot``); returns ``(x, y[perm])``.

    Random pairing shuffles ``y`` (the mini-batch is already an independent draw, so
    this changes nothing statistically; it is there to be drawn on screen).
    """
    if how == "random":
        perm = random_permutation(len(y), generator=generator).to(y.device)
    elif how == "ot":
        perm = ot_permutation(x, y)
    else:
        raise ValueError(f"unknown pairing {how!r}; choose one of {', '.join(PAIRINGS)}")
    return x, y[perm]


def total_cost(x: torch.Tensor, y: torch.Tensor) -> float:
    """``sum_i ||x_i - y_i||^2`` of a pairing (row ``i`` with row ``i``)."""
    return float((x.reshape(len(x), -1).double() - y.reshape(len(y), -1).double()).pow(2).sum())


# ---------------------------------------------------------------- straightness


def count_crossings(x: torch.Tensor, y: torch.Tensor) -> int:
    """Number of pairs of 2-D segments ``[x_i, y_i]``, ``[x_j, y_j]`` that cross (``i < j``).

    x, y: ``(B, 2)``. Two segments cross when each one's endpoints lie strictly on
    opposite sides of the other's line (orientation test).
    """
    if x.ndim != 2 or x.shape[1] != 2 or x.shape != y.shape:
        raise ValueError(f"count_crossings needs two (B, 2) tensors, got {tuple(x.shape)} and {tuple(y.shape)}")
    p, r = x.double(), (y - x).double()  # segment i: p_i + u r_i

    def orient(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return torch.sign((b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1]) - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0]))

    a1, b1 = p[:, None], (p + r)[:, None]  # (B, 1, 2)
    a2, b2 = p[None, :], (p + r)[None, :]  # (1, B, 2)
    cross = (orient(a1, b1, a2) * orient(a1, b1, b2) < 0) & (orient(a2, b2, a1) * orient(a2, b2, b1) < 0)
    return int(torch.triu(cross, diagonal=1).sum())


def straightness(trajectory: torch.Tensor) -> torch.Tensor:
    """How straight each path is: ``|end - start| / arc length``, in ``(0, 1]``, 1 for a straight line.

    trajectory: ``(K + 1, B, ...)`` states at increasing times. Returns ``(B,)``.
    """
    steps = trajectory.diff(dim=0).flatten(2).norm(dim=2)  # (K, B)
    chord = (trajectory[-1] - trajectory[0]).flatten(1).norm(dim=1)
    return chord / steps.sum(0).clamp(min=1e-12)


# ---------------------------------------------------------------- meeting diffusion


def diffusion_to_flow(x_t: torch.Tensor, abar: torch.Tensor | float) -> tuple[torch.Tensor, torch.Tensor]:
    """Map a diffusion state ``I_t = sqrt(abar) I_0 + sqrt(1-abar) eps`` to the flow path at equal SNR.

    With ``c = sqrt(abar) + sqrt(1 - abar)``: flow time ``tau = sqrt(abar) / c`` and
    state ``x_tau = I_t / c = (1 - tau) eps + tau I_0``. Returns ``(x_tau, tau)``.
    """
    abar = torch.as_tensor(abar, dtype=torch.float64)
    c = abar.sqrt() + (1 - abar).sqrt()
    return x_t / c.to(x_t.dtype), abar.sqrt() / c


def flow_to_diffusion(x_tau: torch.Tensor, tau: torch.Tensor | float) -> tuple[torch.Tensor, torch.Tensor]:
    """Inverse of :func:`diffusion_to_flow`: ``abar = tau^2 / (tau^2 + (1 - tau)^2)``, ``I_t = x_tau * c``."""
    tau = torch.as_tensor(tau, dtype=torch.float64)
    abar = tau**2 / (tau**2 + (1 - tau) ** 2)
    c = abar.sqrt() + (1 - abar).sqrt()
    return x_tau * c.to(x_tau.dtype), abar
