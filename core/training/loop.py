"""The one training loop of the project: every model, shipped or trained live on a page, goes through it.

``train(state, loss_fn, batches, opt, generator=..., on_step=...)`` prints nothing and knows
nothing of Streamlit. Each step:

1. a mini-batch ``batch = next(batches)``;
2. the learning rate of this step (:func:`lr_at`: linear warm-up, then a cosine decay to
   ``final_lr`` times the peak);
3. the objective ``loss = loss_fn(model, batch, generator)`` (one of :mod:`core.training.objectives`);
4. back-propagation, gradient clipping to ``grad_clip`` (if set), one AdamW step;
5. the EMA copy, if any: ``ema <- d ema + (1 - d) weights`` with ``d = min(ema_decay, (1 + k) / (10 + k))``;
6. ``on_step(StepInfo)``: a progress bar, a page's live curve; it returns ``True`` to stop (cooperative stop).

Randomness: every draw of the loop (times, noise, dropped labels...) comes from ``generator``, owned
by the run; the global torch generator is never read or reset here, so two runs on one server never
disturb each other, and the same seed gives the same weights.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from core import progress

__all__ = ["LossFn", "Optimisation", "StepInfo", "TrainState", "Trainer", "lr_at", "new_state", "train"]

LossFn = Callable[[nn.Module, Any, torch.Generator], torch.Tensor]
"""``loss_fn(model, batch, generator) -> scalar``: the objective of one mini-batch."""
Trainer = Callable[..., "TrainState"]
"""What runs a live trainer's steps: :func:`train` (the run alone), or a class's runs trained together
(:meth:`core.training.together.Together.train`, the same signature)."""


@dataclass(frozen=True)
class Optimisation:
    """How a run optimises: AdamW, learning-rate schedule, EMA and gradient clipping.

    Attributes:
        steps: optimiser steps of the whole run.
        lr: peak learning rate.
        warmup: steps of linear warm-up from ``lr / warmup`` to ``lr``.
        final_lr: the cosine decays from ``lr`` to ``final_lr * lr`` (1.0: a constant rate).
        ema_decay: keep an exponential moving average of the weights (``None``: no EMA).
        grad_clip: rescale the gradient to at most this norm (``None``: no clipping).
        weight_decay: AdamW's decoupled weight decay (0: plain Adam).
    """

    steps: int
    lr: float
    warmup: int = 0
    final_lr: float = 0.05
    ema_decay: float | None = None
    grad_clip: float | None = None
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        if self.steps < 1:
            raise ValueError(f"steps must be at least 1, got {self.steps}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"the learning rate must be a positive number, got {self.lr}")
        if self.warmup < 0 or not 0.0 <= self.final_lr <= 1.0:
            raise ValueError("warmup must be >= 0 and final_lr in [0, 1]")
        if self.ema_decay is not None and not 0.0 < self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1), got {self.ema_decay}")
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ValueError(f"grad_clip must be positive, got {self.grad_clip}")


@dataclass(frozen=True)
class StepInfo:
    """What ``on_step`` learns after each optimiser step (``step`` counts from 1)."""

    step: int
    total: int
    loss: float
    lr: float


@dataclass
class TrainState:
    """What a run carries from step to step (and what resume restores)."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    ema: nn.Module | None = None
    step: int = 0
    losses: list[float] = field(default_factory=list)

    @property
    def result(self) -> nn.Module:
        """The weights to keep: the EMA copy when there is one, else the model."""
        return self.ema if self.ema is not None else self.model


def lr_at(step: int, opt: Optimisation) -> float:
    """Learning rate of step ``step`` (from 0): linear warm-up, then cosine decay to ``final_lr * lr``.

    ``lr (k + 1) / warmup`` for ``k < warmup``; then, with ``p = (k - warmup) / (steps - warmup)``,
    ``lr (final + (1 - final) (1 + cos(pi p)) / 2)``.
    """
    if step < opt.warmup:
        return opt.lr * (step + 1) / opt.warmup
    progress = min(1.0, (step - opt.warmup) / max(1, opt.steps - opt.warmup))
    return opt.lr * (opt.final_lr + (1 - opt.final_lr) * 0.5 * (1 + math.cos(math.pi * progress)))


def new_state(model: nn.Module, opt: Optimisation) -> TrainState:
    """A fresh run: AdamW on ``model`` and, if ``opt.ema_decay`` is set, an EMA copy of its weights."""
    ema = copy.deepcopy(model).eval().requires_grad_(False) if opt.ema_decay is not None else None
    return TrainState(model, torch.optim.AdamW(model.parameters(), lr=opt.lr, weight_decay=opt.weight_decay), ema)


@torch.no_grad()
def _update_ema(ema: nn.Module, model: nn.Module, decay: float) -> None:
    for e, p in zip(ema.parameters(), model.parameters()):
        e.lerp_(p, 1 - decay)
    for e, b in zip(ema.buffers(), model.buffers()):
        e.copy_(b)


def train(
    state: TrainState,
    loss_fn: LossFn,
    batches: Iterator[Any],
    opt: Optimisation,
    *,
    generator: torch.Generator,
    on_step: Callable[[StepInfo], bool | None] | None = None,
) -> TrainState:
    """Run optimiser steps until ``state.step == opt.steps``, or until ``on_step`` returns ``True``.

    Each step: ``batch = next(batches)``, ``loss = loss_fn(model, batch, generator)``, backprop,
    gradient clipping, AdamW at :func:`lr_at`, EMA update, then ``on_step(StepInfo(...))``.
    A non-finite loss stops the run with ``FloatingPointError``. Returns ``state`` (model in eval mode).
    """
    state.model.train()
    try:
        while state.step < opt.steps:
            batch = next(batches)
            lr = lr_at(state.step, opt)
            for group in state.optimizer.param_groups:
                group["lr"] = lr
            loss = loss_fn(state.model, batch, generator)
            if not torch.isfinite(loss):
                raise FloatingPointError(f"the loss became {loss.item()} at step {state.step}; lower the learning rate")
            state.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if opt.grad_clip is not None:
                nn.utils.clip_grad_norm_(state.model.parameters(), opt.grad_clip)
            state.optimizer.step()
            if state.ema is not None:
                _update_ema(state.ema, state.model, min(opt.ema_decay, (1 + state.step) / (10 + state.step)))
            state.step += 1
            state.losses.append(loss.item())
            progress.report(state.step / opt.steps)  # whoever waits for the run (core.progress)
            if on_step is not None and on_step(StepInfo(state.step, opt.steps, state.losses[-1], lr)):
                break
    finally:
        state.model.eval()
    return state
