"""Pictures for slides: sample a checkpoint to a PNG grid (and an animated GIF of the steps).

    python -m core.sample CHECKPOINT --n 64 --steps 20 --sampler ddim --seed 0 [--label 7] --out grid.png [--frames steps.gif]
    python -m core.sample mnist-ddpm-eps --n 10 --label all --out digits.png   # one row per digit

The grid has no padding between cells, so it can be cut back into 28x28 (or 32x32) images.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch

from core.images import grid, to_pil
from core.io import CheckpointError, load
from core.sampling import DIFFUSION_SAMPLERS, FLOW_SOLVERS, generate


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
    to_pil(grid(images, cols), args.scale).save(args.out)
    print(f"wrote {args.out} ({len(images)} samples, {gen.nfe} network evaluations each)")
    if args.frames:
        frames = [to_pil(grid(f.clamp(-1, 1), cols), args.scale) for f in frames_all]
        frames += [frames[-1]] * 4  # linger on the result
        frames[0].save(args.frames, save_all=True, append_images=frames[1:], duration=150, loop=0)
        print(f"wrote {args.frames} ({len(gen.frames)} steps)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
