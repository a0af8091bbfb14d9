"""A time-conditioned UNet for images, optionally class-conditional (classifier-free guidance).

Maps ``(x, t[, y])`` to a tensor of ``x``'s shape: ``x`` ``(B, C, H, W)`` in ``[-1, 1]``, ``t``
``(B,)`` floats in ``[0, 1]``, ``y`` ``(B,)`` class labels where ``num_classes`` is the null label.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.nets.common import (
    _as_int_tuple,
    _check_time,
    _norm,
    timestep_embedding,
)


@dataclass(frozen=True)
class UNetConfig:
    """Arguments of :class:`UNet`.

    Attributes:
        in_channels: image channels (1 for MNIST, 3 for CIFAR-10); the output has as many.
        base_channels: channels at full resolution.
        channel_mults: channels of level ``i`` are ``base_channels * channel_mults[i]``;
            each level after the first halves the resolution (28 -> 14 -> 7, 32 -> 16 -> 8).
        num_res_blocks: residual blocks per level, on the way down and on the way up.
        attention: one self-attention block in the middle, at the lowest resolution.
        dropout: dropout inside the residual blocks.
        num_classes: 0 for an unconditional net; otherwise labels ``0..num_classes-1``
            plus the learned "null" label ``num_classes`` (classifier-free guidance).
        time_scale: ``t in [0, 1]`` is multiplied by this before the sinusoids.

    The defaults (16-32-64 channels at 28-14-7, about 0.45M parameters) are sized for
    sampling MNIST on a CPU (about 80 ms for 64 images on one thread): convs at full
    resolution dominate the cost, so the capacity sits at the low resolutions, where
    it is cheap.
    """

    in_channels: int = 1
    base_channels: int = 16
    channel_mults: tuple[int, ...] = (1, 2, 4)
    num_res_blocks: int = 1
    attention: bool = True
    dropout: float = 0.0
    num_classes: int = 0
    time_scale: float = 1000.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "channel_mults", _as_int_tuple("channel_mults", self.channel_mults))
        if self.in_channels <= 0 or self.base_channels <= 0 or self.num_res_blocks <= 0:
            raise ValueError("in_channels, base_channels and num_res_blocks must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.num_classes < 0:
            raise ValueError(f"num_classes must be >= 0, got {self.num_classes}")


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv residual block with the time(-and-class) embedding added in the middle.

    ``h = conv1(silu(norm1(x))) + W emb``; ``out = skip(x) + conv2(dropout(silu(norm2(h))))``
    (DDPM, Ho et al. 2020, appendix B).
    """

    def __init__(self, in_ch: int, out_ch: int, emb_dim: int, dropout: float) -> None:
        super().__init__()
        self.norm1 = _norm(in_ch)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.emb_proj = nn.Linear(emb_dim, out_ch)
        self.norm2 = _norm(out_ch)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.skip = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()

    def forward(self, x: Tensor, emb: Tensor) -> Tensor:
        """x: (B, in_ch, H, W), emb: (B, emb_dim) -> (B, out_ch, H, W)."""
        h = self.conv1(F.silu(self.norm1(x)))  # (B, out_ch, H, W)
        h = h + self.emb_proj(F.silu(emb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return self.skip(x) + h


class AttentionBlock(nn.Module):
    """Single-head self-attention over the ``H*W`` positions, with a residual connection."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = _norm(channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, C, H, W) -> (B, C, H, W)."""
        B, C, H, W = x.shape
        qkv = self.qkv(self.norm(x)).reshape(B, 3, C, H * W).transpose(-1, -2)  # (B, 3, HW, C)
        q, k, v = qkv.unbind(1)  # each (B, HW, C)
        h = F.scaled_dot_product_attention(q, k, v)  # (B, HW, C)
        h = h.transpose(1, 2).reshape(B, C, H, W)
        return x + self.proj(h)


class Downsample(nn.Module):
    """Halve the resolution with a stride-2 3x3 conv: (B, C, H, W) -> (B, C, H/2, W/2)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x)


class Upsample(nn.Module):
    """Double the resolution with a 2x2 stride-2 transposed conv (the "up-convolution" of
    Ronneberger et al. 2015): (B, in_ch, h, w) -> (B, out_ch, 2h, 2w).

    Each input pixel becomes its own 2x2 block: kernels never overlap (uneven overlap is
    what causes checkerboard artefacts), and it costs a ninth of nearest-neighbour
    upsampling followed by a 3x3 conv.
    """

    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.conv = nn.ConvTranspose2d(in_ch, out_ch, 2, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x)


class UNet(nn.Module):
    """Small time-conditioned UNet (Ronneberger et al. 2015, as used by DDPM, Ho et al. 2020).

    Down path: a 3x3 stem, then per level ``num_res_blocks`` residual blocks, whose
    output is kept as a skip connection, and a stride-2 conv to the next level.
    Middle: residual block, optional self-attention, residual block. Up path: per
    level, upsample, concatenate the skip, ``num_res_blocks`` residual blocks. The
    embedding ``emb = MLP(sinusoid(t)) [+ class_embedding(y)]`` is added in every block.

    Class conditioning (``num_classes > 0``): ``y`` is a long tensor (B,) with values in
    ``0..num_classes``; ``num_classes`` is the learned "null" label, and ``y=None``
    means "null" for the whole batch, so one net gives both terms of classifier-free
    guidance (Ho & Salimans 2022).
    """

    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        chans = [cfg.base_channels * m for m in cfg.channel_mults]  # channels per level
        emb_dim = 4 * cfg.base_channels
        self.time_mlp = nn.Sequential(
            nn.Linear(cfg.base_channels, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim)
        )
        self.class_emb = nn.Embedding(cfg.num_classes + 1, emb_dim) if cfg.num_classes else None

        self.stem = nn.Conv2d(cfg.in_channels, chans[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        self.downsamples = nn.ModuleList()
        prev = chans[0]
        for i, ch in enumerate(chans):
            blocks = []
            for _ in range(cfg.num_res_blocks):
                blocks.append(ResBlock(prev, ch, emb_dim, cfg.dropout))
                prev = ch
            self.down_blocks.append(nn.ModuleList(blocks))
            if i < len(chans) - 1:
                self.downsamples.append(Downsample(ch))

        self.mid1 = ResBlock(prev, prev, emb_dim, cfg.dropout)
        self.mid_attn = AttentionBlock(prev) if cfg.attention else nn.Identity()
        self.mid2 = ResBlock(prev, prev, emb_dim, cfg.dropout)

        # ups[i] brings level i+1 up to level i (so there is none for the last level).
        self.ups = nn.ModuleList(Upsample(chans[i + 1], chans[i]) for i in range(len(chans) - 1))
        self.up_blocks = nn.ModuleList()
        for ch in chans:
            blocks = [ResBlock(2 * ch, ch, emb_dim, cfg.dropout)]  # after concatenating the skip
            blocks += [ResBlock(ch, ch, emb_dim, cfg.dropout) for _ in range(cfg.num_res_blocks - 1)]
            self.up_blocks.append(nn.ModuleList(blocks))

        self.out_norm = _norm(chans[0])
        self.out_conv = nn.Conv2d(chans[0], cfg.in_channels, 3, padding=1)

    def embed(self, t: Tensor, y: Tensor | None = None) -> Tensor:
        """Time (and class) embedding: t (B,) floats in [0, 1], y (B,) longs or None -> (B, 4*base)."""
        emb = self.time_mlp(
            timestep_embedding(t, self.cfg.base_channels, scale=self.cfg.time_scale).to(
                self.stem.weight.dtype
            )
        )  # (B, emb_dim)
        if self.class_emb is not None:
            if y is None:
                y = torch.full_like(t, self.cfg.num_classes, dtype=torch.long)
            elif y.shape != t.shape:
                raise ValueError(f"y must have shape {tuple(t.shape)}, got {tuple(y.shape)}")
            emb = emb + self.class_emb(y.long())
        elif y is not None:
            raise ValueError("this UNet is unconditional (num_classes=0); pass y=None")
        return emb

    def forward(self, x: Tensor, t: Tensor, y: Tensor | None = None) -> Tensor:
        """Predict a tensor of ``x``'s shape.

        Args:
            x: (B, in_channels, H, W) noisy images.
            t: (B,) float times in [0, 1].
            y: (B,) class labels in ``0..num_classes`` (``num_classes`` = unconditional),
                or None for unconditional; must be None when ``num_classes == 0``.

        Returns:
            (B, in_channels, H, W).
        """
        if x.ndim != 4 or x.shape[1] != self.cfg.in_channels:
            raise ValueError(
                f"x must have shape (B, {self.cfg.in_channels}, H, W), got {tuple(x.shape)}"
            )
        factor = 2 ** (len(self.cfg.channel_mults) - 1)
        if x.shape[-2] % factor or x.shape[-1] % factor:
            raise ValueError(
                f"height and width must be divisible by {factor} "
                f"(one halving per level after the first), got {tuple(x.shape[-2:])}"
            )
        _check_time(x, t)
        emb = self.embed(t, y)  # (B, emb_dim)

        h = self.stem(x)  # (B, C0, H, W)
        skips: list[Tensor] = []
        for i, blocks in enumerate(self.down_blocks):
            for block in blocks:
                h = block(h, emb)  # (B, C_i, H_i, W_i)
            skips.append(h)
            if i < len(self.downsamples):
                h = self.downsamples[i](h)  # (B, C_i, H_{i+1}, W_{i+1})

        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)  # (B, C_last, H_last, W_last)

        for i in reversed(range(len(self.up_blocks))):
            skip = skips[i]
            if i < len(self.ups):
                h = self.ups[i](h)  # (B, C_i, H_i, W_i)
            h = torch.cat([h, skip], dim=1)  # (B, 2 C_i, H_i, W_i)
            for block in self.up_blocks[i]:
                h = block(h, emb)  # (B, C_i, H_i, W_i)

        return self.out_conv(F.silu(self.out_norm(h)))  # (B, in_channels, H, W)
