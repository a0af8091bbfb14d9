"""Pictures for slides: sample a checkpoint to a PNG grid (and an animated GIF of the steps).

    python -m core.sample CHECKPOINT --n 64 --steps 20 --sampler ddim --seed 0 [--label 7] --out grid.png [--frames steps.gif]
    python -m core.sample mnist-ddpm-eps --n 10 --label all --out digits.png   # one row per digit

The grid has no padding between cells, so it can be cut back into 28x28 (or 32x32) images.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from pathlib import Path

import torch
from PIL import Image

from core.images import grid, to_pil
from core.io import CheckpointError, load, write_bytes
from core.sampling import DIFFUSION_SAMPLERS, FLOW_SOLVERS, generate

MAX_SAMPLES = 10_000  # a grid of 100 x 100 images: more would not fit in memory or on a slide
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def _labels(label: str | None, num_classes: int) -> list[int | None]:
    """``None`` (unconditional), one class, or every class (``all``: one row per class)."""
    if label is None:
        return [None]
    if label == "all":
        if not num_classes:
            raise ValueError("this model is not class-conditional; leave --label out")
        return list(range(num_classes))
    try:
        return [int(label)]
    except ValueError:
        raise ValueError(f"--label must be a class number or 'all', got {label!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.sample", description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="a shipped name (mnist-ddpm-eps) or a path to NAME.safetensors")
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--sampler", choices=DIFFUSION_SAMPLERS + FLOW_SOLVERS, help="default: ddim (diffusion), euler (flow)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", help="the class to draw, or 'all' for one row per class (class-conditional models)")
    parser.add_argument("--guidance", type=float, default=1.0, help="classifier-free guidance weight (with --label)")
    parser.add_argument("--out", type=Path, default=Path("grid.png"))
    parser.add_argument("--frames", type=Path, help="also write the intermediate steps as an animated GIF")
    parser.add_argument("--scale", type=int, default=1, help="upscale each pixel (nearest neighbour) for slides")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    problems = [
        (not 1 <= args.n <= MAX_SAMPLES, f"--n must be between 1 and {MAX_SAMPLES:,}"),
        (not 1 <= args.steps <= 1000, "--steps must be between 1 and 1000"),
        (not math.isfinite(args.guidance) or args.guidance < 0, "--guidance must be a finite number >= 0"),
        (not 1 <= args.scale <= 32, "--scale must be between 1 and 32"),
        (args.threads < 1, "--threads must be at least 1"),
        (args.out.suffix.lower() not in IMAGE_SUFFIXES, f"--out must end in one of {', '.join(IMAGE_SUFFIXES)}"),
        (args.frames is not None and args.frames.suffix.lower() != ".gif", "--frames must end in .gif"),
    ]
    for bad, message in problems:
        if bad:
            parser.error(message)
    for target in (args.out, args.frames):
        if target is not None and not target.resolve().parent.is_dir():
            parser.error(f"no folder {target.resolve().parent} to write {target.name} into")
    torch.set_num_threads(args.threads)
    try:
        ckpt = load(args.checkpoint)
        labels = _labels(args.label, int(getattr(ckpt.model.cfg, "num_classes", 0) or 0))
        gens = [generate(ckpt, args.n, steps=args.steps, method=args.sampler, seed=args.seed + k, label=label,
                         guidance=args.guidance) for k, label in enumerate(labels)]
    except (CheckpointError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    cols = args.n if len(labels) > 1 else int(math.ceil(math.sqrt(args.n)))
    images = torch.cat([g.images for g in gens])
    frames_all = torch.cat([g.frames for g in gens], dim=1)
    gen = gens[0]
    buffer = io.BytesIO()
    to_pil(grid(images, cols), args.scale).save(buffer, format=Image.registered_extensions()[args.out.suffix.lower()])
    write_bytes(args.out, buffer.getvalue())  # atomically: never a half-written picture
    print(f"wrote {args.out} ({len(images)} samples, {gen.nfe} network evaluations each)")
    if args.frames:
        frames = [to_pil(grid(f.clamp(-1, 1), cols), args.scale) for f in frames_all]
        frames += [frames[-1]] * 4  # linger on the result
        buffer = io.BytesIO()
        frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=150, loop=0)
        write_bytes(args.frames, buffer.getvalue())
        print(f"wrote {args.frames} ({len(gen.frames)} steps)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
