"""The training objectives, one function each: the loss a page writes on screen is the one that runs.

Every objective is built by a factory and has the signature of :data:`core.training.loop.LossFn`,
``loss(model, batch, generator) -> scalar``; ``batch`` is ``(x, y)``: data ``(B, ...)`` (images in
``[-1, 1]``, latents or toy points) and class labels ``(B,)`` or ``None``. All random draws come from
``generator``. "Mean" below is over the batch *and* the coordinates (``F.mse_loss``), so a loss is
the squared error per number, whatever the size of the data.

* :func:`diffusion_objective` (lecture, part 3; DDPM, Ho et al. 2020, Algorithm 1):
  ``t ~ U{1..T}``, ``eps ~ N(0, I)``, ``I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps``,
  ``L = mean (net(I_t, t / T) - target)^2`` with target ``eps``, ``I_0`` or
  ``v = sqrt(abar_t) eps - sqrt(1 - abar_t) I_0`` (lecture, part 6).
* :func:`flow_objective` (lecture, part 8; Lipman et al. 2023, Liu et al. 2023): noise ``X``,
  data ``Y`` re-paired (at random or by OT), ``t ~ U[0, 1]``, ``I_t = (1 - t) X + t Y``,
  ``L = mean (v(I_t, t) - (Y - X))^2``.
* :func:`reconstruction_objective` (part 1): ``L = mean (D(E(x)) - x)^2``.
* :func:`vae_objective` (part 7): reconstruction + ``kl_weight`` KL (sums per image, mean over the batch).
* :func:`classifier_objective`: cross-entropy, optionally with random left-right flips.

Class-conditional nets see their labels replaced by the null label ``num_classes`` with probability
``p_uncond``, so that one net also learns the unconditional model (classifier-free guidance, Ho and
Salimans 2022).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from core.diffusion.process import q_sample, training_target
from core.diffusion.schedules import Schedule
from core.flow.pairing import block_ot_permutation, ot_permutation
from core.flow.paths import flow_matching_loss
from core.nets import vae_loss
from core.training.loop import LossFn

__all__ = [
    "classifier_objective",
    "diffusion_objective",
    "drop_labels",
    "flow_objective",
    "reconstruction_objective",
    "vae_objective",
]

Source = Callable[[int, torch.Generator], torch.Tensor]
"""``source(n, generator) -> (n, ...)``: where a flow starts (noise, or another toy distribution)."""


def drop_labels(y: torch.Tensor | None, num_classes: int, p_uncond: float, g: torch.Generator) -> torch.Tensor | None:
    """Labels ``y`` with each replaced by the null label ``num_classes`` with probability ``p_uncond``.

    ``None`` when the net is not class-conditional (``num_classes == 0``) or there are no labels.
    """
    if not num_classes or y is None:
        return None
    drop = (torch.rand(y.shape, generator=g) < p_uncond).to(y.device)  # drawn where the generator lives
    return torch.where(drop, torch.full_like(y, num_classes), y)


def _call(model: nn.Module, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    return model(x, t) if labels is None else model(x, t, labels)


def diffusion_objective(schedule: Schedule, prediction: str = "eps", *, num_classes: int = 0, p_uncond: float = 0.1) -> LossFn:
    """``L = mean (net(I_t, t / T[, y]) - target)^2``, ``target`` = ``eps`` | ``x0`` | ``v`` (``prediction``)."""
    T = schedule.T

    def diffusion_loss(model: nn.Module, batch, g: torch.Generator) -> torch.Tensor:
        x0, y = batch
        t = torch.randint(1, T + 1, (len(x0),), generator=g)  # (B,)
        eps = torch.randn(x0.shape, generator=g).to(x0.device)  # (B, ...)
        x_t = q_sample(x0, t, schedule, eps)  # I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps
        out = _call(model, x_t, (t.float() / T).to(x0.device), drop_labels(y, num_classes, p_uncond, g))
        return F.mse_loss(out, training_target(x0, eps, t, schedule, prediction))

    return diffusion_loss


def flow_objective(pairing: str = "random", *, prediction: str = "v", source: Source | None = None,
                   ot_block: int | None = None, num_classes: int = 0, p_uncond: float = 0.1) -> LossFn:
    """``L = mean (v_hat(I_t, t[, y]) - (Y - X))^2`` on pairs ``(X, Y)`` re-paired by ``pairing``.

    ``source``: draws ``X`` (default ``N(0, I)`` of the data's shape). ``pairing``: ``random``
    keeps the draw as it is (both sides are fresh random draws already); ``ot`` pairs by exact OT
    over the whole batch, or within blocks of ``ot_block`` rows. ``prediction``: what the net
    outputs (``v``, the clean data ``x``, or the noise ``eps``), turned into ``v_hat`` by
    :func:`core.flow.velocity_from`: the same v-loss for all three (Li and He 2025).
    """
    if pairing not in ("random", "ot"):
        raise ValueError(f"unknown pairing {pairing!r}; choose random or ot")

    def flow_loss(model: nn.Module, batch, g: torch.Generator) -> torch.Tensor:
        y1, labels = batch
        x0 = torch.randn(y1.shape, generator=g).to(y1.device) if source is None else source(len(y1), g).to(y1.device)
        if pairing == "ot":
            if ot_block is None or ot_block >= len(y1):
                perm = ot_permutation(x0, y1).cpu()
            else:
                perm = block_ot_permutation(x0.flatten(1), y1.flatten(1), ot_block).cpu()
            y1 = y1[perm.to(y1.device)]
            labels = None if labels is None else labels[perm.to(labels.device)]
        labels = drop_labels(labels, num_classes, p_uncond, g)
        t = torch.rand(len(y1), generator=g).to(y1.device)
        return flow_matching_loss(lambda xt, tt: _call(model, xt, tt, labels), x0, y1, t, prediction)

    return flow_loss


def reconstruction_objective() -> LossFn:
    """``L = mean (D(E(x)) - x)^2``: an auto-encoder learns to rebuild its input."""

    def reconstruction_loss(model: nn.Module, batch, g: torch.Generator) -> torch.Tensor:
        x, _ = batch
        return F.mse_loss(model(x), x)

    return reconstruction_loss


def vae_objective(kl_weight: float = 1.0) -> LossFn:
    """``L = ||D(z) - x||^2 + kl_weight KL(q(z | x) || N(0, I))``, ``z`` drawn with the run's generator."""

    def vae_loss_fn(model: nn.Module, batch, g: torch.Generator) -> torch.Tensor:
        x, _ = batch
        return vae_loss(model(x, generator=g), x, kl_weight).total

    return vae_loss_fn


def classifier_objective(hflip: bool = False) -> LossFn:
    """Cross-entropy of the logits against the labels; with ``hflip``, half the images flipped left-right."""

    def classifier_loss(model: nn.Module, batch, g: torch.Generator) -> torch.Tensor:
        x, y = batch
        if hflip:
            flip = (torch.rand(len(x), generator=g) < 0.5).to(x.device)
            x = torch.where(flip[:, None, None, None], x.flip(-1), x)
        return F.cross_entropy(model(x), y)

    return classifier_loss
