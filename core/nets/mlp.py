"""A time-conditioned MLP for points in R^D (the 2-D toy data and their D-dimensional embeddings)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from core.nets.common import _check_time, timestep_embedding

ACTIVATIONS: dict[str, type[nn.Module]] = {"silu": nn.SiLU, "relu": nn.ReLU}


@dataclass(frozen=True)
class MLPConfig:
    """Arguments of :class:`MLP`.

    Attributes:
        dim: data dimension D (2 for the toy distributions).
        hidden: width of the hidden layers.
        depth: number of hidden layers.
        time_embed_dim: size of the sinusoidal time embedding.
        time_scale: ``t in [0, 1]`` is multiplied by this before the sinusoids.
        activation: ``silu`` or ``relu`` (the "Back to Basics" toy uses ReLU).
    """

    dim: int = 2
    hidden: int = 256
    depth: int = 4
    time_embed_dim: int = 64
    time_scale: float = 1000.0
    activation: str = "silu"

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        if min(self.dim, self.hidden, self.depth, self.time_embed_dim) <= 0:
            raise ValueError("dim, hidden, depth and time_embed_dim must be positive")
        if self.time_embed_dim % 2:
            raise ValueError(f"time_embed_dim must be even, got {self.time_embed_dim}")


class MLP(nn.Module):
    """Time-conditioned MLP for points in R^D: ``f(x, t) = W_out act(... act(W_1 [x, emb(t)]))``.

    The time embedding is concatenated to the input; ``depth`` hidden layers of width
    ``hidden`` with SiLU (or ReLU). Maps (B, D) and (B,) to (B, D).
    """

    def __init__(self, cfg: MLPConfig) -> None:
        super().__init__()
        self.cfg = cfg
        act = ACTIVATIONS[cfg.activation]
        layers: list[nn.Module] = [nn.Linear(cfg.dim + cfg.time_embed_dim, cfg.hidden), act()]
        for _ in range(cfg.depth - 1):
            layers += [nn.Linear(cfg.hidden, cfg.hidden), act()]
        layers.append(nn.Linear(cfg.hidden, cfg.dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        """x: (B, D) points, t: (B,) float times in [0, 1] -> (B, D)."""
        if x.ndim != 2 or x.shape[1] != self.cfg.dim:
            raise ValueError(f"x must have shape (B, {self.cfg.dim}), got {tuple(x.shape)}")
        _check_time(x, t)
        emb = timestep_embedding(t, self.cfg.time_embed_dim, scale=self.cfg.time_scale)
        return self.net(torch.cat([x, emb.to(x.dtype)], dim=1))
