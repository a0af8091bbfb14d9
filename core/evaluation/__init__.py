"""Evaluation: judging images with a classifier (:mod:`~core.evaluation.metrics`,
:mod:`~core.evaluation.quality`), a diffusion model's loss by ``t``
(:mod:`~core.evaluation.loss_by_t`) and the checkpoints' manifest (:mod:`~core.evaluation.manifest`)."""

from core.evaluation.cost import SamplingCost, sampling_cost
from core.evaluation.loss_by_t import LossByT, diffusion_loss_curve, loss_by_t
from core.evaluation.manifest import read_manifest, refresh_manifest
from core.evaluation.metrics import Judgement, features, frechet_distance, judge
from core.evaluation.quality import (
    CLASSIFIERS,
    classifier_accuracy,
    heldout,
    quality,
    sample_many,
)

__all__ = [
    "CLASSIFIERS",
    "Judgement",
    "LossByT",
    "SamplingCost",
    "classifier_accuracy",
    "diffusion_loss_curve",
    "features",
    "frechet_distance",
    "heldout",
    "judge",
    "loss_by_t",
    "quality",
    "read_manifest",
    "refresh_manifest",
    "sample_many",
    "sampling_cost",
]
