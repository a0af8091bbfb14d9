"""Resume state of a training run: everything needed to continue it bit for bit (no pickle).

Weights, EMA, optimiser, the run's random generator, the losses so far and the step, in one
``.safetensors`` file written atomically (:func:`core.io.state.save_state`). Mini-batches are a pure
function of the step (:func:`core.data.batch_at`), so a resumed run sees exactly the batches it
would have seen.
"""

from __future__ import annotations

from pathlib import Path

import torch

from core.io.state import load_state, save_state
from core.training.loop import TrainState

__all__ = ["load_resume", "save_resume"]


def save_resume(path: Path, state: TrainState, generator: torch.Generator, recipe_name: str, wall: float) -> None:
    """Write ``state`` and ``generator`` to ``path`` (``NAME`` or ``NAME.safetensors``)."""
    saved = {"model": state.model.state_dict(), "optimizer": state.optimizer.state_dict(),
             "rng": generator.get_state(), "losses": torch.tensor(state.losses)}
    if state.ema is not None:
        saved["ema"] = state.ema.state_dict()
    save_state(path, saved, {"step": state.step, "recipe": recipe_name, "wall_seconds": wall})


def load_resume(path: Path, state: TrainState, generator: torch.Generator, recipe_name: str, device: str = "cpu") -> float:
    """Restore what :func:`save_resume` wrote into ``state`` and ``generator``; returns the wall time so far.

    Raises:
        ValueError: the file holds another recipe's run, or does not fit this model.
        core.io.CheckpointError: the file is missing, truncated or not a resume state.
    """
    saved, meta = load_state(path, map_location=device)
    if meta.get("recipe") != recipe_name:
        raise ValueError(f"{path} holds a run of {meta.get('recipe')!r}, not {recipe_name!r}")
    try:
        state.model.load_state_dict(saved["model"])
        if state.ema is not None:
            state.ema.load_state_dict(saved["ema"])
        state.optimizer.load_state_dict(saved["optimizer"])
        generator.set_state(saved["rng"])
        state.step, state.losses = int(meta["step"]), saved["losses"].tolist()
    except (KeyError, RuntimeError) as err:
        raise ValueError(f"{path} does not fit this recipe's model: {err}") from err
    return float(meta.get("wall_seconds", 0.0))
