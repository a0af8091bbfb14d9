"""Training: the one loop (:mod:`~core.training.loop`), the objectives whose losses the pages write
on screen (:mod:`~core.training.objectives`), the named recipes of the shipped models
(:mod:`~core.training.recipes`) and resume state (:mod:`~core.training.resume`).

The command line is ``python -m core.train RECIPE``; the pages' live trainers (:mod:`core.live`)
are small configurations of the same loop.
"""

from core.training.loop import (
    LossFn,
    Optimisation,
    StepInfo,
    Trainer,
    TrainState,
    lr_at,
    new_state,
    train,
)
from core.training.objectives import (
    classifier_objective,
    diffusion_objective,
    drop_labels,
    flow_objective,
    reconstruction_objective,
    vae_objective,
)

__all__ = [
    "LossFn",
    "Optimisation",
    "StepInfo",
    "TrainState",
    "Trainer",
    "classifier_objective",
    "diffusion_objective",
    "drop_labels",
    "flow_objective",
    "lr_at",
    "new_state",
    "reconstruction_objective",
    "train",
    "vae_objective",
]
