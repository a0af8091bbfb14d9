"""Train a named recipe from the command line.

    python -m core.train RECIPE [--steps N] [--resume] [--device cpu|cuda] [--threads K] [--data-root DIR]
                                [--snapshots 100,250,1000]

Wraps the one loop (:func:`core.training.loop.train`) with a progress bar, periodic resume state
(``runs/RECIPE/resume.safetensors``, every ``--every`` steps) and, at the end, writes the EMA
weights to the checkpoint folder (:func:`core.paths.checkpoints`) as ``RECIPE.safetensors``
with its JSON sidecar. ``--snapshots`` also keeps the EMA weights at the given steps, in half
precision, as ``runs/RECIPE/snapshots/RECIPE-stepN`` (the film strip of how a generator improves
while it trains; see :mod:`core.forensics.evolution`). An existing checkpoint is never replaced unless ``--overwrite`` says so.
The manifest is refreshed by ``python -m core.evaluate``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import torch

from core import paths
from core.data import DatasetUnavailable, batches_from
from core.io.checkpoints import CheckpointError, save_checkpoint
from core.nets import count_params
from core.training.loop import StepInfo, TrainState, new_state, train
from core.training.recipes import (
    RECIPES,
    build_model,
    latent_record,
    make_loss,
    num_classes,
    recipe_record,
    training_data,
)
from core.training.resume import load_resume, save_resume


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _steps_list(text: str) -> tuple[int, ...]:
    try:
        steps = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected step numbers separated by commas, got {text!r}") from None
    if not steps or steps[0] < 1:
        raise argparse.ArgumentTypeError(f"snapshot steps must be at least 1, got {text!r}")
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.train", description="Train a named recipe.")
    parser.add_argument("recipe", choices=sorted(RECIPES))
    parser.add_argument("--steps", type=_positive, help="total optimiser steps (default: the recipe's)")
    parser.add_argument("--resume", action="store_true", help="continue from runs/RECIPE/resume.safetensors")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=_positive, default=1, help="torch threads on the CPU (default 1)")
    parser.add_argument("--every", type=_positive, default=250, help="save resume state every N steps")
    parser.add_argument("--out", type=Path, default=None, help="folder for the final checkpoint (default: the checkpoint folder)")
    parser.add_argument("--runs", type=Path, default=paths.RUNS, help="where resume state goes")
    parser.add_argument("--data-root", help="a torchvision data root with the full training sets")
    parser.add_argument("--snapshots", type=_steps_list, default=(),
                        help="also keep the EMA weights at these steps (comma-separated), in runs/RECIPE/snapshots")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing checkpoint of the same name")
    args = parser.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA GPU is available here")
    if args.data_root:
        os.environ[paths.DATA_ENV] = args.data_root
    recipe = RECIPES[args.recipe]
    steps = args.steps or recipe.steps
    out = (args.out or paths.checkpoints()) / recipe.name
    if out.with_suffix(".safetensors").exists() and not args.overwrite:
        parser.error(f"{out}.safetensors exists; pass --overwrite to replace it, or --out another folder")

    from tqdm import tqdm

    torch.set_num_threads(args.threads)
    torch.manual_seed(recipe.seed)  # this process is the run's own: makes dropout (the CIFAR-10 classifier) repeatable
    generator = torch.Generator().manual_seed(recipe.seed)
    try:
        x, y = training_data(recipe, args.device)
    except (DatasetUnavailable, CheckpointError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    model = build_model(recipe, tuple(x.shape[1:]), generator=torch.Generator().manual_seed(recipe.seed))
    opt = recipe.optimisation(steps)
    state: TrainState = new_state(model.to(args.device), opt)
    resume = args.runs / recipe.name / "resume"
    wall_before = 0.0
    if args.resume and resume.with_suffix(".safetensors").exists():
        try:
            wall_before = load_resume(resume, state, generator, recipe.name, args.device)
        except (ValueError, CheckpointError) as err:
            print(f"error: cannot resume: {err}", file=sys.stderr)
            return 2
    batches = batches_from(x, y, recipe.batch_size, recipe.seed, start=state.step)
    start = time.time()
    bar = tqdm(total=steps, initial=state.step, desc=recipe.name, unit="step")

    def on_step(info: StepInfo) -> None:
        bar.update(1)
        if info.step % 25 == 0:
            bar.set_postfix(loss=f"{sum(state.losses[-25:]) / 25:.4f}")
        if info.step in args.snapshots:
            save_checkpoint(args.runs / recipe.name / "snapshots" / f"{recipe.name}-step{info.step}", state.result,
                            kind=recipe.net, extra={"recipe": recipe_record(recipe), "steps": info.step}, half=True)
        if info.step % args.every == 0:
            save_resume(resume, state, generator, recipe.name, wall_before + time.time() - start)

    train(state, make_loss(recipe, num_classes(model)), batches, opt, generator=generator, on_step=on_step)
    bar.close()
    wall = wall_before + time.time() - start
    save_resume(resume, state, generator, recipe.name, wall)
    images_per_second = state.step * recipe.batch_size / max(wall, 1e-9)
    device = torch.cuda.get_device_name() if args.device == "cuda" else f"{platform.processor() or platform.machine()} CPU, {args.threads} thread(s)"
    path = save_checkpoint(
        out, state.result, kind=recipe.net,
        extra={"recipe": recipe_record(recipe), "steps": state.step, "wall_seconds": round(wall, 1),
               "hardware": device, "images_per_second": round(images_per_second, 1),
               "final_loss": sum(state.losses[-100:]) / max(1, len(state.losses[-100:])),
               "num_params": count_params(state.result), **latent_record(recipe)},
    )
    print(f"saved {path} after {state.step} steps in {wall / 60:.1f} min ({images_per_second:.0f} images/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
