"""Measure the shipped models and keep the manifest up to date.

    python -m core.evaluate NAME [NAME ...] [--n 1000] [--steps 20] [--method euler] [--guidance 1.0]

Generated MNIST samples are judged by the shipped classifier (``mnist-classifier``), trained
on the first 80 % of the shipped MNIST set; the held-out 20 % gives its accuracy and the real
images for the Frechet distance. CIFAR-10 samples are judged the same way by ``cifar10-classifier``.
``assets/checkpoints/manifest.json`` records, for every checkpoint, its recipe, data, steps, wall
time, hardware, sha256 and measured quality.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from core import data as datasets
from core.checkpoints import Checkpoint, read_sidecar
from core.generate import CHECKPOINTS, generate, load, recipe_of
from core.metrics import features, frechet_distance, judge

MANIFEST = CHECKPOINTS / "manifest.json"
CLASSIFIERS = {"mnist": "mnist-classifier", "cifar10": "cifar10-classifier"}  # the judge of each data set


def dataset_of(ckpt: Checkpoint) -> str:
    """``mnist`` or ``cifar10``: what the checkpoint's images look like (a latent model: its VAE's data)."""
    return "cifar10" if recipe_of(ckpt)["data"] == "cifar10" else "mnist"


def heldout(name: str = "mnist", fraction: float = 0.8, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(train images, held-out images, held-out labels) of data set ``name``, images in ``[-1, 1]``."""
    ds = {"mnist": datasets.load_mnist, "cifar10": datasets.load_cifar10}[name]()
    train_part, held = datasets.split(ds, fraction, seed=seed)
    return datasets.to_model_range(train_part.images), datasets.to_model_range(held.images), held.labels


def classifier_accuracy(classifier: Checkpoint) -> float:
    _, held, labels = heldout(dataset_of(classifier))
    return float((judge(classifier.model, held).predictions == labels).double().mean())


def sample_many(ckpt: Checkpoint, n: int, *, steps: int, method: str | None, guidance: float, seed: int = 0,
                conditional: bool = False, batch: int = 250) -> torch.Tensor:
    """``n`` samples in batches; ``conditional`` asks for the ten digits in equal numbers."""
    out = []
    for i, start in enumerate(range(0, n, batch)):
        m = min(batch, n - start)
        if conditional:
            labels = torch.arange(start, start + m) % 10
            parts = [generate(ckpt, int((labels == d).sum()), steps=steps, method=method, seed=seed + 100 * i + d,
                              label=d, guidance=guidance).images for d in range(10) if (labels == d).any()]
            out.append(torch.cat(parts))
        else:
            out.append(generate(ckpt, m, steps=steps, method=method, seed=seed + i).images)
    return torch.cat(out)


def quality(ckpt: Checkpoint, classifier: Checkpoint, *, n: int = 1000, steps: int = 20, method: str | None = None,
            guidance: float = 1.0, conditional: bool = False) -> dict[str, Any]:
    """Confident share, class histogram and Frechet distance (with its real-vs-real floor) of ``n`` samples."""
    train_imgs, held, _ = heldout(dataset_of(ckpt))
    fake = sample_many(ckpt, n, steps=steps, method=method, guidance=guidance, conditional=conditional)
    verdict = judge(classifier.model, fake)
    f_held = features(classifier.model, held[:n])
    g = torch.Generator().manual_seed(1)
    f_real = features(classifier.model, train_imgs[torch.randperm(len(train_imgs), generator=g)[:n]])
    fd, floor = frechet_distance(features(classifier.model, fake), f_held), frechet_distance(f_real, f_held)
    return {
        "n": n, "steps": steps, "method": method, "guidance": guidance, "conditional": conditional,
        "confident_share": round(verdict.confident_share, 4),
        "real_confident_share": round(judge(classifier.model, held[:n]).confident_share, 4),  # the same judge on real images
        "class_histogram": [round(h, 4) for h in verdict.histogram],
        "frechet": round(fd, 3), "frechet_floor": round(floor, 3), "frechet_ratio": round(fd / floor, 3),
    }


def diffusion_loss_curve(ckpt: Checkpoint, n_images: int = 64, seed: int = 0) -> dict[str, Any]:
    """A diffusion model's noise loss (and one-shot image error) at 40 fixed steps t on held-out digits.

    ``n_images`` held-out MNIST digits with their labels, one fixed ``eps`` each (see
    :func:`core.toy_diffusion.loss_by_t`). Stored in the manifest so the training page need not
    recompute it; ``sha256`` says which weights it belongs to.
    """
    import numpy as np

    from core.generate import schedule_of
    from core.toy_diffusion import loss_by_t

    sch = schedule_of(ckpt)
    _, held, held_labels = heldout("mnist")
    pick = torch.randperm(len(held), generator=torch.Generator().manual_seed(seed))[:n_images]
    x0, labels = held[pick], held_labels[pick]
    ts = sorted({1, 2, 5, 10, 20, *np.linspace(25, sch.T, 35).round().astype(int).tolist()})
    res = loss_by_t(ckpt.model, x0, sch, ts, labels=labels, seed=seed)
    return {"ts": res.ts, "eps_mse": res.eps_mse, "eps_sem": res.eps_sem, "x0_mse": res.x0_mse,
            "alpha_bars": sch.alpha_bars[res.ts].tolist(), "n_images": n_images, "sha256": ckpt.sha256}


def _write_json_atomically(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _count(weights: Path) -> int:
    """Number of parameters stored in a safetensors file (read from its header, no weights loaded)."""
    from safetensors import safe_open

    with safe_open(weights, framework="pt") as f:
        return sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())


def refresh_manifest(updates: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Rebuild the manifest from the checkpoints' sidecars, keeping (and adding) measured quality."""
    old = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    manifest: dict[str, Any] = {}
    for side in sorted(CHECKPOINTS.glob("*.json")):
        if side == MANIFEST:
            continue
        meta = read_sidecar(side)
        extra, name = meta.get("extra", {}), side.stem
        recipe = extra.get("recipe", {})
        entry = {
            "file": f"{name}.safetensors", "kind": meta.get("kind"), "recipe": recipe.get("name", name),
            "description": recipe.get("description"), "data": recipe.get("data"), "objective": recipe.get("objective"),
            "steps": extra.get("steps"), "wall_seconds": extra.get("wall_seconds"), "hardware": extra.get("hardware"),
            "images_per_second": extra.get("images_per_second"), "num_params": _count(CHECKPOINTS / f"{name}.safetensors"),
            "sha256": meta.get("sha256"), "bytes": (CHECKPOINTS / f"{name}.safetensors").stat().st_size,
            "quality": old.get(name, {}).get("quality", {}),
        }
        entry["quality"].update((updates or {}).get(name, {}))
        manifest[name] = entry
    _write_json_atomically(MANIFEST, manifest)
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="checkpoints to measure (none: just refresh the manifest)")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--steps", type=int, nargs="+", default=[20])
    parser.add_argument("--method")
    parser.add_argument("--guidance", type=float, default=1.0)
    parser.add_argument("--conditional", action="store_true", help="ask for each digit in equal numbers")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--loss-curve", action="store_true", help="also store a diffusion model's loss at each t")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    updates: dict[str, dict[str, Any]] = {}
    if args.names:
        for name in args.names:
            ckpt = load(name)
            classifier = load(CLASSIFIERS[dataset_of(ckpt)])
            if args.loss_curve and recipe_of(ckpt)["objective"] == "diffusion":
                updates.setdefault(name, {})["loss_by_t"] = diffusion_loss_curve(ckpt)
            if recipe_of(ckpt)["objective"] == "classifier":
                updates[name] = {"heldout_accuracy": round(classifier_accuracy(ckpt), 4)}
                print(name, updates[name])
                continue
            for steps in ([] if args.loss_curve else args.steps):
                q = quality(ckpt, classifier, n=args.n, steps=steps, method=args.method, guidance=args.guidance,
                            conditional=args.conditional)
                key = f"{q['method'] or 'default'}-{steps}-{'cond' if args.conditional else 'uncond'}-w{args.guidance:g}"
                updates.setdefault(name, {})[key] = q
                print(name, key, {k: q[k] for k in ("confident_share", "real_confident_share", "frechet", "frechet_floor", "frechet_ratio")},
                      "min class", min(q["class_histogram"]))
    refresh_manifest(updates)


if __name__ == "__main__":
    main()
