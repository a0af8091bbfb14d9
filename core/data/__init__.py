"""Data: real images (MNIST, CIFAR-10; :mod:`~core.data.images`), 2-D toy distributions
(:mod:`~core.data.toy`, and a student's drawing: :mod:`~core.data.drawn`) and mini-batches (:mod:`~core.data.batches`).

Shapes come from here, never from literals elsewhere: :data:`IMAGE_SHAPES` gives ``(C, H, W)``
of each image data set; a model's own sample shape is recorded with it (see
:func:`core.sampling.sample_shape`).
"""

from core.data.batches import batch_at, batches, batches_from
from core.data.drawn import drawn_name, is_drawn
from core.data.images import (
    CIFAR10_CLASSES,
    IMAGE_SHAPES,
    MNIST_CLASSES,
    SPLIT_SEED,
    TRAIN_FRACTION,
    CorruptDataFile,
    DatasetUnavailable,
    ImageSet,
    load_cifar10,
    load_images,
    load_mnist,
    split,
    to_model_range,
    to_uint8,
)
from core.data.toy import EXTENT, TOY_DATASETS, check_toy, embed_toy, project_toy, sample_toy, toy_batches

__all__ = [
    "CIFAR10_CLASSES",
    "IMAGE_SHAPES",
    "MNIST_CLASSES",
    "SPLIT_SEED",
    "TOY_DATASETS",
    "TRAIN_FRACTION",
    "EXTENT",
    "CorruptDataFile",
    "DatasetUnavailable",
    "ImageSet",
    "batch_at",
    "batches",
    "batches_from",
    "check_toy",
    "drawn_name",
    "embed_toy",
    "is_drawn",
    "load_cifar10",
    "load_images",
    "load_mnist",
    "project_toy",
    "sample_toy",
    "split",
    "to_model_range",
    "to_uint8",
    "toy_batches",
]
