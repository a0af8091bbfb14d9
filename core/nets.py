"""Networks: a time-conditioned UNet, an autoencoder, a VAE, a toy MLP and a classifier.

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

Images are ``(B, C, H, W)`` in ``[-1, 1]``; MNIST is ``(B, 1, 28, 28)`` and
CIFAR-10 ``(B, 3, 32, 32)``.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "NETWORKS",
    "MLP",
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
    "timestep_embedding",
    "vae_loss",
]


# --------------------------------------------------------------------------- #
# Small helpers
# --------------------------------------------------------------------------- #


def count_params(model: nn.Module) -> int:
    """Number of parameters of ``model``, frozen ones included (an EMA copy counts too)."""
    return sum(p.numel() for p in model.parameters())


def timestep_embedding(
    t: Tensor, dim: int, *, scale: float = 1000.0, max_period: float = 10000.0
) -> Tensor:
    """Sinusoidal embedding of a continuous time (Vaswani et al. 2017; DDPM).

    ``emb[:, i] = cos(scale * t * w_i)`` and ``emb[:, dim/2 + i] = sin(scale * t * w_i)``
    with frequencies ``w_i = max_period ** (-i / (dim/2))``, so that ``t in [0, 1]``
    scaled by 1000 looks like DDPM's integer steps.

    Args:
        t: (B,) float times in [0, 1].
        dim: embedding size (even).
        scale: multiplies ``t`` before the sinusoids.
        max_period: slowest period, in units of ``scale * t``.

    Returns:
        (B, dim) float32 embedding.
    """
    if dim % 2:
        raise ValueError(f"embedding dim must be even, got {dim}")
    half = dim // 2
    freqs = torch.exp(
        -math.log(max_period) * torch.arange(half, device=t.device, dtype=torch.float32) / half
    )  # (half,)
    args = scale * t.float()[:, None] * freqs[None, :]  # (B, half)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)  # (B, dim)


def _check_time(x: Tensor, t: Tensor) -> None:
    """Raise a readable error when ``t`` is not a float tensor of shape ``(B,)``."""
    if not torch.is_tensor(t) or not t.is_floating_point():
        raise TypeError(
            "t must be a float tensor of shape (B,) in [0, 1]; diffusion steps "
            "0..T must be divided by T first"
        )
    if t.shape != (x.shape[0],):
        raise ValueError(f"t must have shape ({x.shape[0]},) to match x, got {tuple(t.shape)}")


def _num_groups(channels: int, max_groups: int = 8) -> int:
    """Largest number of GroupNorm groups ``<= max_groups`` that divides ``channels``."""
    for g in range(min(max_groups, channels), 0, -1):
        if channels % g == 0:
            return g
    return 1


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(_num_groups(channels), channels)


def _as_int_tuple(name: str, value: Any) -> tuple[int, ...]:
    """Config lists come back from JSON as lists; store them as tuples of ints."""
    out = tuple(int(v) for v in value)
    if not out or any(v <= 0 for v in out):
        raise ValueError(f"{name} must be a non-empty sequence of positive ints, got {value!r}")
    return out


def _check_image(x: Tensor, channels: int, size: int, what: str) -> None:
    """Raise a readable error when ``x`` is not ``(B, channels, size, size)``."""
    if x.ndim != 4 or tuple(x.shape[1:]) != (channels, size, size):
        raise ValueError(
            f"this {what} takes images of shape (B, {channels}, {size}, {size}), got "
            f"{tuple(x.shape)}; set in_channels and image_size in its config"
        )


def _downsampled_sizes(size: int, levels: int) -> list[int]:
    """Spatial sizes after 0..levels stride-2 3x3 convs (padding 1): ``s -> ceil(s / 2)``."""
    sizes = [size]
    for _ in range(levels):
        sizes.append((sizes[-1] + 1) // 2)
    return sizes


# --------------------------------------------------------------------------- #
# UNet
# --------------------------------------------------------------------------- #


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


# --------------------------------------------------------------------------- #
# Convolutional autoencoder
# --------------------------------------------------------------------------- #


def _conv_act(in_ch: int, out_ch: int, stride: int = 1, act: type[nn.Module] = nn.SiLU) -> nn.Sequential:
    """3x3 conv (padding 1) followed by a nonlinearity (SiLU: smooth, and no "dead" units like ReLU's)."""
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1), act())


def _up_conv_act(in_ch: int, out_ch: int, size: int) -> nn.Sequential:
    """Nearest-neighbour upsampling to ``size x size``, 3x3 conv, SiLU."""
    return nn.Sequential(
        nn.Upsample(size=(size, size), mode="nearest"),
        nn.Conv2d(in_ch, out_ch, 3, padding=1),
        nn.SiLU(),
    )


def _conv_encoder(in_channels: int, channels: tuple[int, ...]) -> "OrderedDict[str, nn.Module]":
    """Stem conv at full resolution, then one stride-2 conv per entry of ``channels``."""
    layers: OrderedDict[str, nn.Module] = OrderedDict(stem=_conv_act(in_channels, channels[0]))
    prev = channels[0]
    for i, ch in enumerate(channels):
        layers[f"down{i + 1}"] = _conv_act(prev, ch, stride=2)
        prev = ch
    return layers


def _conv_decoder(
    out_channels: int, channels: tuple[int, ...], sizes: list[int]
) -> "OrderedDict[str, nn.Module]":
    """Mirror of :func:`_conv_encoder`: upsample+conv per level, then a 3x3 conv and tanh."""
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    for i in reversed(range(len(channels))):
        out_ch = channels[i - 1] if i > 0 else channels[0]
        layers[f"up{i + 1}"] = _up_conv_act(channels[i], out_ch, sizes[i])
    layers["out"] = nn.Sequential(nn.Conv2d(channels[0], out_channels, 3, padding=1), nn.Tanh())
    return layers


@dataclass(frozen=True)
class ConvAutoencoderConfig:
    """Arguments of :class:`ConvAutoencoder`.

    Attributes:
        in_channels: image channels (1 for MNIST, 3 for CIFAR-10).
        image_size: height = width of the images (28 or 32); fixes the flat code's layer.
        channels: channels after each stride-2 conv (each halves the resolution).
        code_dim: size of the flat code vector.
    """

    in_channels: int = 1
    image_size: int = 28
    channels: tuple[int, ...] = (32, 64)
    code_dim: int = 32

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", _as_int_tuple("channels", self.channels))
        if self.in_channels <= 0 or self.image_size <= 0 or self.code_dim <= 0:
            raise ValueError("in_channels, image_size and code_dim must be positive")


class ConvAutoencoder(nn.Module):
    """Convolutional autoencoder: image -> flat code -> image.

    Encoder: 3x3 convs with SiLU, down-sampling by stride-2 convs
    (28 -> 14 -> 7 for the default), then flatten and a linear layer to the code.
    Decoder: a linear layer back to the smallest feature map, then per level a
    nearest-neighbour upsampling and a 3x3 conv with SiLU, and a last 3x3 conv with
    ``tanh`` so that the output lies in ``[-1, 1]`` like the images.
    """

    def __init__(self, cfg: ConvAutoencoderConfig) -> None:
        super().__init__()
        self.cfg = cfg
        sizes = _downsampled_sizes(cfg.image_size, len(cfg.channels))  # e.g. [28, 14, 7]
        self._bottom = (cfg.channels[-1], sizes[-1], sizes[-1])  # (C, h, w) before flattening
        flat = cfg.channels[-1] * sizes[-1] ** 2
        enc = _conv_encoder(cfg.in_channels, cfg.channels)
        enc["flatten"] = nn.Flatten()
        enc["code"] = nn.Linear(flat, cfg.code_dim)
        self.encoder = nn.Sequential(enc)
        dec: OrderedDict[str, nn.Module] = OrderedDict(
            fc=nn.Sequential(nn.Linear(cfg.code_dim, flat), nn.SiLU()),
            unflatten=nn.Unflatten(1, self._bottom),
        )
        dec.update(_conv_decoder(cfg.in_channels, cfg.channels, sizes))
        self.decoder = nn.Sequential(dec)

    def encode(self, x: Tensor) -> Tensor:
        """x: (B, C, H, W) in [-1, 1] -> code (B, code_dim)."""
        _check_image(x, self.cfg.in_channels, self.cfg.image_size, "autoencoder")
        return self.encoder(x)

    def decode(self, z: Tensor) -> Tensor:
        """z: (B, code_dim) -> image (B, C, H, W) in [-1, 1]."""
        return self.decoder(z)

    def forward(self, x: Tensor) -> Tensor:
        """Reconstruction ``decode(encode(x))``: (B, C, H, W) -> (B, C, H, W)."""
        return self.decode(self.encode(x))

    @torch.no_grad()
    def layer_shapes(self, input_shape: tuple[int, ...] | None = None) -> list[tuple[str, tuple[int, ...]]]:
        """Name and output shape (without the batch dimension) of every layer, in order.

        The first entry is ``("input", input_shape)``; names of the encoder's layers
        start with ``"encoder."`` and the decoder's with ``"decoder."``; the last shape
        equals the input shape. Runs one zero image through the net.

        Args:
            input_shape: (C, H, W); defaults to the config's image shape.
        """
        expected = (self.cfg.in_channels, self.cfg.image_size, self.cfg.image_size)
        shape = tuple(input_shape) if input_shape is not None else expected
        if shape != expected:
            raise ValueError(f"this autoencoder takes images of shape {expected}, got {shape}")
        p = next(self.parameters())
        h = torch.zeros((1, *shape), device=p.device, dtype=p.dtype)
        out: list[tuple[str, tuple[int, ...]]] = [("input", shape)]
        for prefix, seq in (("encoder", self.encoder), ("decoder", self.decoder)):
            for name, layer in seq.named_children():
                h = layer(h)
                out.append((f"{prefix}.{name}", tuple(h.shape[1:])))
        return out


# --------------------------------------------------------------------------- #
# Variational autoencoder
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class VAEConfig:
    """Arguments of :class:`VAE`.

    Attributes:
        in_channels: image channels.
        image_size: height = width of the images (28 or 32).
        channels: channels after each stride-2 conv (each halves the resolution).
        latent: ``"flat"``: a vector of ``latent_dim`` numbers (2 gives the classic
            MNIST latent map); ``"spatial"``: a ``latent_channels`` x h x w map at the
            lowest resolution (4 x 7 x 7 for 28 x 28 images, 4 x 8 x 8 for 32 x 32).
        latent_dim: size of the flat latent (``latent="flat"`` only).
        latent_channels: channels of the spatial latent (``latent="spatial"`` only).
    """

    in_channels: int = 1
    image_size: int = 28
    channels: tuple[int, ...] = (32, 64)
    latent: Literal["flat", "spatial"] = "flat"
    latent_dim: int = 2
    latent_channels: int = 4

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", _as_int_tuple("channels", self.channels))
        if self.latent not in ("flat", "spatial"):
            raise ValueError(f"latent must be 'flat' or 'spatial', got {self.latent!r}")
        if min(self.in_channels, self.image_size, self.latent_dim, self.latent_channels) <= 0:
            raise ValueError("in_channels, image_size, latent_dim and latent_channels must be positive")


class GaussianParams(NamedTuple):
    """Mean and log-variance of a diagonal Gaussian, each (B, *latent_shape)."""

    mu: Tensor
    logvar: Tensor


@dataclass
class VAEOutput:
    """Result of :meth:`VAE.forward`.

    Attributes:
        recon: (B, C, H, W) decoded sample, in [-1, 1].
        mu: (B, *latent_shape) posterior mean.
        logvar: (B, *latent_shape) posterior log-variance.
        z: (B, *latent_shape) the latent that was decoded, ``mu + exp(logvar / 2) * eps``.
    """

    recon: Tensor
    mu: Tensor
    logvar: Tensor
    z: Tensor


@dataclass
class VAELoss:
    """Scalar terms of the negative ELBO: ``total = recon + beta * kl``."""

    total: Tensor
    recon: Tensor
    kl: Tensor


class VAE(nn.Module):
    """Variational autoencoder (Kingma & Welling 2014) with the conv encoder/decoder of
    :class:`ConvAutoencoder`.

    The encoder outputs ``q(z | x) = N(mu, diag(exp(logvar)))``; a latent is drawn by
    the reparameterisation ``z = mu + exp(logvar / 2) * eps``, ``eps ~ N(0, I)``, and
    decoded to an image in ``[-1, 1]``. ``latent_shape`` is ``(latent_dim,)`` for a flat
    latent and ``(latent_channels, h, w)`` for a spatial one.
    """

    def __init__(self, cfg: VAEConfig) -> None:
        super().__init__()
        self.cfg = cfg
        sizes = _downsampled_sizes(cfg.image_size, len(cfg.channels))
        c_low, s_low = cfg.channels[-1], sizes[-1]
        enc = _conv_encoder(cfg.in_channels, cfg.channels)
        dec: OrderedDict[str, nn.Module] = OrderedDict()
        if cfg.latent == "flat":
            self.latent_shape: tuple[int, ...] = (cfg.latent_dim,)
            enc["flatten"] = nn.Flatten()
            enc["gaussian"] = nn.Linear(c_low * s_low**2, 2 * cfg.latent_dim)  # -> [mu, logvar]
            dec["fc"] = nn.Sequential(nn.Linear(cfg.latent_dim, c_low * s_low**2), nn.SiLU())
            dec["unflatten"] = nn.Unflatten(1, (c_low, s_low, s_low))
        else:  # "spatial"
            self.latent_shape = (cfg.latent_channels, s_low, s_low)
            enc["gaussian"] = nn.Conv2d(c_low, 2 * cfg.latent_channels, 3, padding=1)
            dec["conv_in"] = _conv_act(cfg.latent_channels, c_low)
        dec.update(_conv_decoder(cfg.in_channels, cfg.channels, sizes))
        self.encoder = nn.Sequential(enc)
        self.decoder = nn.Sequential(dec)

    def encode(self, x: Tensor) -> GaussianParams:
        """x: (B, C, H, W) in [-1, 1] -> (mu, logvar), each (B, *latent_shape)."""
        _check_image(x, self.cfg.in_channels, self.cfg.image_size, "VAE")
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return GaussianParams(mu, logvar)

    @staticmethod
    def reparameterize(
        mu: Tensor, logvar: Tensor, generator: torch.Generator | None = None
    ) -> Tensor:
        """Draw ``z = mu + exp(logvar / 2) * eps`` with ``eps ~ N(0, I)``; shapes as ``mu``."""
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + torch.exp(0.5 * logvar) * eps

    def decode(self, z: Tensor) -> Tensor:
        """z: (B, *latent_shape) -> image (B, C, H, W) in [-1, 1]."""
        return self.decoder(z)

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> VAEOutput:
        """Encode, draw one latent per image, decode. x: (B, C, H, W) in [-1, 1]."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, generator)
        return VAEOutput(recon=self.decode(z), mu=mu, logvar=logvar, z=z)


def vae_loss(out: VAEOutput, x: Tensor, beta: float = 1.0) -> VAELoss:
    """Negative ELBO with a weight ``beta`` on the KL term (Higgins et al. 2017 for beta != 1).

    ``recon = ||x - recon||^2`` summed over pixels (a Gaussian decoder with variance 1/2,
    up to a constant), ``kl = KL(N(mu, exp(logvar)) || N(0, I))
    = 1/2 sum(mu^2 + exp(logvar) - 1 - logvar)`` summed over latent dims; both averaged
    over the batch. ``total = recon + beta * kl``.

    Args:
        out: the VAE's output for ``x``.
        x: (B, C, H, W) images in [-1, 1].
        beta: weight of the KL term.
    """
    B = x.shape[0]
    recon = (out.recon - x).pow(2).reshape(B, -1).sum(dim=1).mean()
    kl = 0.5 * (out.mu.pow(2) + out.logvar.exp() - 1.0 - out.logvar).reshape(B, -1).sum(dim=1).mean()
    return VAELoss(total=recon + beta * kl, recon=recon, kl=kl)


# --------------------------------------------------------------------------- #
# MLP for toy data
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class MLPConfig:
    """Arguments of :class:`MLP`.

    Attributes:
        dim: data dimension D (2 for the toy distributions).
        hidden: width of the hidden layers.
        depth: number of hidden layers.
        time_embed_dim: size of the sinusoidal time embedding.
        time_scale: ``t in [0, 1]`` is multiplied by this before the sinusoids.
    """

    dim: int = 2
    hidden: int = 256
    depth: int = 4
    time_embed_dim: int = 64
    time_scale: float = 1000.0

    def __post_init__(self) -> None:
        if min(self.dim, self.hidden, self.depth, self.time_embed_dim) <= 0:
            raise ValueError("dim, hidden, depth and time_embed_dim must be positive")
        if self.time_embed_dim % 2:
            raise ValueError(f"time_embed_dim must be even, got {self.time_embed_dim}")


class MLP(nn.Module):
    """Time-conditioned MLP for points in R^D: ``f(x, t) = W_out silu(... silu(W_1 [x, emb(t)]))``.

    The time embedding is concatenated to the input; ``depth`` hidden layers of width
    ``hidden`` with SiLU. Maps (B, D) and (B,) to (B, D).
    """

    def __init__(self, cfg: MLPConfig) -> None:
        super().__init__()
        self.cfg = cfg
        layers: list[nn.Module] = [nn.Linear(cfg.dim + cfg.time_embed_dim, cfg.hidden), nn.SiLU()]
        for _ in range(cfg.depth - 1):
            layers += [nn.Linear(cfg.hidden, cfg.hidden), nn.SiLU()]
        layers.append(nn.Linear(cfg.hidden, cfg.dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        """x: (B, D) points, t: (B,) float times in [0, 1] -> (B, D)."""
        if x.ndim != 2 or x.shape[1] != self.cfg.dim:
            raise ValueError(f"x must have shape (B, {self.cfg.dim}), got {tuple(x.shape)}")
        _check_time(x, t)
        emb = timestep_embedding(t, self.cfg.time_embed_dim, scale=self.cfg.time_scale)
        return self.net(torch.cat([x, emb.to(x.dtype)], dim=1))


# --------------------------------------------------------------------------- #
# Classifier
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ClassifierConfig:
    """Arguments of :class:`Classifier`.

    Attributes:
        in_channels: image channels.
        image_size: height = width of the images.
        num_classes: number of classes.
        channels: channels of each conv stage (two 3x3 convs, then 2x2 max-pooling).
        feature_dim: size of the penultimate features (used for a Frechet distance).
        dropout: dropout before the last layer.
    """

    in_channels: int = 1
    image_size: int = 28
    num_classes: int = 10
    channels: tuple[int, ...] = (32, 64)
    feature_dim: int = 128
    dropout: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", _as_int_tuple("channels", self.channels))
        if min(self.in_channels, self.image_size, self.num_classes, self.feature_dim) <= 0:
            raise ValueError("in_channels, image_size, num_classes and feature_dim must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")


class Classifier(nn.Module):
    """Small CNN: per stage two 3x3 conv+ReLU and a 2x2 max-pool, then two linear layers.

    ``features(x)`` is the ReLU output of the first linear layer, ``(B, feature_dim)``,
    the representation in which generated and real digits are compared (a Frechet
    distance, as FID does with Inception features).
    """

    def __init__(self, cfg: ClassifierConfig) -> None:
        super().__init__()
        self.cfg = cfg
        layers: list[nn.Module] = []
        prev, size = cfg.in_channels, cfg.image_size
        for ch in cfg.channels:
            layers += [_conv_act(prev, ch, act=nn.ReLU), _conv_act(ch, ch, act=nn.ReLU), nn.MaxPool2d(2)]
            prev, size = ch, size // 2
        if size == 0:
            raise ValueError(f"image_size {cfg.image_size} is too small for {len(cfg.channels)} stages")
        self.conv = nn.Sequential(*layers)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(prev * size * size, cfg.feature_dim), nn.ReLU())
        self.head = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(cfg.feature_dim, cfg.num_classes))

    def features(self, x: Tensor) -> Tensor:
        """x: (B, C, H, W) in [-1, 1] -> penultimate features (B, feature_dim)."""
        _check_image(x, self.cfg.in_channels, self.cfg.image_size, "classifier")
        return self.fc(self.conv(x))

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, C, H, W) in [-1, 1] -> logits (B, num_classes)."""
        return self.head(self.features(x))


# --------------------------------------------------------------------------- #
# Registry
# --------------------------------------------------------------------------- #

NETWORKS: dict[str, tuple[type, type[nn.Module]]] = {
    "unet": (UNetConfig, UNet),
    "autoencoder": (ConvAutoencoderConfig, ConvAutoencoder),
    "vae": (VAEConfig, VAE),
    "mlp": (MLPConfig, MLP),
    "classifier": (ClassifierConfig, Classifier),
}


def build(kind: str, config: Mapping[str, Any] | None = None) -> nn.Module:
    """Build a network by kind name from a plain dict of config fields.

    ``build("unet", {"in_channels": 3})`` is ``UNet(UNetConfig(in_channels=3))``;
    missing fields take their defaults.

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
        raise ValueError(
            f"unknown config key(s) for {kind!r}: {', '.join(unknown)}; "
            f"allowed: {', '.join(allowed)}"
        )
    return net_cls(cfg_cls(**config))
