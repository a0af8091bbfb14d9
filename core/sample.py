"""Pictures for slides: sample a checkpoint to a PNG grid (and an animated GIF of the steps).

    python -m core.sample CHECKPOINT --n 64 --steps 20 --sampler ddim --seed 0 [--label 7] --out grid.png [--frames steps.gif]

The grid has no padding between cells, so it can be cut back into 28x28 (or 32x32) images.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch

from core.checkpoints import CheckpointError
from core.generate import DIFFUSION_SAMPLERS, FLOW_SOLVERS, generate, load
from core.images import grid, to_pil


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.sample", description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="a shipped name (mnist-ddpm-eps) or a path to NAME.safetensors")
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--sampler", choices=DIFFUSION_SAMPLERS + FLOW_SOLVERS, help="default: ddim (diffusion), euler (flow)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", type=int, help="the class to draw (class-conditional models)")
    parser.add_argument("--guidance", type=float, default=1.0, help="classifier-free guidance weight (with --label)")
    parser.add_argument("--out", type=Path, default=Path("grid.png"))
    parser.add_argument("--frames", type=Path, help="also write the intermediate steps as an animated GIF")
    parser.add_argument("--scale", type=int, default=1, help="upscale each pixel (nearest neighbour) for slides")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        ckpt = load(args.checkpoint)
        gen = generate(ckpt, args.n, steps=args.steps, method=args.sampler, seed=args.seed, label=args.label,
                       guidance=args.guidance)
    except (CheckpointError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    cols = int(math.ceil(math.sqrt(args.n)))
    to_pil(grid(gen.images, cols), args.scale).save(args.out)
    print(f"wrote {args.out} ({args.n} samples, {gen.nfe} network evaluations)")
    if args.frames:
        frames = [to_pil(grid(f.clamp(-1, 1), cols), args.scale) for f in gen.frames]
        frames += [frames[-1]] * 4  # linger on the result
        frames[0].save(args.frames, save_all=True, append_images=frames[1:], duration=150, loop=0)
        print(f"wrote {args.frames} ({len(gen.frames)} steps)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
