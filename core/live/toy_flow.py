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

What the trained field does (its arrows, its paths under each solver, their errors) is :mod:`core.flow.toy`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import torch

from core import progress
from core.data import check_toy, sample_toy, toy_batches
from core.flow import (
    PAIRINGS,
)
from core.nets import MLP, MLPConfig, build
from core.training import Optimisation, StepInfo, Trainer, flow_objective, new_state, train

__all__ = ["ToyFlowConfig", "ToyFlowResult", "train_both", "train_toy_flow"]


# ---------------------------------------------------------------- training


@dataclass(frozen=True)
class ToyFlowConfig:
    """One live training run. The defaults train 8 Gaussians -> moons to ``W2 < 0.6`` in about a second (one thread).

    Attributes:
        source, target: toy distributions (``core.data.TOY_DATASETS``, or a drawing); ``gaussian`` is ``N(0, I)``.
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
            check_toy(name)
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


def train_toy_flow(cfg: ToyFlowConfig, on_step: Callable[[StepInfo], bool | None] | None = None, *,
                   trainer: Trainer = train) -> ToyFlowResult:
    """Train an :class:`~core.nets.MLP` velocity field from ``cfg.source`` to ``cfg.target`` with the one loop.

    Each step: ``Y ~ target``, ``X ~ source`` (``(B, 2)``), re-pair (random, or exact OT within
    blocks of ``cfg.ot_batch``), ``t ~ U[0, 1]``, one step on ``mean ||v(I_t, t) - (Y - X)||^2``.
    ``on_step(StepInfo)`` after each step stops the run when it returns ``True``. Every draw
    (weights included) comes from one generator seeded by ``cfg.seed``. Prints nothing. ``trainer``: the one loop, or
    a class's runs trained together (:meth:`core.training.together.Together.train`).
    """
    g = torch.Generator().manual_seed(cfg.seed)
    model = build("mlp", asdict(cfg.net_config()), generator=g)
    opt = cfg.optimisation()
    state = new_state(model, opt)
    loss = flow_objective(cfg.pairing, source=lambda n, gen: sample_toy(cfg.source, n, generator=gen), ot_block=cfg.ot_batch)
    start = time.perf_counter()
    trainer(state, loss, toy_batches(cfg.target, cfg.batch_size, generator=g), opt, generator=g, on_step=on_step)
    return ToyFlowResult(model, cfg, state.losses, time.perf_counter() - start, stopped=state.step < opt.steps)


def train_both(cfg: ToyFlowConfig, on_step: Callable[[StepInfo], bool | None] | None = None, *,
               trainer: Trainer = train) -> dict[str, ToyFlowResult]:
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
        with progress.part(k / len(PAIRINGS), (k + 1) / len(PAIRINGS)):  # each run, its share of the way
            out[how] = train_toy_flow(replace(cfg, pairing=how), hook, trainer=trainer)
        if out[how].stopped:
            break
    return out
