"""Real or generated? A pool of images for the quiz: held-out real images and samples of several of the
app's generators, from easy (one step: a blur) to hard (many steps: only statistics tell).

Each item knows the truth, where it came from, and the cue that would have given it away, read from
the image itself: the judge's confidence (a malformed digit is one the classifier cannot name) and the
way it was made (few steps average many images into a blur; a VAE decoder softens edges).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.data import load_images, split, to_model_range, to_uint8
from core.evaluation.metrics import judge
from core.evaluation.quality import CLASSIFIERS
from core.forensics.detector import Source, generated
from core.io.arrays import load_arrays, save_arrays
from core.io.checkpoints import load

__all__ = ["QUIZ_SOURCES", "QuizItem", "load_pool", "pool_shas", "quiz_pool", "save_pool"]

QUIZ_SOURCES: dict[str, tuple[Source, ...]] = {
    "mnist": (
        Source("mnist-flow-random", "euler", 1),
        Source("mnist-flow-ot", "euler", 2, conditional=False),
        Source("mnist-ddpm-eps", "ddim", 5, conditional=False),
        Source("mnist-latent-flow", "euler", 20),
        Source("mnist-ddpm-v-uncond", "ddim", 20, conditional=False),
        Source("mnist-ddpm-x0", "ddim", 50),
    ),
    "cifar10": (
        Source("cifar10-flow-ot", "euler", 3, guidance=3.0),
        Source("cifar10-flow-ot", "euler", 20, guidance=3.0),
        Source("cifar10-flow-ot", "euler", 20, guidance=1.0),
    ),
}
"""What the quiz draws its generated images from, for each data set."""
CONFIDENT = 0.9  # the judge's probability above which it names the image without doubt


@dataclass(frozen=True)
class QuizItem:
    """One image of the quiz: ``image`` is ``(C, H, W)`` uint8."""

    image: torch.Tensor
    generated: bool
    source: str  # a generator's :attr:`Source.key`, or REAL
    cue: str  # one of CUES: what gives the image away (a page says it in its language)
    confidence: float  # the judge's probability of its predicted class


REAL = "real"
CUES = ("real", "smooth", "inconsistent", "no_object", "soft", "dreamy", "hard")
"""What gives a quiz image away: real (a held-out test image); too smooth (a generator of 3 steps or fewer averages
many images into one blur); an inconsistency (MNIST: the strokes make no clear digit, the judge is unsure); no clear
object (CIFAR-10: the same); soft edges (a VAE decoder blurs the strokes); dreamy textures (CIFAR-10: no fine detail);
hard by eye (a clean digit: only statistics give it away)."""


def _cue(source: Source | None, confidence: float, data: str) -> str:
    """Which of :data:`CUES` gives away an image of ``source`` (``None``: a real one) that the judge names with
    ``confidence``."""
    if source is None:
        return "real"
    if source.steps <= 3:
        return "smooth"
    if confidence < CONFIDENT:
        return "inconsistent" if data == "mnist" else "no_object"
    if source.model.startswith("mnist-latent"):
        return "soft"
    return "dreamy" if data == "cifar10" else "hard"


def quiz_pool(data: str, judge_model: torch.nn.Module, per_source: int = 6, seed: int = 0) -> list[QuizItem]:
    """Held-out real images and ``per_source`` samples of each source of :data:`QUIZ_SOURCES`, as many real
    as generated, in a fixed order (a session shuffles it)."""
    sources = QUIZ_SOURCES[data]
    items: list[QuizItem] = []
    for i, source in enumerate(sources):
        images = generated(source, per_source, seed=seed + 7919 * i)
        conf = judge(judge_model, images).confidence
        items += [QuizItem(to_uint8(img[None])[0], True, source.key, _cue(source, float(c), data), float(c))
                  for img, c in zip(images, conf)]
    n_real = len(items)
    _, held = split(load_images(data))
    pick = torch.randperm(len(held), generator=torch.Generator().manual_seed(seed))[:n_real]
    real = to_model_range(held.images[pick])
    conf = judge(judge_model, real).confidence
    items += [QuizItem(held.images[j], False, REAL, _cue(None, float(c), data), float(c)) for j, c in zip(pick, conf)]
    return items


def save_pool(path: Path, items: list[QuizItem], shas: tuple[str, ...]) -> Path:
    """Write a pool with the sha256 of the models that drew it (:func:`core.io.arrays.save_arrays`)."""
    return save_arrays(path, {
        "images": torch.stack([i.image for i in items]).numpy(), "generated": np.array([i.generated for i in items]),
        "confidence": np.array([i.confidence for i in items], dtype=np.float32),
        "source": np.array([i.source for i in items]), "cue": np.array([i.cue for i in items])}, list(shas))


def load_pool(path: Path, shas: tuple[str, ...]) -> list[QuizItem] | None:
    """The pool saved at ``path`` if it was drawn by the models of ``shas``; ``None`` if missing, unreadable or stale."""
    f = load_arrays(path, list(shas))
    if f is None:
        return None
    return [QuizItem(torch.from_numpy(img.copy()), bool(g), str(s), str(c), float(p))
            for img, g, s, c, p in zip(f["images"], f["generated"], f["source"], f["cue"], f["confidence"])]


def pool_shas(data: str) -> tuple[str, ...]:
    """The sha256 of the generators of :data:`QUIZ_SOURCES` ``[data]`` and of the data set's judge, in order."""

    return tuple(load(s.model).sha256 for s in QUIZ_SOURCES[data]) + (load(CLASSIFIERS[data]).sha256,)
