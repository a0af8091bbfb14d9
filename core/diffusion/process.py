"""Forward noising, prediction targets and the DDPM posterior.

Conventions (see ``core``): integer steps ``t = 0..T``, ``t = 0`` is the clean
image. ``abar_t = Schedule.alpha_bars[t]``.

* one forward step:  ``I_{t+1} = sqrt(a_t) I_t + sqrt(1 - a_t) eps``
* closed form:       ``I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps``
* a network predicts the noise ``eps``, the image ``I_0`` or the velocity
  ``v = sqrt(abar_t) eps - sqrt(1 - abar_t) I_0`` (Salimans and Ho, 2022);
  given ``I_t`` any one of them determines the other two.
* the reverse step samples the posterior ``q(I_s | I_t, I_0)``, ``s < t``
  (``s = t - 1`` in DDPM), with ``I_0`` replaced by the network's estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.diffusion.schedules import Schedule

PREDICTIONS = ("eps", "x", "v")
"""What a network may predict: the noise, the clean image (``x``, as in "x-prediction", Li and He 2025; the same name
in flow matching, :data:`core.flow.FLOW_PREDICTIONS`) or the velocity."""


def _at(values: torch.Tensor, t: torch.Tensor | int, like: torch.Tensor) -> torch.Tensor:
    """``values[t]`` broadcast against ``like`` (shape ``(B, 1, ..., 1)`` or scalar), in ``like``'s dtype."""
    T1 = len(values)
    t = torch.as_tensor(t, dtype=torch.long)
    if bool(((t < 0) | (t >= T1)).any()):
        raise ValueError(f"time step out of range 0..{T1 - 1}: {t.tolist()}")
    v = values.to(like.device)[t.to(like.device)].to(like.dtype)
    if v.ndim == 1:  # one step per sample: (B,) -> (B, 1, ..., 1)
        if like.ndim == 0 or len(v) != like.shape[0]:
            raise ValueError(f"{len(v)} time steps for a batch of shape {tuple(like.shape)}")
        v = v.reshape(-1, *([1] * (like.ndim - 1)))
    return v


def _check_same_shape(**tensors: torch.Tensor) -> None:
    shapes = {name: tuple(x.shape) for name, x in tensors.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"shapes must match: {shapes}")


# ---------------------------------------------------------------- forward noising


def q_step(x_t: torch.Tensor, t: torch.Tensor | int, schedule: Schedule, eps: torch.Tensor) -> torch.Tensor:
    """One forward step: ``I_{t+1} = sqrt(a_t) I_t + sqrt(1 - a_t) eps``.

    x_t, eps: (B, ...) ; t: int or (B,) with ``0 <= t < T``. Returns ``I_{t+1}``.
    """
    _check_same_shape(x_t=x_t, eps=eps)
    a = _at(schedule.alphas, t, x_t)
    return a.sqrt() * x_t + (1 - a).sqrt() * eps


def q_sample(x0: torch.Tensor, t: torch.Tensor | int, schedule: Schedule, eps: torch.Tensor) -> torch.Tensor:
    """Closed form: ``I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps``.

    x0, eps: (B, ...) ; t: int or (B,) with ``0 <= t <= T``.
    """
    _check_same_shape(x0=x0, eps=eps)
    ab = _at(schedule.alpha_bars, t, x0)
    return ab.sqrt() * x0 + (1 - ab).sqrt() * eps


def q_sample_iterative(
    x0: torch.Tensor,
    t: int,
    schedule: Schedule,
    *,
    generator: torch.Generator | None = None,
    return_all: bool = False,
) -> torch.Tensor:
    """Apply :func:`q_step` ``t`` times with fresh noise each time.

    Returns ``I_t`` (shape of ``x0``), or with ``return_all`` every ``I_0..I_t``
    stacked, shape ``(t + 1, *x0.shape)``. Same distribution as :func:`q_sample`.
    """
    if not 0 <= t <= schedule.T:
        raise ValueError(f"t must be in 0..{schedule.T}, got {t}")
    x, path = x0, [x0]
    for s in range(t):
        eps = torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        x = q_step(x, s, schedule, eps)
        if return_all:
            path.append(x)
    return torch.stack(path) if return_all else x


# ---------------------------------------------------------------- prediction targets


@dataclass(frozen=True)
class Prediction:
    """What a network's output means, converted to all three targets. Each is ``(B, ...)``."""

    eps: torch.Tensor
    x0: torch.Tensor
    v: torch.Tensor


def eps_to_x0(x_t: torch.Tensor, eps: torch.Tensor, abar: torch.Tensor) -> torch.Tensor:
    """One-shot estimate ``I_0 = (I_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)``."""
    return (x_t - (1 - abar).sqrt() * eps) / abar.sqrt()


def x0_to_eps(x_t: torch.Tensor, x0: torch.Tensor, abar: torch.Tensor) -> torch.Tensor:
    """``eps = (I_t - sqrt(abar_t) I_0) / sqrt(1 - abar_t)``."""
    return (x_t - abar.sqrt() * x0) / (1 - abar).sqrt()


def velocity(x0: torch.Tensor, eps: torch.Tensor, abar: torch.Tensor) -> torch.Tensor:
    """``v = sqrt(abar_t) eps - sqrt(1 - abar_t) I_0`` (Salimans and Ho, 2022)."""
    return abar.sqrt() * eps - (1 - abar).sqrt() * x0


def convert_prediction(
    output: torch.Tensor, x_t: torch.Tensor, t: torch.Tensor | int, schedule: Schedule, kind: str
) -> Prediction:
    """Read a network ``output`` of type ``kind`` (``eps``, ``x`` or ``v``) at ``I_t`` as all three targets.

    Uses ``I_t = sqrt(abar) I_0 + sqrt(1 - abar) eps`` and ``v = sqrt(abar) eps - sqrt(1 - abar) I_0``,
    so ``I_0 = sqrt(abar) I_t - sqrt(1 - abar) v`` and ``eps = sqrt(1 - abar) I_t + sqrt(abar) v``.
    """
    _check_same_shape(output=output, x_t=x_t)
    ab = _at(schedule.alpha_bars, t, x_t)
    if kind == "eps":
        eps = output
        x0 = eps_to_x0(x_t, eps, ab)
    elif kind == "x":
        x0 = output
        eps = x0_to_eps(x_t, x0, ab)
    elif kind == "v":
        x0 = ab.sqrt() * x_t - (1 - ab).sqrt() * output
        eps = (1 - ab).sqrt() * x_t + ab.sqrt() * output
    else:
        raise ValueError(f"unknown prediction {kind!r}; choose one of {', '.join(PREDICTIONS)}")
    return Prediction(eps=eps, x0=x0, v=velocity(x0, eps, ab))


def training_target(x0: torch.Tensor, eps: torch.Tensor, t: torch.Tensor | int, schedule: Schedule, kind: str) -> torch.Tensor:
    """What a network trained to predict ``kind`` should output at ``I_t`` (the regression target)."""
    if kind == "eps":
        return eps
    if kind == "x":
        return x0
    if kind == "v":
        return velocity(x0, eps, _at(schedule.alpha_bars, t, x0))
    raise ValueError(f"unknown prediction {kind!r}; choose one of {', '.join(PREDICTIONS)}")


# ---------------------------------------------------------------- the posterior


@dataclass(frozen=True)
class Posterior:
    """``q(I_s | I_t, I_0) = N(mean, sigma^2 I)``; mean is ``(B, ...)``, sigma broadcastable to it."""

    mean: torch.Tensor
    sigma: torch.Tensor


def posterior(
    x0: torch.Tensor,
    x_t: torch.Tensor,
    t: torch.Tensor | int,
    schedule: Schedule,
    s: torch.Tensor | int | None = None,
) -> Posterior:
    """DDPM posterior ``q(I_s | I_t, I_0)`` for ``s < t`` (default ``s = t - 1``; Ho et al. 2020, eq. 6-7).

    With ``a_{t|s} = abar_t / abar_s`` (which is ``a_{t-1}`` when ``s = t - 1``)::

        mean    = sqrt(abar_s) (1 - a_{t|s}) / (1 - abar_t) * I_0
                + sqrt(a_{t|s}) (1 - abar_s) / (1 - abar_t) * I_t
        sigma^2 = (1 - abar_s) / (1 - abar_t) * (1 - a_{t|s})

    At ``s = 0`` the mean is ``I_0`` and ``sigma = 0``.
    """
    _check_same_shape(x0=x0, x_t=x_t)
    t = torch.as_tensor(t, dtype=torch.long)
    s = t - 1 if s is None else torch.as_tensor(s, dtype=torch.long)
    if bool((s >= t).any()) or bool((s < 0).any()):
        raise ValueError("the posterior needs 0 <= s < t")
    ab_t = _at(schedule.alpha_bars, t, x_t)
    ab_s = _at(schedule.alpha_bars, s, x_t)
    a_ts = ab_t / ab_s
    mean = (ab_s.sqrt() * (1 - a_ts) * x0 + a_ts.sqrt() * (1 - ab_s) * x_t) / (1 - ab_t)
    var = (1 - ab_s) / (1 - ab_t) * (1 - a_ts)
    return Posterior(mean=mean, sigma=var.clamp(min=0).sqrt())
