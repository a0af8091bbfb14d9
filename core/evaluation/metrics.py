"""Judging generated digits with a classifier: confidence, class balance, Frechet distance.

* **confident share**: the fraction of samples the classifier assigns to one class with
  probability at least 0.9 (a scribble gets a flat distribution);
* **class histogram**: are all ten digits produced, in fair proportion?
* **Frechet distance** between Gaussians fitted to the classifier's penultimate features of two
  image sets (the idea of FID, Heusel et al. 2017, with a small MNIST classifier in place of
  Inception): ``||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))``. Two sets of real images
  give the floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy import linalg
from torch import nn

from core.nets import in_batches


@dataclass(frozen=True)
class Judgement:
    """What the classifier thinks of a set of images."""

    confident_share: float  # fraction with max probability >= threshold
    histogram: list[float]  # fraction predicted as each class
    predictions: torch.Tensor  # (N,) predicted class
    confidence: torch.Tensor  # (N,) max probability


@torch.no_grad()
def judge(classifier: nn.Module, images: torch.Tensor, threshold: float = 0.9) -> Judgement:
    """Classify ``images`` ((N, C, H, W) in ``[-1, 1]``) and summarise the verdicts."""
    probs = in_batches(lambda b: classifier(b).softmax(-1), images)
    conf, pred = probs.max(-1)
    k = probs.shape[1]
    hist = torch.bincount(pred, minlength=k).double() / len(images)
    return Judgement(float((conf >= threshold).double().mean()), hist.tolist(), pred, conf)


def agreement(first: Judgement, second: Judgement, threshold: float = 0.9) -> float:
    """Share of images both judges are confident about (probability >= ``threshold``) and name the same class."""
    both = (first.confidence >= threshold) & (second.confidence >= threshold) & (first.predictions == second.predictions)
    return float(both.double().mean())


@torch.no_grad()
def features(classifier: nn.Module, images: torch.Tensor) -> np.ndarray:
    """Penultimate-layer features, ``(N, F)`` float64."""
    return in_batches(classifier.features, images).double().numpy()


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to feature sets ``a`` (N, F) and ``b`` (M, F)."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s_a @ s_b)
    if not np.isfinite(covmean).all():  # nearly singular product: regularise (as in the FID reference code)
        eps = 1e-6 * np.eye(len(s_a))
        covmean = linalg.sqrtm((s_a + eps) @ (s_b + eps))
    covmean = covmean.real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(covmean))
