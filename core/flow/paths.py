"""Flow matching: the straight path from noise to images, its loss, and where it meets diffusion.

Convention (see ``core``): ``t in [0, 1]``, ``t = 0`` is the noise ``X ~ N(0, I)``,
``t = 1`` is the image ``Y``. The straight path and its velocity are

    I_t = (1 - t) X + t Y,        d I_t / dt = Y - X,

and a network ``v(I_t, t)`` is trained with ``||v(I_t, t) - (Y - X)||^2``
(Lipman et al. 2023; Liu et al. 2023). Pairing decides which ``X`` goes with
which ``Y``: at random, or by optimal transport within the mini-batch
(Tong et al. 2024; Pooladian et al. 2023), which makes paths cross less and
the learned flow straighter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

VelocityField = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class PathSample:
    """A point on the straight path and the velocity to regress. ``x_t``, ``target``: ``(B, ...)``; ``t``: ``(B,)``."""

    x_t: torch.Tensor
    target: torch.Tensor
    t: torch.Tensor


def straight_path(x: torch.Tensor, y: torch.Tensor, t: torch.Tensor) -> PathSample:
    """``I_t = (1 - t) X + t Y`` and target velocity ``Y - X``. x (noise), y (data): ``(B, ...)``; t: ``(B,)``."""
    if x.shape != y.shape:
        raise ValueError(f"noise and data shapes differ: {tuple(x.shape)} vs {tuple(y.shape)}")
    if t.shape != (x.shape[0],):
        raise ValueError(f"t must have shape ({x.shape[0]},), got {tuple(t.shape)}")
    tb = t.to(x.dtype).reshape(-1, *([1] * (x.ndim - 1)))
    return PathSample(x_t=(1 - tb) * x + tb * y, target=y - x, t=t)


FLOW_PREDICTIONS = ("v", "x", "eps")
"""What a flow network may output: the velocity ``v = Y - X``, the clean data ``x = Y`` or the noise ``eps = X``."""
GAP = 0.05
"""The smallest ``t`` and ``1 - t`` a conversion divides by (as in JiT, Li and He 2025), so that it never blows up."""


def velocity_from(out: torch.Tensor, x_t: torch.Tensor, t: torch.Tensor, prediction: str = "v") -> torch.Tensor:
    """The velocity implied by a network's output on the straight path ``I_t = (1 - t) X + t Y``.

    ``v``: the output itself; ``x`` (the clean data): ``v = (x_hat - I_t) / (1 - t)``; ``eps`` (the
    noise): ``v = (I_t - eps_hat) / t``; the denominators are clamped to at least :data:`GAP`.
    out, x_t: ``(B, ...)``; t: ``(B,)``.
    """
    if prediction == "v":
        return out
    tb = t.to(x_t.dtype).reshape(-1, *([1] * (x_t.ndim - 1)))
    if prediction == "x":
        return (out - x_t) / (1 - tb).clamp(min=GAP)
    if prediction == "eps":
        return (x_t - out) / tb.clamp(min=GAP)
    raise ValueError(f"unknown flow prediction {prediction!r}; choose one of {', '.join(FLOW_PREDICTIONS)}")


def flow_matching_loss(model: VelocityField, x: torch.Tensor, y: torch.Tensor, t: torch.Tensor,
                       prediction: str = "v") -> torch.Tensor:
    """``mean (v_hat(I_t, t) - (Y - X))^2`` over the batch and the coordinates, a scalar (the "v-loss").

    ``v_hat`` is the network's output converted by :func:`velocity_from` (``prediction``: what the
    network outputs), so the three targets are trained with the same loss, as in Li and He (2025).
    """
    p = straight_path(x, y, t)
    return ((velocity_from(model(p.x_t, p.t), p.x_t, p.t, prediction) - p.target) ** 2).mean()


# ---------------------------------------------------------------- meeting diffusion


def diffusion_to_flow(x_t: torch.Tensor, abar: torch.Tensor | float) -> tuple[torch.Tensor, torch.Tensor]:
    """Map a diffusion state ``I_t = sqrt(abar) I_0 + sqrt(1-abar) eps`` to the flow path at equal SNR.

    With ``c = sqrt(abar) + sqrt(1 - abar)``: flow time ``tau = sqrt(abar) / c`` and
    state ``x_tau = I_t / c = (1 - tau) eps + tau I_0``. Returns ``(x_tau, tau)``.
    """
    abar = torch.as_tensor(abar, dtype=torch.float64)
    c = abar.sqrt() + (1 - abar).sqrt()
    return x_t / c.to(x_t.dtype), abar.sqrt() / c


def flow_to_diffusion(x_tau: torch.Tensor, tau: torch.Tensor | float) -> tuple[torch.Tensor, torch.Tensor]:
    """Inverse of :func:`diffusion_to_flow`: ``abar = tau^2 / (tau^2 + (1 - tau)^2)``, ``I_t = x_tau * c``."""
    tau = torch.as_tensor(tau, dtype=torch.float64)
    abar = tau**2 / (tau**2 + (1 - tau) ** 2)
    c = abar.sqrt() + (1 - abar).sqrt()
    return x_tau * c.to(x_tau.dtype), abar
