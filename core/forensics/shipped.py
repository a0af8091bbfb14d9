"""What the spotting page shows before any click, computed once from the shipped models and shipped in
``assets/spotting/`` (a first visit then reads files instead of sampling ~100 images):

    python -m core.forensics.shipped

the quiz pools (:func:`core.forensics.quiz.quiz_pool`), the default film strip
(:func:`core.forensics.evolution.film_strip`) and the default guidance grid
(:func:`core.forensics.bias.guidance_grid`). Each file records the sha256 of the models that made it and
the settings; the page uses it only for exactly those (:func:`core.io.arrays.load_arrays`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import torch

from core import paths
from core.evaluation.quality import CLASSIFIERS
from core.forensics.bias import GUIDANCE, guidance_grid
from core.forensics.evolution import EVOLUTION_MODEL, SNAPSHOT_STEPS, film_strip, snapshot_name
from core.forensics.quiz import QUIZ_SOURCES, pool_shas, quiz_pool, save_pool
from core.io.arrays import save_arrays
from core.io.checkpoints import load

__all__ = ["DEFAULTS", "grid_key", "pool_path", "stage_names", "strip_key"]

DEFAULTS = {"label": 3, "seed": 0, "k": 4, "steps": 10, "grid_label": 8, "grid_n": 8}
"""The page's default view: the film strip's digit and seed, the guidance grid's digit."""


def stage_names() -> list[str]:
    """The film strip's checkpoints, in order: the snapshots, then the shipped model."""
    return [*(snapshot_name(EVOLUTION_MODEL, s) for s in SNAPSHOT_STEPS), EVOLUTION_MODEL]


def pool_path(data: str) -> Path:
    return paths.SPOTTING / f"quiz-{data}.npz"


def strip_key(shas: tuple[str, ...], label: int, seed: int, k: int, steps: int) -> dict[str, Any]:
    return {"shas": list(shas), "label": label, "seed": seed, "k": k, "steps": steps}


def grid_key(sha: str, label: int, seed: int, weights: tuple[float, ...], n: int, steps: int) -> dict[str, Any]:
    return {"sha": sha, "label": label, "seed": seed, "weights": list(weights), "n": n, "steps": steps}


def main() -> int:
    torch.set_num_threads(1)
    for data in QUIZ_SOURCES:
        print("wrote", save_pool(pool_path(data), quiz_pool(data, load(CLASSIFIERS[data]).model), pool_shas(data)))
    d = DEFAULTS
    stages = [load(name) for name in stage_names()]
    strip = film_strip(stages, load("mnist-classifier").model, label=d["label"], seed=d["seed"], k=d["k"], steps=d["steps"])
    key = strip_key(tuple(c.sha256 for c in stages), d["label"], d["seed"], d["k"], d["steps"])
    print("wrote", save_arrays(paths.SPOTTING / "film-strip.npz", strip, key))
    final = stages[-1]
    grid = guidance_grid(final, label=d["grid_label"], seed=d["seed"], weights=GUIDANCE, n=d["grid_n"], steps=d["steps"])
    key = grid_key(final.sha256, d["grid_label"], d["seed"], GUIDANCE, d["grid_n"], d["steps"])
    print("wrote", save_arrays(paths.SPOTTING / "guidance-grid.npz", {"cells": grid}, key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
