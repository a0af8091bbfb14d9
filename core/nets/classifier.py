"""A small CNN classifier: it judges generated images (confidence, class balance, Frechet features)."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

from core.nets.autoencoder import _conv_act
from core.nets.common import _as_int_tuple, _check_image


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
