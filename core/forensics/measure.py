"""Measure what the spotting page shows, offline, and keep it in ``assets/checkpoints/forensics.json``.

    python -m core.forensics.measure [--n 500] [--threads 1] [--parts evolution guidance detection]

* **evolution**: the judged quality of each training snapshot of :data:`~core.forensics.evolution.EVOLUTION_MODEL`;
* **guidance**: its samples at several classifier-free guidance weights ``w`` (50 per digit): confident
  share, Frechet ratio, the spread of each class in the judge's features, and the attributes of every sample;
* **spectra**: the azimuthally averaged power spectrum of real held-out images and of each generator;
* **detector**: the shipped detector's verdicts per generator (seen in training or not) and after each
  perturbation; also written to the detector's manifest entry.

Every figure records the sha256 of the weights it was measured on, so the page shows only figures that
belong to the shipped models.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import torch

from core import paths
from core.evaluation.manifest import refresh_manifest
from core.evaluation.metrics import features, frechet_distance, judge
from core.evaluation.quality import heldout, quality
from core.forensics.bias import ATTRIBUTES, GUIDANCE, class_spread
from core.forensics.detector import GENERATED, PERTURBATIONS, TRAIN_SOURCES, UNSEEN_SOURCES, Source, generated, perturb
from core.forensics.evolution import EVOLUTION_MODEL, SNAPSHOT_STEPS, snapshot_name
from core.forensics.spectrum import power_2d, radial_spectrum
from core.io.atomic import write_json
from core.io.checkpoints import CheckpointError, load
from core.sampling.generate import generate

EVOLUTION_SAMPLING = {"method": "euler", "steps": 10}
CIFAR_SOURCES = (Source("cifar10-flow-ot", "euler", 20, guidance=3.0), Source("cifar10-flow-ot", "euler", 20))
DETECTOR = "mnist-detector"
PARTS = ("evolution", "guidance", "detection")


def _round(values: torch.Tensor, digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in values]


def evolution(n: int) -> dict[str, Any]:
    classifier = load("mnist-classifier")
    stages = [*((s, snapshot_name(EVOLUTION_MODEL, s)) for s in SNAPSHOT_STEPS), (None, EVOLUTION_MODEL)]
    out = []
    for step, name in stages:
        ckpt = load(name)
        q = quality(ckpt, classifier, n=n, conditional=True, **EVOLUTION_SAMPLING)
        out.append({"name": name, "step": step or ckpt.meta["steps"], "sha256": ckpt.sha256, "quality": q,
                    **{k: q[k] for k in ("confident_share", "frechet_ratio", "class_histogram")}})
        print("evolution", out[-1]["step"], q["confident_share"], q["frechet_ratio"], flush=True)
    return {"model": EVOLUTION_MODEL, **EVOLUTION_SAMPLING, "n": n, "stages": out}


def guidance(per_class: int) -> dict[str, Any]:
    ckpt, classifier = load(EVOLUTION_MODEL), load("mnist-classifier")
    train_imgs, held, held_labels = heldout("mnist")
    n = 10 * per_class  # every distance is between sets of n images, as in core.evaluation.quality
    f_held = features(classifier.model, held[:n])
    g = torch.Generator().manual_seed(1)
    floor = frechet_distance(features(classifier.model, train_imgs[torch.randperm(len(train_imgs), generator=g)[:n]]), f_held)
    real = {"spread": round(class_spread(torch.from_numpy(features(classifier.model, held)), held_labels), 3),
            "confident_share": round(judge(classifier.model, held).confident_share, 4)}
    rows = []
    for w in GUIDANCE:
        images, asked = [], []
        for d in range(10):
            images.append(generate(ckpt, per_class, seed=10 * d + 1, label=d, guidance=w, **EVOLUTION_SAMPLING).images)
            asked += [d] * per_class
        images = torch.cat(images)
        verdict = judge(classifier.model, images)
        f = features(classifier.model, images)
        rows.append({
            "w": w, "confident_share": round(verdict.confident_share, 4),
            "frechet_ratio": round(frechet_distance(f, f_held) / floor, 3),
            "spread": round(class_spread(torch.from_numpy(f), verdict.predictions), 3),
            "asked": asked, "predicted": verdict.predictions.tolist(),
            "attributes": {a: _round(fn(images)) for a, fn in ATTRIBUTES["mnist"].items()},
        })
        print("guidance", w, rows[-1]["confident_share"], rows[-1]["frechet_ratio"], rows[-1]["spread"], flush=True)
    return {"model": EVOLUTION_MODEL, "sha256": ckpt.sha256, **EVOLUTION_SAMPLING, "per_class": per_class,
            "real": real, "rows": rows}


def spectra_and_detection(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    _, held, _ = heldout("mnist")
    real = held[:n]
    detector = load(DETECTOR)

    def called_generated(images: torch.Tensor) -> float:
        return float((judge(detector.model, images).predictions == GENERATED).double().mean())

    spectra = {"mnist": {"real": _spectrum(real)}, "cifar10": {}}
    detection: dict[str, Any] = {"sha256": detector.sha256, "n": n, "real_called_real": round(1 - called_generated(real), 4),
                                 "sources": [], "perturbations": []}
    seen_fakes = []
    for i, source in enumerate(TRAIN_SOURCES + UNSEEN_SOURCES):
        fake = generated(source, n, seed=50_000 + 100 * i)
        seen = source in TRAIN_SOURCES
        if seen:
            seen_fakes.append(fake)
        spectra["mnist"][source.key] = _spectrum(fake) | {"sha256": load(source.model).sha256}
        detection["sources"].append({"source": source.key, "seen": seen, "sha256": load(source.model).sha256,
                                     "called_generated": round(called_generated(fake), 4)})
        print("detector", source.label, detection["sources"][-1]["called_generated"], flush=True)
    fakes = torch.cat(seen_fakes)
    for name in PERTURBATIONS:
        r, f = 1 - called_generated(perturb(real, name)), called_generated(perturb(fakes, name))
        detection["perturbations"].append({"perturbation": name, "real_called_real": round(r, 4),
                                           "generated_called_generated": round(f, 4), "accuracy": round((r + f) / 2, 4)})
        print("perturbation", detection["perturbations"][-1], flush=True)
    _, cifar_held, _ = heldout("cifar10")
    spectra["cifar10"]["real"] = _spectrum(cifar_held[:n])
    for i, source in enumerate(CIFAR_SOURCES):
        spectra["cifar10"][source.key] = _spectrum(generated(source, n, seed=60_000 + 100 * i)) | {
            "sha256": load(source.model).sha256}
    return spectra, detection


def _spectrum(images: torch.Tensor) -> dict[str, list]:
    s = radial_spectrum(images)
    log2d = power_2d(images).clamp_min(1e-12).log10()
    return {"freqs": _round(s.freqs), "power": [float(f"{p:.4g}") for p in s.power],
            "log10_power_2d": [[round(float(v), 3) for v in row] for row in log2d]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.forensics.measure", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500, help="samples per model and measurement")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS),
                        help="measure only these parts (the others are kept from the existing file)")
    args = parser.parse_args(argv)
    if args.n < 20 or args.threads < 1:
        parser.error("--n must be at least 20 and --threads at least 1")
    torch.set_num_threads(args.threads)
    path = paths.forensics()
    try:
        report = json.loads(path.read_text()) if path.exists() else {}
    except ValueError:
        report = {}
    try:
        if "evolution" in args.parts:
            report["evolution"] = evolution(args.n)
        if "guidance" in args.parts:
            report["guidance"] = guidance(args.n // 10)
        if "detection" in args.parts:
            report["spectra"], report["detection"] = spectra_and_detection(args.n)
    except (CheckpointError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    updates: dict[str, dict[str, Any]] = {}
    if "evolution" in args.parts:  # each snapshot's quality also goes to its manifest entry, keyed as core.evaluate does
        for stage in report["evolution"]["stages"]:
            quality_entry = stage.pop("quality")
            if stage["name"] != EVOLUTION_MODEL:  # the shipped model's own entry is core.evaluate's (1,000 samples)
                updates[stage["name"]] = {f"euler-{EVOLUTION_SAMPLING['steps']}-cond-w1": quality_entry}
    if "detection" in args.parts:
        updates[DETECTOR] = {"detection": report["detection"]}
    write_json(path, report)
    refresh_manifest(updates)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
