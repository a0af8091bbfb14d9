"""The same prompt through a generator's training: snapshots of one model, best of 4 by the judge.

The lecture shows one prompt through MidJourney v1 to v7 ("best of 4", controlled seed). Here the
"versions" are snapshots of one of our own models along its training (``python -m core.train RECIPE
--snapshots ...``, shipped in half precision under ``assets/checkpoints/snapshots/``), the prompt is a
digit, and "best of 4" is chosen by the shipped classifier: of four samples drawn from the same
seeds at every stage, the one it finds most convincingly the asked digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.data import to_uint8
from core.io.checkpoints import Checkpoint
from core.sampling.generate import generate

__all__ = ["EVOLUTION_MODEL", "SNAPSHOT_STEPS", "Stage", "best_of", "film_strip", "snapshot_name"]

EVOLUTION_MODEL = "mnist-flow-random"
"""The model whose training is shown (its final stage is the shipped checkpoint itself)."""
SNAPSHOT_STEPS = (60, 150, 400, 1000, 2000)
"""Steps at which its EMA weights were kept (the recipe's own total, 4,500, is the final stage)."""


def snapshot_name(model: str, step: int) -> str:
    """The checkpoint name of ``model`` after ``step`` training steps (for :func:`core.io.load`)."""
    return f"snapshots/{model}-step{step}"


@dataclass(frozen=True)
class Stage:
    """One frame of the film strip: every candidate, which one the judge picked, and how sure it was."""

    candidates: torch.Tensor  # (k, C, H, W) in [-1, 1]
    probabilities: torch.Tensor  # (k,) the judge's probability of the asked label
    best: int

    @property
    def image(self) -> torch.Tensor:
        return self.candidates[self.best]


@torch.no_grad()
def best_of(ckpt: Checkpoint, judge: torch.nn.Module, *, label: int, seed: int, k: int = 4, steps: int = 10,
            method: str | None = None, guidance: float = 1.0) -> Stage:
    """``k`` samples of ``label`` from ``ckpt`` (the same starting noise for the same ``seed``), and the one
    ``judge`` (a classifier) gives the highest probability of ``label``."""
    images = generate(ckpt, k, steps=steps, method=method, seed=seed, label=label, guidance=guidance).images
    probs = judge(images).softmax(-1)[:, label]
    return Stage(images, probs, int(probs.argmax()))


def film_strip(ckpts: list[Checkpoint], judge: torch.nn.Module, *, label: int, seed: int, k: int = 4,
               steps: int = 10) -> dict[str, np.ndarray]:
    """:func:`best_of` at every stage: ``cells`` uint8 ``(k, stages, C, H, W)`` (rows: candidates, columns:
    stages), ``probs`` ``(k, stages)`` (the judge's probability of ``label``), ``best`` ``(stages,)``."""
    stages = [best_of(c, judge, label=label, seed=seed, k=k, steps=steps) for c in ckpts]
    return {"cells": torch.stack([to_uint8(s.candidates) for s in stages], dim=1).numpy(),
            "probs": torch.stack([s.probabilities for s in stages], dim=1).numpy(),
            "best": np.array([s.best for s in stages])}
