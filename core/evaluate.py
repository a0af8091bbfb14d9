"""Measure the shipped models and keep the manifest up to date.

    python -m core.evaluate NAME [NAME ...] [--n 1000] [--steps 20] [--method euler] [--guidance 1.0]

Generated images are judged by the shipped classifier of their data set (:mod:`core.evaluation.quality`);
``assets/checkpoints/manifest.json`` records, for every checkpoint, its recipe, data, steps, wall
time, hardware, sha256 and measured quality (:mod:`core.evaluation.manifest`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import torch

from core.evaluation.loss_by_t import diffusion_loss_curve
from core.evaluation.manifest import refresh_manifest
from core.evaluation.quality import CLASSIFIERS, SECOND_JUDGES, classifier_accuracy, quality
from core.io.checkpoints import CheckpointError, load
from core.sampling.generate import image_data, recipe_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="checkpoints to measure (none: just refresh the manifest)")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--steps", type=int, nargs="+", default=[20])
    parser.add_argument("--method")
    parser.add_argument("--guidance", type=float, default=1.0)
    parser.add_argument("--conditional", action="store_true", help="ask for each class in equal numbers")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--one-judge", action="store_true", help="MNIST: leave out the second judge")
    parser.add_argument("--loss-curve", action="store_true", help="also store a diffusion model's loss at each t")
    args = parser.parse_args(argv)
    if args.n < 2 or min(args.steps) < 1 or args.threads < 1:
        parser.error("--n must be at least 2, --steps and --threads at least 1")
    torch.set_num_threads(args.threads)
    updates: dict[str, dict[str, Any]] = {}
    try:
        for name in args.names:
            ckpt = load(name)
            classifier = load(CLASSIFIERS[image_data(ckpt)])
            second = SECOND_JUDGES.get(image_data(ckpt))
            second = load(second) if second and not args.one_judge else None
            if recipe_of(ckpt)["objective"] == "classifier":
                updates[name] = {"heldout_accuracy": round(classifier_accuracy(ckpt), 4)}
                print(name, updates[name])
                continue
            if args.loss_curve and recipe_of(ckpt)["objective"] == "diffusion":
                updates.setdefault(name, {})["loss_by_t"] = diffusion_loss_curve(ckpt)
            for steps in ([] if args.loss_curve else args.steps):
                q = quality(ckpt, classifier, n=args.n, steps=steps, method=args.method, guidance=args.guidance,
                            conditional=args.conditional, second=second)
                key = f"{q['method'] or 'default'}-{steps}-{'cond' if args.conditional else 'uncond'}-w{args.guidance:g}"
                updates.setdefault(name, {})[key] = q
                print(name, key, {k: q[k] for k in ("confident_share", "real_confident_share", "frechet", "frechet_floor",
                                                    "frechet_ratio", "both_confident_share", "real_both_confident_share")
                                  if k in q}, "min class", min(q["class_histogram"]), "max class", max(q["class_histogram"]))
    except (CheckpointError, ValueError, KeyError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    refresh_manifest(updates)
    return 0


if __name__ == "__main__":
    sys.exit(main())
