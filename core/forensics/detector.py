"""A detector of generated images: its training data, the generators it saw and did not, and the
perturbations that fool it.

The detector is a small classifier (:class:`core.nets.Classifier`, 2 classes: 0 real, 1 generated)
trained like any shipped model (``python -m core.train mnist-detector``; its recipe's data is
``forensics:mnist``). Its training set: the real training digits (the 80 % the generators were trained
on) against samples of :data:`TRAIN_SOURCES`. Every generated image is rounded to 8 bits first, as a
saved PNG would be, so that the detector cannot win on the rounding alone.

How it fails is the lesson (the lecture's "detection sites are moderately reliable"): it is measured on
generators it never saw (:data:`UNSEEN_SOURCES`) and after the everyday perturbations of an image
shared online (:data:`PERTURBATIONS`: JPEG compression, resizing, a slight blur, faint noise).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from core.data import SPLIT_SEED, TRAIN_FRACTION, load_images, split, to_model_range, to_uint8
from core.evaluation.quality import sample_many
from core.io.checkpoints import load

__all__ = ["PERTURBATIONS", "TRAIN_SOURCES", "UNSEEN_SOURCES", "Source", "detector_data", "generated", "jpeg",
           "perturb", "quantise", "resize"]

REAL, GENERATED = 0, 1


@dataclass(frozen=True)
class Source:
    """A generator and how it is sampled: a shipped model, its sampler, its steps; ``conditional``
    cycles through the ten labels (with classifier-free guidance ``guidance``), otherwise samples are
    unconditional."""

    model: str
    method: str
    steps: int
    conditional: bool = True
    guidance: float = 1.0

    @property
    def key(self) -> str:
        """The source as data files name it: ``mnist-flow-ot/euler-10-cond-w1`` (the manifest's quality keys, after the
        model). A page reads it back with :meth:`from_key` and writes it in its language; nothing parses words."""
        return f"{self.model}/{self.method}-{self.steps}-{'cond' if self.conditional else 'uncond'}-w{self.guidance:g}"

    @classmethod
    def from_key(cls, key: str) -> Source:
        """The source named ``key`` (:attr:`key`): ``ValueError`` for anything else."""
        model, _, sampling = key.rpartition("/")
        method, steps, kind, w = sampling.split("-")
        if not model or kind not in ("cond", "uncond") or not w.startswith("w"):
            raise ValueError(f"not a source key: {key!r}")
        return cls(model, method, int(steps), conditional=kind == "cond", guidance=float(w[1:]))

    @property
    def label(self) -> str:
        """In English, for the command lines' output: ``mnist-flow-ot (Euler, 10 steps, class asked)``."""
        kind = ("class asked" + (f", w = {self.guidance:g}" if self.guidance != 1 else "")) if self.conditional else "unconditional"
        method = self.method.upper() if self.method in ("ddim", "ddpm") else self.method.capitalize()
        return f"{self.model} ({method}, {self.steps} step{'s' if self.steps > 1 else ''}, {kind})"


TRAIN_SOURCES = (
    Source("mnist-ddpm-eps", "ddim", 20),
    Source("mnist-flow-ot", "euler", 10),
    Source("mnist-ddpm-x0", "ddim", 10, conditional=False),
)
"""The generators whose samples the detector is trained on."""
UNSEEN_SOURCES = (
    Source("mnist-flow-random", "euler", 10),
    Source("mnist-ddpm-v-uncond", "ddim", 20, conditional=False),
    Source("mnist-latent-flow", "euler", 20),
)
"""Generators it never saw: another pairing, another target, a latent model decoded by a VAE."""
PER_SOURCE = 2000  # generated training images per source


def quantise(images: torch.Tensor) -> torch.Tensor:
    """Round images in ``[-1, 1]`` to 8 bits and back, as saving them to a PNG file would."""
    return to_model_range(to_uint8(images))


def generated(source: Source, n: int, seed: int) -> torch.Tensor:
    """``n`` samples of ``source``, rounded to 8 bits, in ``[-1, 1]``."""

    ckpt = load(source.model)
    return quantise(sample_many(ckpt, n, steps=source.steps, method=source.method, guidance=source.guidance, seed=seed,
                                conditional=source.conditional))


def detector_data(data: str, fraction: float = TRAIN_FRACTION, seed: int = SPLIT_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """The detector's training set: real training images (label 0) and :data:`PER_SOURCE` samples of each
    of :data:`TRAIN_SOURCES` (label 1), in ``[-1, 1]``."""
    if data != "mnist":
        raise ValueError(f"a detector is defined for mnist only, not {data!r}")
    real = to_model_range(split(load_images(data), fraction, seed=seed)[0].images)
    fake = torch.cat([generated(s, PER_SOURCE, seed=1000 + 100 * i) for i, s in enumerate(TRAIN_SOURCES)])
    labels = torch.cat([torch.full((len(real),), REAL), torch.full((len(fake),), GENERATED)])
    return torch.cat([real, fake]), labels


def jpeg(images: torch.Tensor, quality: int) -> torch.Tensor:
    """Each image through a JPEG file at ``quality`` (1-95) and back."""
    out = []
    for img in to_uint8(images):
        array = img.permute(1, 2, 0).numpy()
        pil = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
        buffer = io.BytesIO()
        pil.save(buffer, format="JPEG", quality=int(quality))
        back = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert(pil.mode))
        out.append(torch.from_numpy(back.reshape(array.shape).copy()).permute(2, 0, 1))
    return to_model_range(torch.stack(out))


def resize(images: torch.Tensor, factor: float) -> torch.Tensor:
    """Shrink by ``factor`` (bilinear, anti-aliased) and enlarge back to the original size, rounded to 8 bits."""
    h, w = images.shape[-2:]
    small = F.interpolate(images, size=(max(1, round(h * factor)), max(1, round(w * factor))), mode="bilinear",
                          antialias=True, align_corners=False)
    return quantise(F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False).clamp(-1, 1))


def blur(images: torch.Tensor) -> torch.Tensor:
    """A slight blur (3x3 binomial kernel, edges replicated), rounded to 8 bits: removes the highest frequencies."""
    k = torch.tensor([1.0, 2.0, 1.0], dtype=images.dtype)
    kernel = (k[:, None] * k[None, :] / 16).expand(images.shape[1], 1, 3, 3)
    return quantise(F.conv2d(F.pad(images, (1, 1, 1, 1), mode="replicate"), kernel, groups=images.shape[1]))


def noise(images: torch.Tensor, sigma: float = 0.03, seed: int = 0) -> torch.Tensor:
    """Faint Gaussian noise (``sigma`` on the ``[-1, 1]`` scale, about 4 grey levels of 255), rounded to 8 bits."""
    g = torch.Generator().manual_seed(seed)
    return quantise((images + sigma * torch.randn(images.shape, generator=g)).clamp(-1, 1))


PERTURBATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "none": lambda x: x,
    "JPEG, quality 90": lambda x: jpeg(x, 90),
    "JPEG, quality 75": lambda x: jpeg(x, 75),
    "JPEG, quality 50": lambda x: jpeg(x, 50),
    "resized to 1/2 and back": lambda x: resize(x, 0.5),
    "slight blur": blur,
    "faint noise": noise,
}
"""What happens to an image shared online, each applied to real and generated images alike."""


def perturb(images: torch.Tensor, name: str) -> torch.Tensor:
    """``images`` through perturbation ``name`` (one of :data:`PERTURBATIONS`)."""
    if name not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation {name!r}; choose one of {', '.join(PERTURBATIONS)}")
    return PERTURBATIONS[name](images)
