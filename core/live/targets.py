"""The toy of "Back to Basics" (Li and He, 2025): which target can a small network learn in high dimension?

2-D data (a toy distribution) is embedded in ``D`` dimensions by a fixed matrix ``P`` with orthonormal
columns (:func:`core.data.embed_toy`): the data lie on a plane, the noise fills all ``D`` dimensions.
A small ReLU MLP (5 linear layers, 256 wide, as in the paper) is trained by flow matching,

    I_t = (1 - t) eps + t x,     v = x - eps,     L = mean (v_hat - v)^2,

with the network predicting the velocity ``v``, the clean data ``x`` or the noise ``eps``; its
output is turned into ``v_hat`` (:func:`core.flow.velocity_from`) so that all three are trained
with the same loss, the paper's "v-loss". Samples are drawn with Euler steps from ``t = 0`` to
``t = 1``, projected back to the plane (:func:`core.data.project_toy`) and scored by their exact
2-Wasserstein distance to fresh data (:func:`core.flow.wasserstein2`). The paper's finding: in
``D = 2`` all three work; as ``D`` grows, ``eps`` and ``v`` fail while ``x`` keeps working, because
the clean data is low-dimensional and the noise is not.

Every run is one call of the project's training loop (:func:`core.training.train`), all its draws
from one generator seeded by ``cfg.seed``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch

from core import paths
from core.data import check_toy, embed_toy, project_toy, sample_toy
from core.flow import FLOW_PREDICTIONS, velocity_from, wasserstein2
from core.io import CheckpointError, load_state, save_state
from core.nets import MLP, MLPConfig, build
from core.solvers import solve
from core.training import Optimisation, StepInfo, Trainer, flow_objective, new_state, train

__all__ = ["DIMS", "GridCell", "TargetRun", "TargetSamples", "TargetToyConfig", "compute_grid", "grid_path", "load_grid",
           "sample_target_toy", "save_grid", "train_target_toy"]

DIMS = (2, 8, 16, 64, 512)
"""The ambient dimensions of the page's grid."""
EMBED_SEED = 2025  # the plane's matrix P: the same for every run


@dataclass(frozen=True)
class TargetToyConfig:
    """One cell of the grid: a target, an ambient dimension ``dim``, and how the network trains.

    Attributes:
        prediction: what the network outputs: ``x`` (clean data), ``eps`` (noise) or ``v`` (velocity).
        dim: the ambient dimension ``D`` (the data stay on a 2-D plane inside it).
        dataset: the 2-D toy distribution.
        hidden, depth: the ReLU MLP's width and number of hidden layers (``depth + 1`` linear layers).
        steps, batch_size, lr: AdamW (no weight decay), cosine-decayed to 0.
        seed: weights, data, noise and ``t``.
    """

    prediction: str = "x"
    dim: int = 2
    dataset: str = "spiral"
    hidden: int = 256
    depth: int = 4
    steps: int = 2000
    batch_size: int = 256
    lr: float = 1e-3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.prediction not in FLOW_PREDICTIONS:
            raise ValueError(f"unknown prediction {self.prediction!r}; choose one of {', '.join(FLOW_PREDICTIONS)}")
        check_toy(self.dataset)
        if self.dim < 2 or min(self.hidden, self.depth, self.steps, self.batch_size) < 1 or not self.lr > 0:
            raise ValueError("dim must be at least 2; hidden, depth, steps, batch_size and lr positive")

    def net_config(self) -> MLPConfig:
        return MLPConfig(dim=self.dim, hidden=self.hidden, depth=self.depth, time_embed_dim=16, time_scale=4.0,
                         activation="relu")

    def optimisation(self) -> Optimisation:
        return Optimisation(steps=self.steps, lr=self.lr, final_lr=0.0)


@dataclass
class TargetRun:
    """A trained cell: the network, its config, the loss of each step and the training time."""

    model: MLP
    cfg: TargetToyConfig
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0


def _data_batches(cfg: TargetToyConfig, g: torch.Generator):
    while True:
        yield embed_toy(sample_toy(cfg.dataset, cfg.batch_size, generator=g), cfg.dim, seed=EMBED_SEED), None


def train_target_toy(cfg: TargetToyConfig, on_step: Callable[[StepInfo], bool | None] | None = None, *,
                     trainer: Trainer = train) -> TargetRun:
    """Train one cell with the one loop (:func:`core.training.train`, or a class's runs trained together:
    ``trainer``) and :func:`core.training.flow_objective`."""
    g = torch.Generator().manual_seed(cfg.seed)
    model = build("mlp", asdict(cfg.net_config()), generator=g)
    state = new_state(model, cfg.optimisation())
    start = time.perf_counter()
    trainer(state, flow_objective("random", prediction=cfg.prediction), _data_batches(cfg, g), cfg.optimisation(),
            generator=g, on_step=on_step)
    return TargetRun(model, cfg, state.losses, time.perf_counter() - start)


@dataclass(frozen=True)
class TargetSamples:
    """Samples of a cell, back on the plane (``(n, 2)``), and their W2 to fresh data."""

    points: torch.Tensor
    w2: float


@torch.no_grad()
def sample_target_toy(run: TargetRun, n: int = 1000, *, steps: int = 50, seed: int = 0) -> TargetSamples:
    """``n`` samples by ``steps`` Euler steps of ``dx/dt = v_hat(x, t)`` from ``N(0, I_D)``, projected to 2-D."""
    cfg = run.cfg
    x = torch.randn((n, cfg.dim), generator=torch.Generator().manual_seed(seed))
    field_ = lambda z, t: velocity_from(run.model(z, t.to(z.dtype)), z, t.to(z.dtype), cfg.prediction)
    final = solve(field_, x, "euler", steps=steps).final
    points = project_toy(final, cfg.dim, seed=EMBED_SEED)
    return TargetSamples(points, wasserstein2(points, sample_toy(cfg.dataset, n, seed=seed + 7919)))


# ---------------------------------------------------------------- the page's default grid, shipped


@dataclass(frozen=True)
class GridCell:
    """One shipped cell: its config, its samples on the plane ``(n, 2)``, W2, and its training losses."""

    cfg: TargetToyConfig
    points: torch.Tensor
    w2: float
    losses: list[float]
    seconds: float

    @property
    def key(self) -> tuple[str, int]:
        """Where the cell sits in the grid: its prediction target and its dimension."""
        return self.cfg.prediction, self.cfg.dim


def grid_path() -> Path:
    """Where the default grid is shipped."""
    return paths.TOYS / "targets-grid.safetensors"


def compute_grid(base: TargetToyConfig = TargetToyConfig(), dims: tuple[int, ...] = DIMS,
                 on_cell: Callable[[GridCell], None] | None = None) -> dict[tuple[str, int], GridCell]:
    """Train and sample every (target, D) cell of the grid with ``base``'s other settings."""
    out = {}
    for prediction in ("x", "eps", "v"):  # the paper's order
        for dim in dims:
            run = train_target_toy(replace(base, prediction=prediction, dim=dim))
            s = sample_target_toy(run)
            out[prediction, dim] = cell = GridCell(run.cfg, s.points, s.w2, run.losses, run.seconds)
            if on_cell is not None:
                on_cell(cell)
    return out


def save_grid(grid: dict[tuple[str, int], GridCell], path: Path | None = None) -> None:
    """Write the grid (samples, W2, configs, losses every 10 steps) as one state file (atomically, no pickle)."""
    tensors = {f"{p}/{d}": c.points for (p, d), c in grid.items()}
    meta = {f"{p}/{d}": {"cfg": asdict(c.cfg), "w2": c.w2, "losses": c.losses[::10], "seconds": round(c.seconds, 2)}
            for (p, d), c in grid.items()}
    save_state(path or grid_path(), tensors, {"cells": meta})


def load_grid(base: TargetToyConfig = TargetToyConfig(), path: Path | None = None) -> dict[tuple[str, int], GridCell] | None:
    """The shipped grid if it was computed with ``base``'s settings (else ``None``: compute it)."""
    try:
        tensors, meta = load_state(path or grid_path())
    except CheckpointError:
        return None
    out = {}
    for key, m in meta["cells"].items():
        p, d = key.split("/")
        cfg = TargetToyConfig(**m["cfg"])
        if replace(cfg, prediction=base.prediction, dim=base.dim) != base:
            return None
        out[p, int(d)] = GridCell(cfg, tensors[key], float(m["w2"]), list(m["losses"]), float(m["seconds"]))
    return out


def main() -> None:
    """``python -m core.live.targets``: compute the default grid and ship it in ``assets/toys``."""
    torch.set_num_threads(1)
    grid = compute_grid(on_cell=lambda c: print(f"{c.cfg.prediction:>3} D={c.cfg.dim:<4} W2 {c.w2:8.3f}  "
                                                 f"({c.seconds:.1f} s)", flush=True))
    save_grid(grid)
    print(f"wrote {grid_path()}")


if __name__ == "__main__":
    main()
