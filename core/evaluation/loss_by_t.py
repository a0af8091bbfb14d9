"""A diffusion model's loss as a function of the step ``t``: where is denoising hard?

Exactly the training loss of :func:`core.training.objectives.diffusion_objective` for noise
prediction, with ``t`` held fixed instead of drawn, and the error of the one-shot estimate of
``I_0`` that follows from it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from core.diffusion.process import q_sample
from core.diffusion.schedules import Schedule
from core.evaluation.quality import heldout
from core.io.checkpoints import Checkpoint
from core.sampling.generate import image_data, schedule_of

__all__ = ["LossByT", "diffusion_loss_curve", "loss_by_t"]


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


def diffusion_loss_curve(ckpt: Checkpoint, n_images: int = 64, seed: int = 0) -> dict[str, Any]:
    """A diffusion model's noise loss (and one-shot image error) at 40 fixed steps t on held-out images.

    ``n_images`` held-out images with their labels, one fixed ``eps`` each (see
    :func:`loss_by_t`). Stored in the manifest so the training page need not
    recompute it; ``sha256`` says which weights it belongs to.
    """
    sch = schedule_of(ckpt)
    _, held, held_labels = heldout(image_data(ckpt))
    pick = torch.randperm(len(held), generator=torch.Generator().manual_seed(seed))[:n_images]
    x0, labels = held[pick], held_labels[pick]
    ts = sorted({1, 2, 5, 10, 20, *np.linspace(25, sch.T, 35).round().astype(int).tolist()})
    res = loss_by_t(ckpt.model, x0, sch, ts, labels=labels, seed=seed)
    return {"ts": res.ts, "eps_mse": res.eps_mse, "eps_sem": res.eps_sem, "x0_mse": res.x0_mse,
            "alpha_bars": sch.alpha_bars[res.ts].tolist(), "n_images": n_images, "sha256": ckpt.sha256}
