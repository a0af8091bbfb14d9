"""Diffusion on 2-D toy data: train a small noise-predicting MLP live, then sample it with DDPM.

The objective is the one :mod:`core.train` uses for the MNIST models (``prediction = "eps"``):

    t ~ U{1..T},  eps ~ N(0, I),  I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps,
    loss = mean ||eps_hat(I_t, t / T) - eps||^2

:func:`train_toy` is a pure function: it prints nothing, knows nothing of Streamlit, and calls
``on_step(step, loss)`` after every optimiser step (return ``True`` to stop early), so a page can
run it in a background thread and draw the loss curve as it falls. :func:`sample_toy_model`
draws points with :func:`core.samplers.sample_ddpm`; :func:`loss_by_t` measures any
noise-prediction model's loss at fixed steps ``t`` (the loss curve of a shipped model).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from core.data import TOY_DATASETS, sample_toy
from core.diffusion import q_sample
from core.nets import MLP, MLPConfig
from core.samplers import DiffusionStep, sample_ddpm
from core.schedules import Schedule, make_schedule

# The toy distributions lie in [-4, 4]^2: the one-shot estimates of I_0 are clipped to this box
# while sampling, as DDPM clips the estimates of images to the pixel range [-1, 1].
TOY_BOX = 4.0


@dataclass(frozen=True)
class ToyConfig:
    """A toy training run: data, schedule, network size and optimiser.

    Attributes:
        dataset: one of :data:`core.data.TOY_DATASETS`.
        steps: optimiser steps (Adam, learning rate decayed by a cosine to 5 %).
        batch_size: points per step, drawn fresh from the distribution every step.
        lr: peak learning rate.
        schedule, T: the noise schedule (same as the shipped MNIST models by default).
        hidden, depth: the MLP's width and number of hidden layers.
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
    seed: int = 0

    def __post_init__(self) -> None:
        if self.dataset not in TOY_DATASETS:
            raise ValueError(f"unknown toy dataset {self.dataset!r}; choose one of {', '.join(TOY_DATASETS)}")
        if self.steps < 1 or self.batch_size < 1 or self.T < 1:
            raise ValueError("steps, batch_size and T must be at least 1")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")


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
        """``eps_hat(I_t, t)`` as the samplers want it: integer ``t`` of shape ``(B,)``, fed to the net as ``t / T``."""
        T = self.schedule.T
        return lambda x, t: self.net(x, t.to(x.dtype) / T)


def new_toy_model(cfg: ToyConfig) -> ToyModel:
    """An untrained model whose initial weights are fixed by ``cfg.seed``.

    Each linear layer gets PyTorch's default initialisation, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``
    for weights and biases, drawn from a private generator (never the global one, which other
    threads, e.g. other students' runs, may be using).
    """
    with torch.device("meta"):  # build without drawing any random numbers, then initialise below
        net = MLP(MLPConfig(dim=2, hidden=cfg.hidden, depth=cfg.depth))
    net = net.to_empty(device="cpu")
    g = torch.Generator().manual_seed(cfg.seed + 1_000_003)
    with torch.no_grad():
        for layer in net.modules():
            if isinstance(layer, torch.nn.Linear):
                bound = 1.0 / math.sqrt(layer.in_features)
                layer.weight.uniform_(-bound, bound, generator=g)
                layer.bias.uniform_(-bound, bound, generator=g)
    return ToyModel(net, make_schedule(cfg.schedule, cfg.T), cfg)


def eps_loss(net: MLP, x0: torch.Tensor, schedule: Schedule, generator: torch.Generator) -> torch.Tensor:
    """The noise-prediction loss on a batch ``x0`` of shape ``(B, 2)`` (a scalar).

    ``t ~ U{1..T}``, ``eps ~ N(0, I)``, ``I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps``,
    ``loss = mean ||net(I_t, t / T) - eps||^2`` (Ho et al., DDPM 2020, Algorithm 1).
    """
    T = schedule.T
    t = torch.randint(1, T + 1, (len(x0),), generator=generator)  # (B,)
    eps = torch.randn(x0.shape, generator=generator)  # (B, 2)
    x_t = q_sample(x0, t, schedule, eps)  # (B, 2)
    return F.mse_loss(net(x_t, t.float() / T), eps)


def _lr_at(step: int, cfg: ToyConfig) -> float:
    """Cosine decay from ``cfg.lr`` to 5 % of it over ``cfg.steps``."""
    progress = step / max(1, cfg.steps - 1)
    return cfg.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def train_toy(
    cfg: ToyConfig,
    *,
    model: ToyModel | None = None,
    on_step: Callable[[int, float], bool | None] | None = None,
    on_snapshot: Callable[[ToyModel], None] | None = None,
    snapshot_every: int = 0,
) -> ToyModel:
    """Train a noise-predicting MLP on ``cfg.dataset`` for ``cfg.steps`` Adam steps; returns the model.

    After each step ``on_step(step, loss)`` is called (``step`` counts from 1) and may return
    ``True`` to stop early; the model trained so far is returned. Every ``snapshot_every`` steps
    (and at the end) ``on_snapshot(model)`` sees the model, e.g. to draw samples while it learns.
    The same ``cfg`` (seed included) gives the same losses and weights.
    """
    model = model or new_toy_model(cfg)
    g = torch.Generator().manual_seed(cfg.seed)
    opt = torch.optim.Adam(model.net.parameters(), lr=cfg.lr)
    model.net.train()
    for step in range(cfg.steps):
        for group in opt.param_groups:
            group["lr"] = _lr_at(step, cfg)
        x0 = sample_toy(cfg.dataset, cfg.batch_size, generator=g)  # (B, 2), fresh points every step
        loss = eps_loss(model.net, x0, model.schedule, g)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        model.losses.append(loss.item())
        stop = on_step is not None and on_step(step + 1, model.losses[-1])
        if on_snapshot is not None and snapshot_every and (step + 1) % snapshot_every == 0 and step + 1 < cfg.steps:
            on_snapshot(model)
        if stop:
            break
    model.net.eval()
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
    """Draw ``n`` points with DDPM (:func:`core.samplers.sample_ddpm`) in ``steps`` steps, keeping every state.

    ``I_T ~ N(0, I)``; each step predicts ``eps``, forms the one-shot estimate
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
    sample_ddpm(model.denoiser(), x, model.schedule, steps=steps, prediction="eps", clip_x0=TOY_BOX,
                generator=g, callback=keep)
    model.net.train(was_training)
    return ToyTrajectory(torch.stack(states), torch.stack(x0s), times, sigmas)


@dataclass(frozen=True)
class LossByT:
    """Mean losses of a noise-prediction model at fixed steps ``t`` (each a list, one value per ``t``).

    ``eps_mse``: ``mean ||eps_hat - eps||^2`` (the training loss at that ``t``);
    ``eps_sem``: its standard error over the images;
    ``x0_mse``: ``mean ||I0_hat - I_0||^2`` of the one-shot estimate, ``= (1 - abar_t) / abar_t * eps_mse``
    per image.
    """

    ts: list[int]
    eps_mse: list[float]
    eps_sem: list[float]
    x0_mse: list[float]


@torch.no_grad()
def loss_by_t(
    net: torch.nn.Module,
    x0: torch.Tensor,
    schedule: Schedule,
    ts: Sequence[int],
    *,
    labels: torch.Tensor | None = None,
    seed: int = 0,
    batch_size: int = 256,
) -> LossByT:
    """The noise-prediction loss of a network ``net(I_t, t / T[, y])`` at each fixed step ``t`` in ``ts``.

    Exactly the training loss of :mod:`core.train` with ``t`` held fixed instead of drawn:
    ``I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps``, ``loss = mean ||net(I_t, t / T, y) - eps||^2``.
    ``x0``: ``(N, ...)`` clean data; ``labels``: ``(N,)`` class labels for a class-conditional net.
    One ``eps ~ N(0, I)`` per item, the same at every ``t``, so the curve shows how the difficulty
    changes with ``t`` rather than noise between draws.
    """
    ts = [int(t) for t in ts]
    if any(not 1 <= t <= schedule.T for t in ts):
        raise ValueError(f"every t must be in 1..{schedule.T}")
    if labels is not None and len(labels) != len(x0):
        raise ValueError(f"{len(labels)} labels for {len(x0)} items")
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed), dtype=x0.dtype)
    ab = schedule.alpha_bars
    eps_mse, eps_sem, x0_mse = [], [], []
    for t in ts:
        per_item = []
        for lo in range(0, len(x0), batch_size):
            xb, eb = x0[lo : lo + batch_size], eps[lo : lo + batch_size]
            t_b = torch.full((len(xb),), t, dtype=torch.long)
            x_t = q_sample(xb, t_b, schedule, eb)
            args = (x_t, t_b.to(x0.dtype) / schedule.T) + (() if labels is None else (labels[lo : lo + batch_size],))
            per_item.append((net(*args) - eb).pow(2).flatten(1).mean(1))  # (B,): mean over coordinates
        e = torch.cat(per_item).double()
        eps_mse.append(float(e.mean()))
        eps_sem.append(float(e.std() / math.sqrt(len(e))) if len(e) > 1 else 0.0)
        x0_mse.append(float(e.mean() * (1 - ab[t]) / ab[t]))
    return LossByT(ts, eps_mse, eps_sem, x0_mse)
