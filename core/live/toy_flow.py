"""Flow matching on 2-D toy data, small enough to train live in a few seconds on one CPU thread.

Convention (see ``core``): ``t in [0, 1]``, ``t = 0`` is the source ``X`` (noise, or another
toy distribution), ``t = 1`` is the target ``Y``. Each training step draws ``X`` and ``Y``,
re-pairs them (at random, or by exact optimal transport), draws ``t ~ U[0, 1]`` and takes one
step of the project's one training loop (:func:`core.training.train`) on the plain flow-matching
loss (:func:`core.training.flow_objective`)

    L = mean ||v(I_t, t) - (Y - X)||^2,        I_t = (1 - t) X + t Y

(Lipman et al. 2023; Liu et al. 2023). With ``pairing="ot"`` the batch is cut into blocks
of ``ot_batch`` points and each block is paired by exact OT (Tong et al. 2024, torchcfm's
``ExactOptimalTransportConditionalFlowMatcher`` on smaller blocks): one mechanism, one small
variation, at a fraction of the cost of one large assignment problem.

Samples come from solving ``dx/dt = v(x, t)`` from ``t = 0`` to ``t = 1``
(:func:`core.solvers.solve`); :func:`core.flow.wasserstein2` measures how close they land to the target.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import torch

from core.data import EXTENT, TOY_DATASETS, sample_toy, toy_batches
from core.flow import (
    PAIRINGS,
    count_crossings,
    pair,
    straightness,
    total_cost,
    wasserstein2,
)
from core.nets import MLP, MLPConfig, build
from core.solvers import SOLVERS, ODESolution, solve
from core.training import Optimisation, StepInfo, flow_objective, new_state, train

__all__ = [
    "Pairs",
    "SolveReport",
    "ToyFlowConfig",
    "ToyFlowResult",
    "VectorField",
    "error_curve",
    "flow_samples",
    "sample_pairs",
    "solve_report",
    "train_both",
    "train_toy_flow",
    "vector_field",
]


# ---------------------------------------------------------------- pairing, for the picture


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


# ---------------------------------------------------------------- training


@dataclass(frozen=True)
class ToyFlowConfig:
    """One live training run. The defaults train 8 Gaussians -> moons to ``W2 < 0.6`` in about a second (one thread).

    Attributes:
        source, target: toy distributions (``core.data.TOY_DATASETS``); ``gaussian`` is ``N(0, I)``.
        pairing: ``random`` or ``ot`` (exact OT within blocks of ``ot_batch``).
        steps: Adam steps.
        batch_size: points per step.
        ot_batch: block size of the OT pairing.
        hidden, depth: the MLP's width and number of hidden layers.
        time_embed_dim, time_scale: the MLP's sinusoidal embedding of ``t``.
        lr: peak learning rate (AdamW without weight decay, cosine-decayed to 0 over ``steps``).
        seed: draws, initial weights and ``t``: the same seed trains the same model.
    """

    source: str = "gaussian"
    target: str = "moons"
    pairing: str = "ot"
    steps: int = 500
    batch_size: int = 256
    ot_batch: int = 16
    hidden: int = 64
    depth: int = 3
    time_embed_dim: int = 16
    time_scale: float = 4.0
    lr: float = 1e-2
    seed: int = 0

    def __post_init__(self) -> None:
        for name in (self.source, self.target):
            if name not in TOY_DATASETS:
                raise ValueError(f"unknown toy dataset {name!r}; choose one of {', '.join(TOY_DATASETS)}")
        if self.pairing not in PAIRINGS:
            raise ValueError(f"unknown pairing {self.pairing!r}; choose one of {', '.join(PAIRINGS)}")
        if min(self.steps, self.batch_size, self.ot_batch) < 1:
            raise ValueError("steps, batch_size and ot_batch must be at least 1")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")

    def net_config(self) -> MLPConfig:
        return MLPConfig(dim=2, hidden=self.hidden, depth=self.depth, time_embed_dim=self.time_embed_dim, time_scale=self.time_scale)

    def optimisation(self) -> Optimisation:
        return Optimisation(steps=self.steps, lr=self.lr, final_lr=0.0)


@dataclass
class ToyFlowResult:
    """A trained velocity network ``v(x, t)`` and how its training went."""

    model: MLP
    config: ToyFlowConfig
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    stopped: bool = False  # stopped early by the callback

    @property
    def steps_done(self) -> int:
        return len(self.losses)


def train_toy_flow(cfg: ToyFlowConfig, on_step: Callable[[StepInfo], bool | None] | None = None) -> ToyFlowResult:
    """Train an :class:`~core.nets.MLP` velocity field from ``cfg.source`` to ``cfg.target`` with the one loop.

    Each step: ``Y ~ target``, ``X ~ source`` (``(B, 2)``), re-pair (random, or exact OT within
    blocks of ``cfg.ot_batch``), ``t ~ U[0, 1]``, one step on ``mean ||v(I_t, t) - (Y - X)||^2``.
    ``on_step(StepInfo)`` after each step stops the run when it returns ``True``. Every draw
    (weights included) comes from one generator seeded by ``cfg.seed``. Prints nothing.
    """
    g = torch.Generator().manual_seed(cfg.seed)
    model = build("mlp", asdict(cfg.net_config()), generator=g)
    opt = cfg.optimisation()
    state = new_state(model, opt)
    loss = flow_objective(cfg.pairing, source=lambda n, gen: sample_toy(cfg.source, n, generator=gen), ot_block=cfg.ot_batch)
    start = time.perf_counter()
    train(state, loss, toy_batches(cfg.target, cfg.batch_size, generator=g), opt, generator=g, on_step=on_step)
    return ToyFlowResult(model, cfg, state.losses, time.perf_counter() - start, stopped=state.step < opt.steps)


# ---------------------------------------------------------------- what the trained field does


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


def train_both(cfg: ToyFlowConfig, on_step: Callable[[StepInfo], bool | None] | None = None) -> dict[str, ToyFlowResult]:
    """Train one model per pairing, ``random`` then ``ot``, with otherwise identical settings (same seed).

    ``on_step`` sees the steps counted on across both runs (``1 .. 2 * cfg.steps``); when it
    returns ``True`` the current run stops and the next one is not started.
    Returns ``{"random": ..., "ot": ...}`` (only the runs that started).
    """
    out: dict[str, ToyFlowResult] = {}
    for k, how in enumerate(PAIRINGS):
        offset = k * cfg.steps
        hook = None if on_step is None else (
            lambda info, offset=offset: on_step(replace(info, step=offset + info.step, total=2 * cfg.steps)))
        out[how] = train_toy_flow(replace(cfg, pairing=how), hook)
        if out[how].stopped:
            break
    return out


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


DOPRI5_TOLERANCES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)


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
