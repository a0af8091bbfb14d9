"""Networks: a time-conditioned UNet, an auto-encoder, a VAE, a toy MLP and a classifier.

Every network is built nanoGPT-style from a frozen ``@dataclass`` config whose
fields are exactly its constructor's arguments, ``net = UNet(UNetConfig(...))``,
and keeps it as ``net.cfg``; :func:`build` does the same from a kind name and a
plain dict (what a checkpoint's JSON holds).

The denoising networks (:class:`UNet`, :class:`MLP`) map ``(x, t[, y])`` to a
tensor of ``x``'s shape. ``t`` is a float tensor of shape ``(B,)`` in ``[0, 1]``
and the networks know nothing of any schedule: what the output *means* (noise
``eps``, clean image, or velocity) is decided by the loss that trains them, and
what ``t`` means (diffusion step ``t / T`` or flow time) by the caller, see
``core/__init__.py``. ``t`` enters through a sinusoidal embedding
(:func:`timestep_embedding`, Vaswani et al. 2017; Ho et al. 2020, DDPM).

Images are ``(B, C, H, W)`` in ``[-1, 1]``, any ``C`` and size the config names.
Modules: ``common`` (helpers), ``unet``, ``autoencoder`` (auto-encoder and VAE), ``mlp``,
``classifier``; this file holds the registry by ``kind`` and :func:`build`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

import torch
from torch import nn

from core.nets.autoencoder import (
    VAE,
    ConvAutoencoder,
    ConvAutoencoderConfig,
    GaussianParams,
    VAEConfig,
    VAELoss,
    VAEOutput,
    vae_loss,
)
from core.nets.classifier import Classifier, ClassifierConfig
from core.nets.common import count_params, in_batches, timestep_embedding
from core.nets.mlp import MLP, MLPConfig
from core.nets.unet import UNet, UNetConfig

__all__ = [
    "in_batches",
    "MLP",
    "NETWORKS",
    "VAE",
    "Classifier",
    "ClassifierConfig",
    "ConvAutoencoder",
    "ConvAutoencoderConfig",
    "GaussianParams",
    "MLPConfig",
    "UNet",
    "UNetConfig",
    "VAEConfig",
    "VAELoss",
    "VAEOutput",
    "build",
    "count_params",
    "init_weights",
    "timestep_embedding",
    "vae_loss",
]

NETWORKS: dict[str, tuple[type, type[nn.Module]]] = {
    "unet": (UNetConfig, UNet),
    "autoencoder": (ConvAutoencoderConfig, ConvAutoencoder),
    "vae": (VAEConfig, VAE),
    "mlp": (MLPConfig, MLP),
    "classifier": (ClassifierConfig, Classifier),
}


@torch.no_grad()
def init_weights(model: nn.Module, generator: torch.Generator) -> nn.Module:
    """Draw every layer's PyTorch default initialisation from ``generator``, in construction order.

    Linear and convolution layers: ``W ~ kaiming_uniform(a = sqrt(5))``, i.e.
    ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, and the bias from the same interval; embeddings
    ``N(0, 1)``; normalisation layers weight 1, bias 0: the same distributions as PyTorch's
    own constructors, drawn layer by layer in registration order. No process-wide random state
    is read or changed: on a server shared by a classroom, one student's run never moves
    another's random numbers, and the same seed always gives the same weights.
    """
    for layer in model.modules():
        if isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
            if layer.bias is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(layer.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
        elif isinstance(layer, nn.Embedding):
            nn.init.normal_(layer.weight, generator=generator)
        elif isinstance(layer, (nn.GroupNorm, nn.LayerNorm, nn.BatchNorm2d)):
            if getattr(layer, "weight", None) is not None:
                nn.init.ones_(layer.weight)
                nn.init.zeros_(layer.bias)
            if isinstance(layer, nn.BatchNorm2d):
                layer.reset_running_stats()
    return model


def build(kind: str, config: Mapping[str, Any] | None = None, *, generator: torch.Generator | None = None) -> nn.Module:
    """Build a network by kind name from a plain dict of config fields.

    ``build("unet", {"in_channels": 3})`` is ``UNet(UNetConfig(in_channels=3))``; missing
    fields take their defaults. With ``generator``, the weights are drawn from it
    (:func:`init_weights`) and the global random state is left alone; without, the network is
    built as PyTorch does (e.g. to load a checkpoint's weights into it).

    Raises:
        ValueError: unknown ``kind``, or keys that are not fields of its config.
    """
    if kind not in NETWORKS:
        raise ValueError(f"unknown network kind {kind!r}; known kinds: {', '.join(NETWORKS)}")
    cfg_cls, net_cls = NETWORKS[kind]
    config = dict(config or {})
    allowed = [f.name for f in fields(cfg_cls)]
    unknown = sorted(set(config) - set(allowed))
    if unknown:
        raise ValueError(f"unknown config key(s) for {kind!r}: {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    cfg = cfg_cls(**config)
    if generator is None:
        return net_cls(cfg)
    with torch.device("meta"):  # no random numbers drawn here: the weights are drawn below, from the generator
        net = net_cls(cfg)
    return init_weights(net.to_empty(device="cpu"), generator)
