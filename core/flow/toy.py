"""A flow between 2-D toy distributions, examined (part 8): the pairs drawn for the picture, the learned velocity
field's arrows, the paths each ODE solver draws along it, and how far they land from the target and from an exact
solve. The model is any ``v(x, t)`` network on the plane (the live trainer's MLP, :mod:`core.live.toy_flow`).

Convention (see ``core``): ``t in [0, 1]``, ``t = 0`` the source ``X``, ``t = 1`` the target ``Y``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from core.data import EXTENT, sample_toy
from core.flow.metrics import straightness, wasserstein2
from core.flow.pairing import count_crossings, pair, total_cost
from core.solvers import SOLVERS, ODESolution, solve

DOPRI5_TOLERANCES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)
"""The tolerances at which :func:`error_curve` runs Dopri5 (it picks its own steps)."""


@dataclass(frozen=True)
class Pairs:
    """``n`` source points ``x`` paired row by row with target points ``y`` (``(n, 2)`` each)."""

    x: torch.Tensor
    y: torch.Tensor
    crossings: int  # pairs of segments [x_i, y_i], [x_j, y_j] that cross
    cost: float  # sum_i ||x_i - y_i||^2


def sample_pairs(source: str, target: str, n: int, how: str, *, seed: int = 0) -> Pairs:
    """Draw ``n`` source and target points (seeded) and pair them ``how`` (``random`` or ``ot``).

    The same ``seed`` draws the same points for both pairings, so the two pictures differ
    only in who goes with whom.
    """
    x = sample_toy(source, n, seed=2 * seed)
    y = sample_toy(target, n, seed=2 * seed + 1)
    x, y = pair(x, y, how, generator=torch.Generator().manual_seed(seed))
    return Pairs(x, y, count_crossings(x, y), total_cost(x, y))


def _field(model: torch.nn.Module) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    return lambda x, t: model(x, t.to(x.dtype))


@torch.no_grad()
def flow_samples(model: torch.nn.Module, source: str, n: int, method: str = "rk4", steps: int = 10, *, seed: int = 0, **kw) -> ODESolution:
    """Draw ``n`` source points (seeded) and carry them to ``t = 1`` along the learned field.

    ``method`` in ``core.solvers.SOLVERS``; ``steps`` fixed steps (output points for ``dopri5``,
    which takes ``rtol``/``atol`` through ``kw``). ``trajectory``: ``(steps + 1, n, 2)``.
    """
    if method not in SOLVERS:
        raise ValueError(f"unknown ODE solver {method!r}; choose one of {', '.join(SOLVERS)}")
    x = sample_toy(source, n, seed=seed)
    return solve(_field(model), x, method, steps=steps, **kw)


@dataclass(frozen=True)
class VectorField:
    """The learned velocity on a ``size x size`` grid at time ``t``. ``points``, ``velocity``: ``(size^2, 2)``."""

    t: float
    points: torch.Tensor
    velocity: torch.Tensor


@torch.no_grad()
def vector_field(model: torch.nn.Module, t: float, *, lim: float = EXTENT, size: int = 21) -> VectorField:
    """``v(x, t)`` at the nodes of a regular grid on ``[-lim, lim]^2``."""
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"flow time t must be in [0, 1], got {t}")
    axis = torch.linspace(-lim, lim, size)
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    pts = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)  # (size^2, 2)
    v = model(pts, torch.full((len(pts),), float(t)))
    return VectorField(float(t), pts, v)


@dataclass(frozen=True)
class SolveReport:
    """Samples of the learned flow and how good they are.

    ``solution``: the ODE solve (``trajectory`` ``(K + 1, n, 2)``, ``nfe``); ``straightness``:
    mean ``|end - start| / arc length`` of the paths (1 = straight; NaN for a single step, which is
    straight by construction); ``w2``: exact 2-Wasserstein
    distance of the end points to ``n`` fresh target samples; ``ref_error``: mean distance of
    the end points to a reference Dopri5 solve at tolerance ``1e-6`` (the error of the solver
    alone, the network being what it is).
    """

    solution: ODESolution
    straightness: float
    w2: float
    ref_error: float

    @property
    def nfe(self) -> int:
        return self.solution.nfe


@torch.no_grad()
def reference_solution(model: torch.nn.Module, source: str, n: int = 1000, *, seed: int = 0) -> torch.Tensor:
    """Where the learned ODE takes the ``n`` source points of ``seed``: Dopri5 at tolerance 1e-6, ``(n, 2)``."""
    return flow_samples(model, source, n, "dopri5", 1, seed=seed, rtol=1e-6, atol=1e-6).final


@torch.no_grad()
def solve_report(model: torch.nn.Module, source: str, target: str, method: str, steps: int, *, n: int = 1000, seed: int = 0,
                 tol: float = 1e-3, ref: torch.Tensor | None = None) -> SolveReport:
    """Solve the learned ODE from ``n`` source points with ``method``/``steps`` and score the result.

    For ``dopri5`` the solver picks its own steps (``rtol = atol = tol``); ``steps`` is then
    only the number of points reported along each path. ``ref``: :func:`reference_solution` for the same
    model, source, ``n`` and seed, when the caller keeps it (it does not depend on the method or the steps).
    """
    kw = {"rtol": tol, "atol": tol} if method == "dopri5" else {}
    sol = flow_samples(model, source, n, method, steps, seed=seed, **kw)
    if ref is None:
        ref = reference_solution(model, source, n, seed=seed)
    err = float((sol.final - ref).norm(dim=1).mean())
    w2 = wasserstein2(sol.final, sample_toy(target, n, seed=seed + 7919))
    # one step draws a straight segment whatever the field: straightness says nothing then (NaN)
    straight = float(straightness(sol.trajectory).mean()) if len(sol.trajectory) > 2 else math.nan
    return SolveReport(sol, straight, w2, err)


@torch.no_grad()
def error_curve(model: torch.nn.Module, source: str, method: str, steps: tuple[int, ...] = (1, 2, 4, 8, 16, 32), *, n: int = 500, seed: int = 0) -> tuple[list[int], list[float]]:
    """Solver error against cost: ``(NFE, mean distance to a Dopri5 solve at tolerance 1e-6)`` per setting.

    Fixed-step methods run each step count of ``steps``; ``dopri5`` runs each tolerance of
    ``DOPRI5_TOLERANCES`` instead.
    """
    x = sample_toy(source, n, seed=seed)
    ref = solve(_field(model), x, "dopri5", steps=1, rtol=1e-6, atol=1e-6).final
    runs = [{"steps": 1, "rtol": tol, "atol": tol} for tol in DOPRI5_TOLERANCES] if method == "dopri5" else [{"steps": k} for k in steps]
    nfes, errors = [], []
    for kw in runs:
        sol = solve(_field(model), x, method, **kw)
        nfes.append(sol.nfe)
        errors.append(float((sol.final - ref).norm(dim=1).mean()))
    return nfes, errors
