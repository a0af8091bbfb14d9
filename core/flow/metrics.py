"""How good a flow is: how straight its paths are, and how close its samples land to the data."""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

__all__ = ["straightness", "wasserstein2"]


def straightness(trajectory: torch.Tensor) -> torch.Tensor:
    """How straight each path is: ``|end - start| / arc length``, in ``(0, 1]``, 1 for a straight line.

    trajectory: ``(K + 1, B, ...)`` states at increasing times. Returns ``(B,)``.
    """
    steps = trajectory.diff(dim=0).flatten(2).norm(dim=2)  # (K, B)
    chord = (trajectory[-1] - trajectory[0]).flatten(1).norm(dim=1)
    return chord / steps.sum(0).clamp(min=1e-12)


def wasserstein2(a: torch.Tensor, b: torch.Tensor) -> float:
    """Exact 2-Wasserstein distance between two empirical sets of equal size.

    ``W2(a, b) = sqrt( min_p (1/n) sum_i ||a_i - b_{p(i)}||^2 )`` over permutations ``p``,
    solved as a linear assignment problem (``scipy.optimize.linear_sum_assignment``).
    a, b: ``(n, D)``. Returns a float (the same units as the points).
    """
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"wasserstein2 needs two (n, D) sets of the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    a64, b64 = a.detach().double().cpu(), b.detach().double().cpu()
    cost = torch.cdist(a64, b64, compute_mode="donot_use_mm_for_euclid_dist").pow(2).numpy()
    rows, cols = linear_sum_assignment(cost)
    return float(np.sqrt(cost[rows, cols].mean()))
