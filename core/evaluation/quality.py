"""Judging generated images: the shipped classifier of their data set scores them against held-out real ones.

Generated MNIST samples are judged by ``mnist-classifier``, trained on the first 80 % of the
shipped MNIST set; the held-out 20 % gives its accuracy and the real images for the Frechet
distance. CIFAR-10 samples are judged the same way by ``cifar10-classifier``. MNIST has a second,
more independent judge, ``mnist-classifier-b`` (another architecture, another split): a sample is
confident for both only when both are sure of it and name the same digit; the real digits neither
judge trained on calibrate that share.
"""

from __future__ import annotations

from typing import Any

import torch

from core.data import SPLIT_SEED, TRAIN_FRACTION, load_images, split, to_model_range
from core.evaluation.metrics import agreement, features, frechet_distance, judge
from core.io.checkpoints import Checkpoint
from core.sampling.generate import generate, image_data, recipe_of

__all__ = ["CLASSIFIERS", "SECOND_JUDGES", "both_heldout", "classifier_accuracy", "heldout", "quality", "sample_many"]

CLASSIFIERS = {"mnist": "mnist-classifier", "cifar10": "cifar10-classifier"}  # the judge of each data set
SECOND_JUDGES = {"mnist": "mnist-classifier-b"}  # a second, more independent judge


def heldout(name: str = "mnist", fraction: float = TRAIN_FRACTION, seed: int = SPLIT_SEED) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(train images, held-out images, held-out labels) of data set ``name``, images in ``[-1, 1]``."""
    train_part, held = split(load_images(name), fraction, seed=seed)
    return to_model_range(train_part.images), to_model_range(held.images), held.labels


def both_heldout(first: Checkpoint, second: Checkpoint) -> tuple[torch.Tensor, torch.Tensor]:
    """The real images (and labels) that neither judge trained on: held out by both recipes' splits."""
    a, b = recipe_of(first), recipe_of(second)
    _, held, labels = heldout(image_data(first), a["train_fraction"], a["seed"])
    _, other, _ = heldout(image_data(second), b["train_fraction"], b["seed"])
    seen = {row.numpy().tobytes() for row in other}
    keep = torch.tensor([row.numpy().tobytes() in seen for row in held])
    return held[keep], labels[keep]


def classifier_accuracy(classifier: Checkpoint) -> float:
    """Accuracy on the part of the data set its own recipe held out."""
    r = recipe_of(classifier)
    _, held, labels = heldout(image_data(classifier), r.get("train_fraction", TRAIN_FRACTION), r.get("seed", SPLIT_SEED))
    return float((judge(classifier.model, held).predictions == labels).double().mean())


def sample_many(ckpt: Checkpoint, n: int, *, steps: int, method: str | None, guidance: float, seed: int = 0,
                conditional: bool = False, batch: int = 250) -> torch.Tensor:
    """``n`` samples in batches; ``conditional`` asks for every class in equal numbers."""
    out, classes = [], int(getattr(ckpt.model.cfg, "num_classes", 0) or 0)
    if conditional and not classes:
        raise ValueError("this model is not class-conditional: leave out --conditional")
    for i, start in enumerate(range(0, n, batch)):
        m = min(batch, n - start)
        if conditional:
            labels = torch.arange(start, start + m) % classes
            parts = [generate(ckpt, int((labels == d).sum()), steps=steps, method=method, seed=seed + 100 * i + d,
                              label=d, guidance=guidance).images for d in range(classes) if (labels == d).any()]
            out.append(torch.cat(parts))
        else:
            out.append(generate(ckpt, m, steps=steps, method=method, seed=seed + i).images)
    return torch.cat(out)


def quality(ckpt: Checkpoint, classifier: Checkpoint, *, n: int = 1000, steps: int = 20, method: str | None = None,
            guidance: float = 1.0, conditional: bool = False, second: Checkpoint | None = None) -> dict[str, Any]:
    """Confident share, class histogram and Frechet distance (with its real-vs-real floor) of ``n`` samples.

    With a ``second`` judge, also its confident share and the share both are confident about and agree on,
    for the samples and for the real digits neither judge trained on.
    """
    train_imgs, held, _ = heldout(image_data(ckpt))
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
        **(_second_opinion(classifier, second, fake, verdict) if second is not None else {}),
    }


def _second_opinion(first: Checkpoint, second: Checkpoint, fake: torch.Tensor, verdict) -> dict[str, Any]:
    real, _ = both_heldout(first, second)
    other = judge(second.model, fake)
    return {
        "second_judge": second.path.stem, "second_confident_share": round(other.confident_share, 4),
        "both_confident_share": round(agreement(verdict, other), 4),
        "real_both_confident_share": round(agreement(judge(first.model, real), judge(second.model, real)), 4),
        "real_both_n": len(real),
    }
