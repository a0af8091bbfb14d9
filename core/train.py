"""Train a named recipe from the command line.

    python -m core.train RECIPE [--steps N] [--resume] [--device cpu|cuda] [--threads K] [--data-root DIR]
                                [--snapshots 100,250,1000] [--batch-size B] [--minutes M]

Wraps the one loop (:func:`core.training.loop.train`) with a progress bar, periodic resume state
(``runs/RECIPE/resume.safetensors``, every ``--every`` steps) and, at the end, writes the EMA
weights to the checkpoint folder (:func:`core.paths.checkpoints`) as ``RECIPE.safetensors``
with its JSON sidecar. ``--snapshots`` also keeps the EMA weights at the given steps, in half
precision, as ``runs/RECIPE/snapshots/RECIPE-stepN`` (the film strip of how a generator improves
while it trains; see :mod:`core.forensics.evolution`). An existing checkpoint is never replaced unless ``--overwrite`` says so.
``--minutes M`` fits the run to a time budget (a GPU lent for a few minutes): the first steps of the
warm-up, whose learning rate does not depend on the total, are timed, and the total becomes the
number of steps that fits (at most ``--steps``); the checkpoint records it, so ``--steps`` reproduces the run.
The manifest is refreshed by ``python -m core.evaluate``.
"""

from __future__ import annotations

import argparse
import dataclasses
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


PROBE_STEPS = 100
"""``--minutes``: how many warm-up steps are timed before the total is chosen."""


def _minutes(text: str) -> float:
    value = float(text)
    if not 0 < value < 10_000:
        raise argparse.ArgumentTypeError(f"must be a positive number of minutes, got {text}")
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
    parser.add_argument("--batch-size", type=_positive, help="mini-batch size (default: the recipe's); recorded in the checkpoint")
    parser.add_argument("--minutes", type=_minutes,
                        help="fit the number of steps (at most --steps) to this many minutes of training, timed on the first steps")
    args = parser.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA GPU is available here")
    if args.data_root:
        os.environ[paths.DATA_ENV] = args.data_root
    recipe = RECIPES[args.recipe]
    if args.batch_size:
        recipe = dataclasses.replace(recipe, batch_size=args.batch_size)
    if args.minutes and recipe.warmup < 2:
        parser.error(f"--minutes times the warm-up steps, and {recipe.name} has {recipe.warmup}")
    steps = args.steps or recipe.steps
    out = (args.out or paths.checkpoints()) / recipe.name
    if out.with_suffix(".safetensors").exists() and not args.overwrite:
        parser.error(f"{out}.safetensors exists; pass --overwrite to replace it, or --out another folder")
    existing = out.parent  # checked before the training, not after it (and nothing is created yet)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        parser.error(f"--out {out.parent}: {existing} is not a folder this process can write in")

    from tqdm import tqdm

    torch.set_num_threads(args.threads)
    if args.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    torch.manual_seed(recipe.seed)  # this process is the run's own: makes dropout (the CIFAR-10 classifier) repeatable
    generator = torch.Generator().manual_seed(recipe.seed)
    try:
        x, y = training_data(recipe, args.device)
    except (DatasetUnavailable, CheckpointError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if recipe.batch_size > len(x):
        print(f"error: --batch-size {recipe.batch_size} is larger than the {len(x)} training samples", file=sys.stderr)
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
    if args.minutes and state.step >= min(PROBE_STEPS, recipe.warmup):  # resumed after its total was chosen
        print(f"error: this run resumes at step {state.step}, after --minutes chose its total; resume it with --steps N "
              "(N: the total its first session printed, '--minutes ...: N steps fit')", file=sys.stderr)
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

    loss_fn = make_loss(recipe, num_classes(model))
    if args.minutes:
        steps = _fit_steps(state, loss_fn, batches, recipe, generator, on_step, args.minutes * 60 - (time.time() - start), steps)
        opt = recipe.optimisation(steps)
        bar.write(f"--minutes {args.minutes:g}: {steps} steps fit (resume this run with --steps {steps})")
        bar.total = steps
        bar.refresh()
    train(state, loss_fn, batches, opt, generator=generator, on_step=on_step)
    bar.close()
    wall = wall_before + time.time() - start
    save_resume(resume, state, generator, recipe.name, wall)
    images_per_second = state.step * recipe.batch_size / max(wall, 1e-9)
    device = torch.cuda.get_device_name() if args.device == "cuda" else f"{platform.processor() or platform.machine()} CPU, {args.threads} thread(s)"
    recipe = dataclasses.replace(recipe, steps=state.step)  # what ran (--steps, --minutes)
    path = save_checkpoint(
        out, state.result, kind=recipe.net,
        extra={"recipe": recipe_record(recipe), "steps": state.step, "wall_seconds": round(wall, 1),
               "hardware": device, "images_per_second": round(images_per_second, 1),
               "final_loss": sum(state.losses[-100:]) / max(1, len(state.losses[-100:])),
               "num_params": count_params(state.result), **latent_record(recipe)},
    )
    print(f"saved {path} after {state.step} steps in {wall / 60:.1f} min ({images_per_second:.0f} images/s)")
    return 0


def _fit_steps(state: TrainState, loss_fn, batches, recipe, generator: torch.Generator, on_step, seconds: float,
               most: int) -> int:
    """Run the first warm-up steps, timed, and return the total that fits ``seconds`` (between them and ``most``).

    The warm-up's learning rate ``lr (k + 1) / warmup`` does not depend on the total, so these steps are
    exactly those of a run started with the returned ``--steps``.
    """
    probe = min(PROBE_STEPS, recipe.warmup)
    begin = time.time()
    marks: dict[int, float] = {}

    def timed(info: StepInfo) -> None:
        marks[info.step] = time.time()  # step 1 includes the first call's set-up: the rate is timed after it
        on_step(info)

    train(state, loss_fn, batches, recipe.optimisation(probe), generator=generator, on_step=timed)
    first = min(marks)
    rate = (state.step - first) / max(1e-9, time.time() - marks[first]) if state.step > first else 1 / (time.time() - begin)
    fitting = int(rate * (seconds - (time.time() - begin)))
    return max(state.step + 1, min(most, fitting))


if __name__ == "__main__":
    sys.exit(main())
