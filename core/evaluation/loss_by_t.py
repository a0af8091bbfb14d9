"""A diffusion model's errors as a function of the step ``t``: where is denoising hard?

The noise error of :func:`core.training.objectives.diffusion_objective` with ``t`` held fixed
instead of drawn, and the error of the one-shot estimate of ``I_0``, for a network that predicts
the noise, the image or the velocity (its output read as all three by
:func:`core.diffusion.convert_prediction`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from core.diffusion.process import convert_prediction, q_sample
from core.diffusion.schedules import Schedule
from core.evaluation.quality import heldout
from core.io.checkpoints import Checkpoint
from core.sampling.generate import image_data, recipe_of, schedule_of

__all__ = ["LossByT", "diffusion_loss_curve", "loss_by_t"]


@dataclass(frozen=True)
class LossByT:
    """Mean errors of a diffusion model at fixed steps ``t`` (each a list, one value per ``t``; "mean" is
    over the images and the pixels).

    ``eps_mse``: ``mean (eps_hat - eps)^2`` (a noise-prediction model's training loss at that ``t``);
    ``eps_sem``: its standard error over the images;
    ``x0_mse``: ``mean (I0_hat - I_0)^2`` of the one-shot estimate; for a noise-prediction model it is
    ``(1 - abar_t) / abar_t * eps_mse``, image by image (dividing by ``sqrt(abar_t)`` amplifies the error).
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
    prediction: str = "eps",
    seed: int = 0,
    batch_size: int = 256,
) -> LossByT:
    """The errors of a network ``net(I_t, t / T[, y])`` predicting ``prediction`` at each fixed step ``t``.

    ``I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps``; the output is read as ``eps_hat`` and ``I0_hat``
    (:func:`core.diffusion.convert_prediction`), and ``mean (eps_hat - eps)^2`` (for ``eps``: exactly the
    training loss with ``t`` held fixed) and ``mean (I0_hat - I_0)^2`` are averaged over the images.
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
    eps_mse, eps_sem, x0_mse = [], [], []
    for t in ts:
        per_eps, per_x0 = [], []
        for lo in range(0, len(x0), batch_size):
            xb, eb = x0[lo : lo + batch_size], eps[lo : lo + batch_size]
            t_b = torch.full((len(xb),), t, dtype=torch.long)
            x_t = q_sample(xb, t_b, schedule, eb)
            args = (x_t, t_b.to(x0.dtype) / schedule.T) + (() if labels is None else (labels[lo : lo + batch_size],))
            read = convert_prediction(net(*args), x_t, t_b, schedule, prediction)
            per_eps.append((read.eps - eb).pow(2).flatten(1).mean(1))  # (B,): mean over coordinates
            per_x0.append((read.x0 - xb).pow(2).flatten(1).mean(1))
        e = torch.cat(per_eps).double()
        eps_mse.append(float(e.mean()))
        eps_sem.append(float(e.std() / math.sqrt(len(e))) if len(e) > 1 else 0.0)
        x0_mse.append(float(torch.cat(per_x0).double().mean()))
    return LossByT(ts, eps_mse, eps_sem, x0_mse)


def diffusion_loss_curve(ckpt: Checkpoint, n_images: int = 64, seed: int = 0) -> dict[str, Any]:
    """A diffusion model's noise error and one-shot image error at 40 fixed steps t on held-out images.

    ``n_images`` held-out images with their labels, one fixed ``eps`` each (see
    :func:`loss_by_t`). Stored in the manifest so the training page need not
    recompute it; ``sha256`` says which weights it belongs to.
    """
    sch = schedule_of(ckpt)
    _, held, held_labels = heldout(image_data(ckpt))
    pick = torch.randperm(len(held), generator=torch.Generator().manual_seed(seed))[:n_images]
    x0, labels = held[pick], held_labels[pick]
    ts = sorted({1, 2, 5, 10, 20, *np.linspace(25, sch.T, 35).round().astype(int).tolist()})
    res = loss_by_t(ckpt.model, x0, sch, ts, labels=labels, prediction=recipe_of(ckpt)["prediction"], seed=seed)
    return {"ts": res.ts, "eps_mse": res.eps_mse, "eps_sem": res.eps_sem, "x0_mse": res.x0_mse,
            "alpha_bars": sch.alpha_bars[res.ts].tolist(), "n_images": n_images, "sha256": ckpt.sha256}
