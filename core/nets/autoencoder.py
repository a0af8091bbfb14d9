"""Convolutional auto-encoder and variational auto-encoder (lecture, parts 1 and 7).

3x3 convolutions with SiLU, stride-2 down-sampling, up-sampling followed by a conv on the way
back. Images are ``(B, C, H, W)`` in ``[-1, 1]``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal, NamedTuple

import torch
from torch import Tensor, nn

from core.nets.common import _as_int_tuple, _check_image, _downsampled_sizes, in_batches


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


def _conv_encoder(in_channels: int, channels: tuple[int, ...]) -> OrderedDict[str, nn.Module]:
    """Stem conv at full resolution, then one stride-2 conv per entry of ``channels``."""
    layers: OrderedDict[str, nn.Module] = OrderedDict(stem=_conv_act(in_channels, channels[0]))
    prev = channels[0]
    for i, ch in enumerate(channels):
        layers[f"down{i + 1}"] = _conv_act(prev, ch, stride=2)
        prev = ch
    return layers


def _conv_decoder(
    out_channels: int, channels: tuple[int, ...], sizes: list[int]
) -> OrderedDict[str, nn.Module]:
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
        where = generator.device if generator is not None else mu.device  # a run's generator may live on the CPU
        eps = torch.randn(mu.shape, generator=generator, device=where, dtype=mu.dtype).to(mu.device)
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
# Using a trained auto-encoder: its layers in words, codes and images in batches
# --------------------------------------------------------------------------- #


class Op(NamedTuple):
    """One step of a layer, as data: its ``kind`` (``conv``, ``stride``, ``upsample``, ``linear``, ``flatten``,
    ``reshape``, ``relu``, ``silu``, ``tanh``, ``image``, or another module's class name) and, for ``conv`` (the kernel),
    ``stride`` and ``upsample`` (the side reached), a size. A page writes it in its own words and language."""

    kind: str
    size: int | None = None

    def __str__(self) -> str:  # in English, for a log or a test: "conv 3x3", "stride 2", "upsample to 14x14"
        square = f"{self.size}x{self.size}"
        return {"conv": f"conv {square}", "stride": f"stride {self.size}", "upsample": f"upsample to {square}",
                "relu": "ReLU", "silu": "SiLU"}.get(self.kind, self.kind)


@dataclass(frozen=True)
class LayerInfo:
    """One layer of an auto-encoder as the architecture diagram shows it.

    Attributes:
        name: the module's name, ``"encoder.down1"``; ``"input"`` for the image.
        part: ``"input"``, ``"encoder"``, ``"code"``, ``"decoder"`` or ``"output"``.
        ops: what the layer does, step by step: ``(Op("conv", 3), Op("stride", 2), Op("relu"))``.
        shape: its output shape without the batch dimension, e.g. ``(32, 14, 14)`` or ``(16,)``.
    """

    name: str
    part: str
    ops: tuple[Op, ...]
    shape: tuple[int, ...]

    @property
    def op(self) -> str:
        """The operation in English: ``"conv 3x3, stride 2, ReLU"``."""
        return ", ".join(map(str, self.ops))

    @property
    def shape_text(self) -> str:
        """``"32×14×14"`` or ``"16"``."""
        return "×".join(str(s) for s in self.shape)


_KINDS = {nn.Linear: "linear", nn.Flatten: "flatten", nn.Unflatten: "reshape", nn.ReLU: "relu", nn.SiLU: "silu",
          nn.Tanh: "tanh"}


def _describe(module: nn.Module) -> tuple[Op, ...]:
    """The steps of one block of :mod:`core.nets`, as data (``upsample to 14x14, conv 3x3, ReLU``)."""
    ops: list[Op] = []
    children = list(module.children()) if isinstance(module, nn.Sequential) else [module]
    for m in children:
        if isinstance(m, nn.Conv2d):
            ops.append(Op("conv", m.kernel_size[0]))
            if m.stride[0] != 1:
                ops.append(Op("stride", m.stride[0]))
        elif isinstance(m, nn.Upsample):
            ops.append(Op("upsample", m.size if isinstance(m.size, int) else m.size[0]))
        else:
            ops.append(Op(_KINDS.get(type(m), type(m).__name__)))
    return tuple(ops)


def describe_layers(model: ConvAutoencoder) -> list[LayerInfo]:
    """Every layer of ``model`` with its operation and output shape, input first.

    Built on :meth:`ConvAutoencoder.layer_shapes`; the layer named ``encoder.code``
    (the flat code) has ``part == "code"`` and the last layer ``part == "output"``.
    """
    shapes = model.layer_shapes()
    modules = dict(model.named_modules())
    out: list[LayerInfo] = []
    for i, (name, shape) in enumerate(shapes):
        if name == "input":
            out.append(LayerInfo(name, "input", (Op("image"),), shape))
            continue
        part = name.split(".", 1)[0]
        if name == "encoder.code":
            part = "code"
        elif i == len(shapes) - 1:
            part = "output"
        out.append(LayerInfo(name, part, _describe(modules[name]), shape))
    return out


@torch.no_grad()
def encode(model: ConvAutoencoder, x: Tensor, batch_size: int = 500) -> Tensor:
    """Codes ``z = E(x)`` of images ``x`` (B, C, H, W) in [-1, 1] -> (B, code_dim), in batches."""
    model.eval()
    return in_batches(model.encode, x, batch_size)


@torch.no_grad()
def decode(model: ConvAutoencoder | VAE, z: Tensor, batch_size: int = 500) -> Tensor:
    """Images ``D(z)`` of codes ``z`` (B, code_dim) -> (B, C, H, W) in [-1, 1], in batches."""
    model.eval()
    return in_batches(model.decode, z, batch_size)


@torch.no_grad()
def restore(model: ConvAutoencoder, x: Tensor) -> Tensor:
    """The reconstruction ``D(E(x))`` (B, C, H, W) of (possibly damaged) images ``x``."""
    model.eval()
    return model(x)


@torch.no_grad()
def encode_means(vae: VAE, x: Tensor, batch_size: int = 500) -> Tensor:
    """Posterior means ``mu(x)`` of images ``x`` (B, C, H, W) -> (B, *latent_shape)."""
    vae.eval()
    return in_batches(lambda chunk: vae.encode(chunk).mu, x, batch_size)
