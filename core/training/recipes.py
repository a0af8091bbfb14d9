"""Named training recipes: everything needed to reproduce a shipped model, and the pieces a run needs.

A :class:`Recipe` names the data, the objective, the network and the optimisation; the CLI
(``python -m core.train RECIPE``) turns it into :func:`make_loss`, :func:`training_data`,
:func:`build_model` and :meth:`Recipe.optimisation`, and runs the one loop
(:func:`core.training.loop.train`). The recipe is stored in the checkpoint it produces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from core.data import TRAIN_FRACTION, load_images, split, to_model_range
from core.diffusion.schedules import make_schedule
from core.forensics.detector import detector_data
from core.nets import build
from core.sampling.latent import encode_dataset, latent_scale
from core.training.loop import LossFn, Optimisation
from core.training.objectives import (
    classifier_objective,
    diffusion_objective,
    flow_objective,
    reconstruction_objective,
    vae_objective,
)

__all__ = ["OBJECTIVES", "RECIPES", "Recipe", "build_model", "latent_record", "make_loss", "num_classes",
           "recipe_record", "training_data"]

OBJECTIVES = ("diffusion", "flow", "autoencoder", "vae", "classifier")


@dataclass(frozen=True)
class Recipe:
    """Everything needed to reproduce a shipped model; recorded in its checkpoint."""

    name: str
    description: str
    data: str  # "mnist", "cifar10", "latent:VAE_CHECKPOINT" (a VAE's latents of its data) or "forensics:mnist"
    objective: str  # one of OBJECTIVES
    net: str  # a kind in core.nets.NETWORKS
    net_config: Mapping[str, Any] = field(default_factory=dict)
    prediction: str = "eps"  # diffusion: what the net outputs (eps | x | v)
    schedule: str = "cosine"  # diffusion
    T: int = 1000  # diffusion
    pairing: str = "random"  # flow: random | ot
    conditional: bool = False  # class-conditional net (labels dropped with p_uncond for guidance)
    p_uncond: float = 0.1
    kl_weight: float = 1.0  # vae
    hflip: bool = False  # classifier: flip half of each batch left-right (augmentation)
    steps: int = 4000
    batch_size: int = 128
    lr: float = 2e-3
    warmup: int = 200
    ema_decay: float = 0.999
    grad_clip: float = 1.0
    train_fraction: float = TRAIN_FRACTION  # the rest of the data set is held out for evaluation
    seed: int = 0

    def optimisation(self, steps: int | None = None) -> Optimisation:
        """The loop's settings: AdamW, warm-up then cosine to 5 % of ``lr``, EMA, clipping."""
        return Optimisation(steps=steps or self.steps, lr=self.lr, warmup=self.warmup, final_lr=0.05,
                            ema_decay=self.ema_decay, grad_clip=self.grad_clip)


GPU_BATCH = 512  # the generators trained on a GPU (scripts/train_gpu.sh, --minutes): four times the CPU recipes' batch;
# their steps are what a 5.5-minute budget gave on one H200 shared by six runs (the MNIST flows: 7.5 minutes shared by
# five, a second lend); about 10 to 16 hours each on one CPU thread
SMALL_UNET = {"base_channels": 16, "channel_mults": (1, 2, 4), "attention": True, "num_classes": 10}

RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in [
        Recipe("mnist-classifier", "Small CNN that judges generated digits.", "mnist", "classifier", "classifier",
               steps=1500, lr=2e-3, ema_decay=0.99),
        Recipe("mnist-classifier-b", "The second judge: another CNN (three stages, narrower, dropout) trained on "
               "another split (70 %, seed 1); a sample is 'confident' for both judges only if they agree.", "mnist",
               "classifier", "classifier", {"channels": (16, 32, 64), "feature_dim": 64, "dropout": 0.25},
               steps=1500, lr=2e-3, ema_decay=0.99, train_fraction=0.7, seed=1),
        Recipe("mnist-autoencoder", "Conv auto-encoder, 16-D code.", "mnist", "autoencoder", "autoencoder",
               {"channels": (16, 32), "code_dim": 16}, steps=2000, ema_decay=0.995),
        Recipe("mnist-autoencoder-2d", "Conv auto-encoder with a 2-D code (its codes leave holes; compare the VAE's).",
               "mnist", "autoencoder", "autoencoder", {"channels": (16, 32), "code_dim": 2}, steps=2000, ema_decay=0.995),
        Recipe("mnist-vae-2d", "VAE with a 2-D latent (the latent map).", "mnist", "vae", "vae",
               {"channels": (16, 32), "latent": "flat", "latent_dim": 2}, steps=2000, ema_decay=0.995),
        Recipe("mnist-vae-spatial", "VAE with a 7x7x4 latent, for latent diffusion.", "mnist", "vae", "vae",
               {"channels": (16, 32), "latent": "spatial", "latent_channels": 4}, kl_weight=0.1, steps=2000, ema_decay=0.995),
        Recipe("mnist-ddpm-eps", "Noise-prediction DDPM, cosine schedule, class-conditional.", "mnist", "diffusion", "unet",
               SMALL_UNET, prediction="eps", conditional=True, steps=4500),
        Recipe("mnist-ddpm-x0", "Image-prediction diffusion, cosine schedule, class-conditional.", "mnist", "diffusion", "unet",
               SMALL_UNET, prediction="x", conditional=True, steps=4500),
        Recipe("mnist-ddpm-v", "Velocity-prediction diffusion, cosine schedule, class-conditional.", "mnist", "diffusion", "unet",
               SMALL_UNET, prediction="v", conditional=True, steps=4500),
        Recipe("mnist-ddpm-v-uncond", "Velocity-prediction diffusion, cosine schedule, unconditional (no label at all), "
               "trained longer: the model a page shows when it samples 'any digit'.", "mnist", "diffusion", "unet",
               SMALL_UNET, prediction="v", conditional=False, steps=4628, batch_size=GPU_BATCH),
        Recipe("mnist-ddpm-eps-uncond", "Noise-prediction DDPM, cosine schedule, unconditional (no label at all), "
               "trained longer: the reverse page's model for 'any digit'.", "mnist", "diffusion", "unet",
               SMALL_UNET, prediction="eps", conditional=False, steps=5852, batch_size=GPU_BATCH),
        Recipe("mnist-flow-random", "Flow matching, random pairing, class-conditional.", "mnist", "flow", "unet",
               SMALL_UNET, pairing="random", conditional=True, p_uncond=0.2, steps=9243, batch_size=GPU_BATCH),
        Recipe("mnist-flow-ot", "Flow matching, mini-batch OT pairing, class-conditional.", "mnist", "flow", "unet",
               SMALL_UNET, pairing="ot", conditional=True, p_uncond=0.2, steps=4405, batch_size=GPU_BATCH),
        Recipe("mnist-flow-ot-uncond", "Flow matching, mini-batch OT pairing, unconditional (no label at all), trained "
               "on one CPU thread across working sessions (resumable): the flow page's model for 'any digit'.", "mnist",
               "flow", "unet", SMALL_UNET, pairing="ot", conditional=False, steps=12000),
        Recipe("mnist-flow-random-uncond", "Flow matching, random pairing, unconditional (no label at all), trained "
               "on one CPU thread across working sessions (resumable): the twin of mnist-flow-ot-uncond, so that the "
               "flow page compares the two pairings with equal training.", "mnist", "flow", "unet", SMALL_UNET,
               pairing="random", conditional=False, steps=12000),
        Recipe("mnist-latent-flow", "Flow matching (OT pairing) in the 4x7x7 latent of mnist-vae-spatial.",
               "latent:mnist-vae-spatial", "flow", "unet",
               {"base_channels": 64, "channel_mults": (1,), "num_res_blocks": 2, "attention": True, "num_classes": 10},
               pairing="ot", conditional=True, p_uncond=0.2, steps=5644, batch_size=GPU_BATCH),
        Recipe("mnist-latent-flow-uncond", "Flow matching (OT pairing) in the 4x7x7 latent of mnist-vae-spatial, "
               "unconditional (no label at all), trained on one CPU thread across working sessions (resumable): the "
               "latent page's model for 'any digit'.", "latent:mnist-vae-spatial", "flow", "unet",
               {"base_channels": 64, "channel_mults": (1,), "num_res_blocks": 2, "attention": True},
               pairing="ot", conditional=False, steps=20000),
        Recipe("cifar10-autoencoder", "Conv auto-encoder for CIFAR-10, 128-D code.", "cifar10", "autoencoder", "autoencoder",
               {"channels": (32, 64), "code_dim": 128}, steps=3000, ema_decay=0.995),
        Recipe("cifar10-flow-ot", "Flow matching (OT pairing) on CIFAR-10, class-conditional, a wider UNet (32-64-128).",
               "cifar10", "flow", "unet", {**SMALL_UNET, "base_channels": 32}, pairing="ot", conditional=True, steps=2910,
               batch_size=GPU_BATCH),
        Recipe("cifar10-classifier", "Small CNN that judges generated CIFAR-10 images.", "cifar10", "classifier",
               "classifier", {"channels": (32, 64, 128), "dropout": 0.3}, hflip=True, steps=1500, lr=2e-3, ema_decay=0.99),
        Recipe("mnist-detector", "Small CNN that tells real digits from generated ones (0 real, 1 generated), "
               "trained on three shipped generators' samples.", "forensics:mnist", "classifier", "classifier",
               {"num_classes": 2}, steps=1500, lr=2e-3, ema_decay=0.99),
        Recipe("tiny-test", "A few steps on tiny data, for the tests.", "mnist", "diffusion", "unet",
               {"base_channels": 8, "channel_mults": (1, 2), "attention": False}, steps=20, batch_size=16, warmup=2),
    ]
}


def make_loss(recipe: Recipe, num_classes: int = 0) -> LossFn:
    """The objective of ``recipe`` (:mod:`core.training.objectives`) for a net with ``num_classes`` classes."""
    nc = num_classes if recipe.conditional else 0
    if recipe.objective == "diffusion":
        return diffusion_objective(make_schedule(recipe.schedule, recipe.T), recipe.prediction, num_classes=nc,
                                   p_uncond=recipe.p_uncond)
    if recipe.objective == "flow":
        return flow_objective(recipe.pairing, num_classes=nc, p_uncond=recipe.p_uncond)
    if recipe.objective == "autoencoder":
        return reconstruction_objective()
    if recipe.objective == "vae":
        return vae_objective(recipe.kl_weight)
    if recipe.objective == "classifier":
        return classifier_objective(recipe.hflip)
    raise ValueError(f"unknown objective {recipe.objective!r}; choose one of {', '.join(OBJECTIVES)}")


def num_classes(model: nn.Module) -> int:
    """How many classes a net is conditioned on (0: unconditional)."""
    return int(getattr(getattr(model, "cfg", None), "num_classes", 0) or 0)


def training_data(recipe: Recipe, device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor | None]:
    """The recipe's training images in ``[-1, 1]`` (or scaled latents) and labels, on ``device``.

    ``data`` is an image data set (``mnist``, ``cifar10``), ``latent:VAE``: the latents of the
    VAE's own training images (:func:`core.sampling.latent.encode_dataset`), or ``forensics:DATA``:
    real and generated images labelled 0 and 1 (:func:`core.forensics.detector.detector_data`).
    """
    if recipe.data.startswith("forensics:"):
        x, y = detector_data(recipe.data.split(":", 1)[1], recipe.train_fraction, recipe.seed)
        return x.to(device), y.to(device)
    if recipe.data.startswith("latent:"):
        z, y = encode_dataset(recipe.data.split(":", 1)[1], recipe.train_fraction, recipe.seed)
        return z.to(device), y.to(device)
    train_part, _ = split(load_images(recipe.data), recipe.train_fraction, seed=recipe.seed)
    return to_model_range(train_part.images).to(device), train_part.labels.to(device)


def build_model(recipe: Recipe, sample_shape: tuple[int, ...], *, generator: torch.Generator | None = None) -> nn.Module:
    """The recipe's network for samples of shape ``(C, H, W)`` (pixels or latents), weights drawn from ``generator``."""
    cfg = dict(recipe.net_config)
    if recipe.net == "unet":
        cfg["in_channels"] = sample_shape[0]
        if not recipe.conditional:
            cfg["num_classes"] = 0
    if recipe.net in ("autoencoder", "vae", "classifier"):
        cfg["in_channels"], cfg["image_size"] = sample_shape[0], sample_shape[-1]
    return build(recipe.net, cfg, generator=generator)


def recipe_record(recipe: Recipe) -> dict[str, Any]:
    """The recipe as plain JSON (stored in the checkpoint)."""
    rec = asdict(recipe)
    rec["net_config"] = {k: list(v) if isinstance(v, tuple) else v for k, v in dict(recipe.net_config).items()}
    return rec


def latent_record(recipe: Recipe) -> dict[str, Any]:
    """For a latent model: which VAE decodes its samples, and the latent scale (stored in the checkpoint)."""
    if not recipe.data.startswith("latent:"):
        return {}
    vae = recipe.data.split(":", 1)[1]
    return {"latent": {"vae": vae, "scale": latent_scale(vae, recipe.train_fraction, recipe.seed)}}
