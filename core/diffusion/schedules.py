"""Noise schedules: how much noise each forward step adds.

A schedule is the list ``beta_0, ..., beta_{T-1}``; step ``t -> t + 1`` is

    I_{t+1} = sqrt(a_t) I_t + sqrt(1 - a_t) eps,     a_t = 1 - beta_t,

and the product ``abar_t = a_0 a_1 ... a_{t-1}`` (``abar_0 = 1``) gives the
closed form ``I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps``.

Three schedules from the lecture:

* ``constant``: the same ``beta`` at every step (simple, never used in practice);
* ``linear``: ``beta`` from ``1e-4`` to ``0.02`` (Ho et al., DDPM, 2020);
* ``cosine``: ``abar(t) = f(t) / f(0)``, ``f(t) = cos^2(((t/T + s)/(1 + s)) pi/2)``
  (Nichol and Dhariwal, Improved DDPM, 2021), gentler at both ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

SCHEDULES = ("constant", "linear", "cosine")


@dataclass(frozen=True)
class Schedule:
    """A discrete noise schedule with ``T`` steps; every array is float64.

    ``betas[t]`` (length ``T``) is the variance added by step ``t -> t + 1``;
    ``alpha_bars[t]`` (length ``T + 1``) is ``prod_{s < t} (1 - betas[s])``.
    """

    name: str
    betas: torch.Tensor  # (T,) float64

    def __post_init__(self) -> None:
        b = self.betas
        if b.ndim != 1 or len(b) < 1:
            raise ValueError(f"betas must be a non-empty 1-D tensor, got shape {tuple(b.shape)}")
        if not bool(((b > 0) & (b < 1)).all()):
            raise ValueError("every beta must lie strictly between 0 and 1")

    @property
    def T(self) -> int:
        """Number of forward steps."""
        return len(self.betas)

    @property
    def alphas(self) -> torch.Tensor:
        """``a_t = 1 - beta_t``, shape ``(T,)``."""
        return 1.0 - self.betas

    @property
    def alpha_bars(self) -> torch.Tensor:
        """``abar_t = prod_{s < t} a_s`` for ``t = 0..T``, shape ``(T + 1,)``, ``abar_0 = 1``."""
        return torch.cat([torch.ones(1, dtype=torch.float64), torch.cumprod(self.alphas, 0)])

    @property
    def snr(self) -> torch.Tensor:
        """Signal-to-noise ratio ``abar_t / (1 - abar_t)``, shape ``(T + 1,)`` (``inf`` at ``t = 0``)."""
        ab = self.alpha_bars
        return ab / (1.0 - ab)

    @property
    def log_snr(self) -> torch.Tensor:
        """``log(abar_t / (1 - abar_t))``, shape ``(T + 1,)`` (``inf`` at ``t = 0``)."""
        ab = self.alpha_bars
        return torch.log(ab) - torch.log1p(-ab)


def _check_T(T: int) -> None:
    if not isinstance(T, int) or isinstance(T, bool) or T < 1:
        raise ValueError(f"T must be an integer >= 1, got {T!r}")


def constant_schedule(T: int = 1000, beta: float = 0.01) -> Schedule:
    """The same ``beta`` at every step: ``abar_t = (1 - beta)^t``."""
    _check_T(T)
    return Schedule("constant", torch.full((T,), float(beta), dtype=torch.float64))


def linear_schedule(T: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02) -> Schedule:
    """DDPM's linear schedule (Ho et al., 2020), ``beta`` from ``beta_start`` to ``beta_end``.

    The endpoints are those of DDPM at ``T = 1000``; for another ``T`` they are
    rescaled by ``1000 / T`` so that ``abar_T`` stays near zero (as in Improved DDPM).
    """
    _check_T(T)
    scale = 1000.0 / T
    return Schedule("linear", torch.linspace(beta_start * scale, min(beta_end * scale, 0.999), T, dtype=torch.float64))


def cosine_schedule(T: int = 1000, s: float = 0.008, max_beta: float = 0.999) -> Schedule:
    """Nichol and Dhariwal (2021): ``abar(t) = f(t) / f(0)``, ``f(t) = cos^2(((t/T + s)/(1 + s)) pi/2)``.

    ``beta_t = 1 - abar(t + 1) / abar(t)``, clipped at ``max_beta`` to avoid a
    singularity at ``t = T``.
    """
    _check_T(T)
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    abar = f / f[0]
    betas = (1.0 - abar[1:] / abar[:-1]).clamp(min=1e-12, max=max_beta)
    return Schedule("cosine", betas)


def make_schedule(name: str, T: int = 1000) -> Schedule:
    """Build a schedule by name: one of ``SCHEDULES``."""
    builders = {"constant": constant_schedule, "linear": linear_schedule, "cosine": cosine_schedule}
    if name not in builders:
        raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")
    return builders[name](T)


@dataclass(frozen=True)
class StepBudget:
    """How a schedule's ``T`` noisy steps ``t = 1..T`` split by ``abar_t`` (``threshold`` = ``thr``).

    almost clean: ``abar_t > 1 - thr``; almost pure noise: ``abar_t < thr``; useful: the rest.
    """

    name: str
    T: int
    clean: int
    useful: int
    noise: int

    @property
    def noise_fraction(self) -> float:
        return self.noise / self.T


def step_budget(schedule: Schedule, threshold: float) -> StepBudget:
    """Count the steps ``t = 1..T`` with ``abar_t < threshold``, ``abar_t > 1 - threshold``, and in between."""
    if not 0.0 < threshold < 0.5:
        raise ValueError(f"threshold must be in (0, 0.5), got {threshold}")
    ab = schedule.alpha_bars[1:]  # (T,): t = 1..T
    noise = int((ab < threshold).sum())
    clean = int((ab > 1 - threshold).sum())
    return StepBudget(schedule.name, schedule.T, clean, schedule.T - noise - clean, noise)
