"""Reverse diffusion: DDPM (ancestral) and DDIM samplers.

A sampler is a pure function ``(model, x_T, schedule, *, steps, generator, callback)``.
``model(x_t, t)`` takes ``x_t`` of shape ``(B, ...)`` and integer steps ``t`` of
shape ``(B,)`` and returns a prediction of kind ``prediction`` (``eps``, ``x0``
or ``v``). After every step the ``callback`` receives a :class:`DiffusionStep`
holding everything a page needs to show that step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from core.diffusion.process import convert_prediction, posterior
from core.diffusion.schedules import Schedule

Denoiser = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class DiffusionStep:
    """One reverse step ``I_t -> I_s`` (``s < t``); tensors are ``(B, ...)``, ``sigma`` a scalar tensor."""

    index: int  # 0 for the first step (from t = T)
    t: int
    s: int
    x_t: torch.Tensor
    eps: torch.Tensor  # predicted noise
    x0: torch.Tensor  # one-shot estimate of I_0
    mean: torch.Tensor  # posterior mean of I_s
    sigma: torch.Tensor  # standard deviation of the noise added
    x_s: torch.Tensor  # the new state


def timesteps(schedule: Schedule, steps: int | None = None) -> list[int]:
    """Decreasing integer times ``[T, ..., 0]`` with ``steps`` evenly spaced jumps (all ``T`` by default)."""
    T = schedule.T
    steps = T if steps is None else steps
    if not 1 <= steps <= T:
        raise ValueError(f"steps must be in 1..{T}, got {steps}")
    ts = torch.linspace(T, 0, steps + 1, dtype=torch.float64).round().long().tolist()
    return ts


def _predict(model: Denoiser, x: torch.Tensor, t: int, schedule: Schedule, prediction: str):
    t_batch = torch.full((x.shape[0],), t, dtype=torch.long, device=x.device)
    out = model(x, t_batch)
    return convert_prediction(out, x, t, schedule, prediction)


def _clip(x0: torch.Tensor, clip: float | None) -> torch.Tensor:
    return x0 if clip is None else x0.clamp(-clip, clip)


@torch.no_grad()
def sample_ddpm(
    model: Denoiser,
    x: torch.Tensor,
    schedule: Schedule,
    *,
    steps: int | None = None,
    prediction: str = "eps",
    clip_x0: float | None = 1.0,
    generator: torch.Generator | None = None,
    callback: Callable[[DiffusionStep], None] | None = None,
) -> torch.Tensor:
    """Ancestral sampling (Ho et al., DDPM 2020, Algorithm 2), optionally on a strided time grid.

    At each step: predict, estimate ``I_0``, then draw ``I_s ~ N(mean, sigma^2)`` from the
    posterior ``q(I_s | I_t, I_0)``. ``x`` is ``I_T ~ N(0, I)``, shape ``(B, ...)``.
    """
    ts = timesteps(schedule, steps)
    for i, (t, s) in enumerate(zip(ts[:-1], ts[1:])):
        pred = _predict(model, x, t, schedule, prediction)
        x0 = _clip(pred.x0, clip_x0)
        eps = pred.eps if clip_x0 is None else _eps_from(x, x0, t, schedule)
        post = posterior(x0, x, t, schedule, s)
        z = torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        x_s = post.mean + post.sigma * z
        if callback is not None:
            callback(DiffusionStep(i, t, s, x, eps, x0, post.mean, post.sigma, x_s))
        x = x_s
    return x


@torch.no_grad()
def sample_ddim(
    model: Denoiser,
    x: torch.Tensor,
    schedule: Schedule,
    *,
    steps: int | None = 50,
    eta: float = 0.0,
    prediction: str = "eps",
    clip_x0: float | None = 1.0,
    generator: torch.Generator | None = None,
    callback: Callable[[DiffusionStep], None] | None = None,
) -> torch.Tensor:
    """DDIM (Song, Meng and Ermon, 2021, eq. 12): deterministic when ``eta = 0``, DDPM when ``eta = 1``.

    ``I_s = sqrt(abar_s) I0_hat + sqrt(1 - abar_s - sigma^2) eps_hat + sigma z``, with
    ``sigma = eta sqrt((1 - abar_s)/(1 - abar_t)) sqrt(1 - abar_t/abar_s)``.
    """
    ab = schedule.alpha_bars
    ts = timesteps(schedule, steps)
    for i, (t, s) in enumerate(zip(ts[:-1], ts[1:])):
        pred = _predict(model, x, t, schedule, prediction)
        x0 = _clip(pred.x0, clip_x0)
        eps = pred.eps if clip_x0 is None else _eps_from(x, x0, t, schedule)
        ab_t, ab_s = ab[t], ab[s]
        sigma = eta * ((1 - ab_s) / (1 - ab_t) * (1 - ab_t / ab_s)).clamp(min=0).sqrt()
        sigma = sigma.to(x.dtype)
        mean = ab_s.sqrt().to(x.dtype) * x0 + (1 - ab_s - sigma**2).clamp(min=0).sqrt().to(x.dtype) * eps
        z = torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        x_s = mean + sigma * z
        if callback is not None:
            callback(DiffusionStep(i, t, s, x, eps, x0, mean, sigma, x_s))
        x = x_s
    return x


def _eps_from(x_t: torch.Tensor, x0: torch.Tensor, t: int, schedule: Schedule) -> torch.Tensor:
    """Noise consistent with a (clipped) ``I_0`` estimate: ``(I_t - sqrt(abar_t) I_0) / sqrt(1 - abar_t)``."""
    ab = schedule.alpha_bars[t].to(x_t.dtype)
    return (x_t - ab.sqrt() * x0) / (1 - ab).sqrt()


SAMPLERS = {"ddpm": sample_ddpm, "ddim": sample_ddim}
