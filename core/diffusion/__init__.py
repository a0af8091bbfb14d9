"""Diffusion: noise schedules (:mod:`~core.diffusion.schedules`), forward noising, prediction
targets and the posterior (:mod:`~core.diffusion.process`), the DDPM and DDIM samplers
(:mod:`~core.diffusion.samplers`) and the two-pixel view (:mod:`~core.diffusion.twopixel`).

Convention (see ``core``): integer steps ``t = 0..T``, ``t = 0`` the clean image.
"""

from core.diffusion.process import (
    PREDICTIONS,
    Posterior,
    Prediction,
    convert_prediction,
    eps_to_x0,
    posterior,
    q_sample,
    q_sample_iterative,
    q_step,
    training_target,
    velocity,
    x0_to_eps,
)
from core.diffusion.samplers import (
    SAMPLERS,
    DiffusionStep,
    sample_ddim,
    sample_ddpm,
    timesteps,
)
from core.diffusion.schedules import (
    SCHEDULES,
    Schedule,
    StepBudget,
    make_schedule,
    step_budget,
)

__all__ = [
    "PREDICTIONS",
    "SAMPLERS",
    "SCHEDULES",
    "DiffusionStep",
    "Posterior",
    "Prediction",
    "Schedule",
    "StepBudget",
    "convert_prediction",
    "eps_to_x0",
    "make_schedule",
    "posterior",
    "q_sample",
    "q_sample_iterative",
    "q_step",
    "sample_ddim",
    "sample_ddpm",
    "step_budget",
    "timesteps",
    "training_target",
    "velocity",
    "x0_to_eps",
]
