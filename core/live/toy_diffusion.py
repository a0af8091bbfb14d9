"""Diffusion on 2-D toy data: train a small noise-predicting MLP live, then sample it with DDPM.

The objective is the one the MNIST models train with (:func:`core.training.diffusion_objective`,
``prediction = "eps"`` by default):

    t ~ U{1..T},  eps ~ N(0, I),  I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps,
    loss = mean (eps_hat(I_t, t / T) - eps)^2     (mean over the batch and the 2 coordinates)

:func:`train_toy` runs the project's one training loop (:func:`core.training.train`): it prints
nothing, knows nothing of Streamlit, and calls ``on_step(StepInfo)`` after every optimiser step
(return ``True`` to stop early), so a page can run it in a background thread and draw the loss
curve as it falls. :func:`sample_toy_model` draws points with :func:`core.diffusion.sample_ddpm`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from core.data import EXTENT, check_toy, toy_batches
from core.diffusion import (
    PREDICTIONS,
    DiffusionStep,
    Schedule,
    make_schedule,
    sample_ddpm,
)
from core.nets import MLP, build
from core.training import Optimisation, StepInfo, Trainer, diffusion_objective, new_state, train

# The toy distributions lie in [-EXTENT, EXTENT]^2: the one-shot estimates of I_0 are clipped to this box
# while sampling, as DDPM clips the estimates of images to the pixel range [-1, 1].
TOY_BOX = EXTENT


@dataclass(frozen=True)
class ToyConfig:
    """A toy training run: data, schedule, network size and optimiser.

    Attributes:
        dataset: one of :data:`core.data.TOY_DATASETS`, or a drawing (``drawn:CODE``).
        steps: optimiser steps (AdamW without weight decay, learning rate decayed by a cosine to 5 %).
        batch_size: points per step, drawn fresh from the distribution every step.
        lr: peak learning rate.
        schedule, T: the noise schedule (same as the shipped MNIST models by default).
        hidden, depth: the MLP's width and number of hidden layers.
        prediction: what the network outputs: ``eps`` (the noise), ``x0`` (the clean point) or ``v``.
        seed: fixes the initial weights, the data, ``t`` and ``eps``: same seed, same run.
    """

    dataset: str = "moons"
    steps: int = 3000
    batch_size: int = 128
    lr: float = 3e-3
    schedule: str = "cosine"
    T: int = 1000
    hidden: int = 128
    depth: int = 3
    prediction: str = "eps"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.prediction not in PREDICTIONS:
            raise ValueError(f"unknown prediction {self.prediction!r}; choose one of {', '.join(PREDICTIONS)}")
        check_toy(self.dataset)
        if self.steps < 1 or self.batch_size < 1 or self.T < 1:
            raise ValueError("steps, batch_size and T must be at least 1")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")

    def optimisation(self) -> Optimisation:
        return Optimisation(steps=self.steps, lr=self.lr, final_lr=0.05)


@dataclass
class ToyModel:
    """A (possibly partly) trained toy model: the net, its schedule, its run and the loss of each step."""

    net: MLP
    schedule: Schedule
    cfg: ToyConfig
    losses: list[float] = field(default_factory=list)

    @property
    def steps_done(self) -> int:
        return len(self.losses)

    def denoiser(self) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
        """The net as the samplers want it: integer ``t`` of shape ``(B,)``, fed to the net as ``t / T``."""
        T = self.schedule.T
        return lambda x, t: self.net(x, t.to(x.dtype) / T)


def new_toy_model(cfg: ToyConfig, generator: torch.Generator | None = None) -> ToyModel:
    """An untrained model whose initial weights are drawn from ``generator`` (default: seeded by ``cfg.seed``).

    PyTorch's default initialisation (:func:`core.nets.init_weights`), drawn from a private
    generator, never the global one, which other threads (other students' runs) may be using.
    """
    g = generator or torch.Generator().manual_seed(cfg.seed)
    net = build("mlp", {"dim": 2, "hidden": cfg.hidden, "depth": cfg.depth}, generator=g)
    return ToyModel(net, make_schedule(cfg.schedule, cfg.T), cfg)


def train_toy(
    cfg: ToyConfig,
    *,
    on_step: Callable[[StepInfo], bool | None] | None = None,
    on_snapshot: Callable[[ToyModel], None] | None = None,
    snapshot_every: int = 0,
    trainer: Trainer = train,
) -> ToyModel:
    """Train an MLP on ``cfg.dataset`` for ``cfg.steps`` steps of the one loop; returns the model.

    Each step draws fresh points ``I_0`` and takes one step on
    :func:`core.training.diffusion_objective` (target ``cfg.prediction``). After each step
    ``on_step(StepInfo)`` may return ``True`` to stop early; the model trained so far is returned.
    Every ``snapshot_every`` steps (and at the end) ``on_snapshot(model)`` sees the model, e.g. to
    draw samples while it learns. The same ``cfg`` (seed included) gives the same losses and weights, alone or trained
    with a class (``trainer``: the one loop, or :meth:`core.training.together.Together.train`).
    """
    g = torch.Generator().manual_seed(cfg.seed)
    model = new_toy_model(cfg, g)
    opt = cfg.optimisation()
    state = new_state(model.net, opt)
    state.losses = model.losses  # the model's loss list grows as it trains

    def hook(info: StepInfo) -> bool:
        stop = bool(on_step(info)) if on_step is not None else False
        if on_snapshot is not None and snapshot_every and info.step % snapshot_every == 0 and info.step < info.total:
            on_snapshot(model)
            model.net.train()
        return stop

    trainer(state, diffusion_objective(model.schedule, cfg.prediction), toy_batches(cfg.dataset, cfg.batch_size, generator=g),
            opt, generator=g, on_step=hook)
    if on_snapshot is not None:
        on_snapshot(model)
    return model


@dataclass(frozen=True)
class ToyTrajectory:
    """A reverse run on toy points: ``K`` DDPM steps from ``I_T ~ N(0, I)`` to ``I_0``.

    ``states[k]`` is ``I_{times[k]}`` (``states[0]`` the noise, ``states[K]`` the samples), shape
    ``(K + 1, N, 2)``; ``x0_hats[k]`` is the one-shot estimate of ``I_0`` made at ``states[k]``
    (shape ``(K, N, 2)``); ``sigmas[k]`` is the noise added by step ``k``.
    """

    states: torch.Tensor
    x0_hats: torch.Tensor
    times: list[int]
    sigmas: list[float]

    @property
    def samples(self) -> torch.Tensor:
        """The final points ``I_0``, shape ``(N, 2)``."""
        return self.states[-1]


@torch.no_grad()
def sample_toy_model(model: ToyModel, n: int = 1000, *, steps: int = 50, seed: int = 0) -> ToyTrajectory:
    """Draw ``n`` points with DDPM (:func:`core.diffusion.sample_ddpm`) in ``steps`` steps, keeping every state.

    ``I_T ~ N(0, I)``; each step predicts (``cfg.prediction``), forms the one-shot estimate
    ``I_0 = (I_t - sqrt(1 - abar_t) eps_hat) / sqrt(abar_t)`` (clipped to the box ``[-4, 4]^2``) and
    draws ``I_s`` from the posterior ``q(I_s | I_t, I_0)``. Same ``seed``, same points.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((n, 2), generator=g)
    states, x0s, times, sigmas = [x], [], [model.schedule.T], []

    def keep(step: DiffusionStep) -> None:
        states.append(step.x_s)
        x0s.append(step.x0)
        times.append(step.s)
        sigmas.append(float(step.sigma))

    was_training = model.net.training
    model.net.eval()
    sample_ddpm(model.denoiser(), x, model.schedule, steps=steps, prediction=model.cfg.prediction, clip_x0=TOY_BOX,
                generator=g, callback=keep)
    model.net.train(was_training)
    return ToyTrajectory(torch.stack(states), torch.stack(x0s), times, sigmas)
