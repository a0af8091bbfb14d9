"""Auto-encoders up close (lecture, part 1): a small conv auto-encoder trained live, in front of the student.

An auto-encoder squeezes an image ``x`` into a short code ``z = E(x)`` and rebuilds it,
``x_hat = D(z)``; it is trained to make the reconstruction error ``||D(E(x)) - x||^2`` small.
This module holds the live run, :func:`train_live`: a small conv auto-encoder trained on mini-batches of images with
the one training loop, reporting each step's loss and, now and then, its reconstructions of a few held-out images.
The rest of the page's auto-encoder arithmetic lives with what it is about: the layers in words and coding in batches
in :mod:`core.nets.autoencoder`, damage and PSNR in :mod:`core.images`, the decoder as a generator and the latent
map in :mod:`core.sampling.latent`.

Images are ``(B, C, H, W)`` floats in ``[-1, 1]`` (``core.data.to_model_range``), any size the
auto-encoder was built for (MNIST's 1x28x28 on the page).
Nothing here prints or knows about Streamlit; randomness always comes from a seed or a
``torch.Generator``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from core import data as datasets
from core.nets import ConvAutoencoder, build
from core.nets.autoencoder import restore
from core.training import (
    Optimisation,
    StepInfo,
    new_state,
    reconstruction_objective,
    train,
)

__all__ = ["CODE_SIZES", "LiveConfig", "LiveResult", "train_live"]

CODE_SIZES = (2, 4, 8, 16, 32)
"""Code sizes offered for the live run."""


# --------------------------------------------------------------------------- #
# The layers, in words
# --------------------------------------------------------------------------- #








# --------------------------------------------------------------------------- #
# Encoding and decoding in batches
# --------------------------------------------------------------------------- #








# --------------------------------------------------------------------------- #
# Live training
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class LiveConfig:
    """A small auto-encoder that trains in seconds on one CPU thread.

    Attributes:
        code_dim: size of the code vector z.
        channels: channels after each stride-2 conv (28 -> 14 -> 7); smaller than the
            shipped model's (16, 32) so that one step takes under 0.1 s.
        steps: optimiser steps.
        batch_size: digits per mini-batch.
        lr: the learning rate (AdamW without weight decay, constant).
        grad_clip: the gradient is rescaled to at most this norm before each step; without
            it, the first large steps can leave the net stuck near a constant output
            (we saw it most often with a 2-D code).
        seed: initial weights and the order of the mini-batches.
        preview_every: reconstructions of the preview digits are reported every so many steps.
    """

    code_dim: int = 8
    channels: tuple[int, ...] = (8, 16)
    steps: int = 300
    batch_size: int = 32
    lr: float = 1e-3
    grad_clip: float = 0.1
    seed: int = 0
    preview_every: int = 20

    def __post_init__(self) -> None:
        if self.code_dim <= 0 or self.steps <= 0 or self.batch_size <= 0 or self.preview_every <= 0:
            raise ValueError("code_dim, steps, batch_size and preview_every must be positive")
        if not (self.lr > 0 and self.grad_clip > 0):
            raise ValueError(f"lr and grad_clip must be positive, got {self.lr}, {self.grad_clip}")

    def optimisation(self) -> Optimisation:
        return Optimisation(steps=self.steps, lr=self.lr, final_lr=1.0, grad_clip=self.grad_clip)


@dataclass
class LiveResult:
    """What :func:`train_live` returns.

    Attributes:
        model: the trained auto-encoder (in eval mode).
        losses: the mini-batch loss of every step that ran.
        preview: the last reconstructions of the preview images, (P, C, H, W).
        steps_done: how many steps ran (fewer than ``cfg.steps`` when stopped).
    """

    model: ConvAutoencoder
    losses: list[float]
    preview: Tensor
    steps_done: int


def train_live(
    images: Tensor,
    cfg: LiveConfig,
    *,
    preview: Tensor | None = None,
    on_step: Callable[[StepInfo], bool | None] | None = None,
    on_preview: Callable[[int, Tensor], None] | None = None,
) -> LiveResult:
    """Train a :class:`~core.nets.ConvAutoencoder` on mini-batches of ``images`` (lecture, part 1).

    The one training loop (:func:`core.training.train`) with
    :func:`core.training.reconstruction_objective`: each step draws a mini-batch ``x`` of
    ``cfg.batch_size`` images, computes ``L = mean((D(E(x)) - x)^2)`` (mean over the batch and the
    pixels), back-propagates it, clips the gradient's norm to ``cfg.grad_clip``, and takes one
    Adam step (Kingma & Ba 2015) with a constant learning rate ``cfg.lr``: stochastic gradient
    descent on mini-batches, with momentum and per-weight step sizes.

    Args:
        images: (N, C, H, W) uint8 training images (C, H, W fix the network's shape).
        cfg: sizes and optimiser settings.
        preview: (P, C, H, W) floats in [-1, 1] (held-out images) whose reconstructions
            are passed to ``on_preview(step, recon)`` after step 1, every
            ``cfg.preview_every`` steps, and at the end.
        on_step: ``on_step(StepInfo)`` after each step; returning ``True`` stops the run early.
        on_preview: receives ``(step, recon)``, recon (P, C, H, W) in [-1, 1].

    Returns:
        A :class:`LiveResult`. Every draw (weights and batches) comes from one generator seeded by
        ``cfg.seed``; the global random state is left alone.
    """
    if images.dtype != torch.uint8 or images.ndim != 4:
        raise ValueError(f"images must be (N, C, H, W) uint8, got {images.dtype} {tuple(images.shape)}")
    channels, size = images.shape[1], images.shape[-1]
    generator = torch.Generator().manual_seed(cfg.seed)
    model = build("autoencoder", {"in_channels": channels, "image_size": size, "channels": cfg.channels,
                                  "code_dim": cfg.code_dim}, generator=generator)
    opt = cfg.optimisation()
    state = new_state(model, opt)
    last = preview

    def hook(info: StepInfo) -> bool:
        nonlocal last
        stop = bool(on_step(info)) if on_step is not None else False
        if preview is not None and (info.step == 1 or info.step % cfg.preview_every == 0 or info.step == info.total or stop):
            last = restore(model, preview)
            if on_preview is not None:
                on_preview(info.step, last)
            model.train()
        return stop

    train(state, reconstruction_objective(), datasets.batches(images, cfg.batch_size, generator=generator), opt,
          generator=generator, on_step=hook)
    if last is None:
        last = torch.empty(0, channels, size, size)
    return LiveResult(model=model, losses=state.losses, preview=last, steps_done=len(state.losses))


# --------------------------------------------------------------------------- #
# Damage and repair
# --------------------------------------------------------------------------- #






# --------------------------------------------------------------------------- #
# The decoder as a generator
# --------------------------------------------------------------------------- #








# --------------------------------------------------------------------------- #
# A 2-D VAE's latent map
# --------------------------------------------------------------------------- #








