"""Image data sets: MNIST and CIFAR-10, their splits and value ranges.

Images are stored as ``uint8`` tensors of shape ``(N, C, H, W)``, exactly as on
disk and on screen; models see them in ``[-1, 1]`` through
:func:`to_model_range`, and :func:`to_uint8` goes back.

Where the images come from, in order of preference:

1. **The full training sets, via torchvision**, when a data root is given
   (argument ``root`` or the environment variable ``DIFFUSION_PLAYGROUND_DATA``)
   or ``download=True``: 60,000 MNIST digits, 50,000 CIFAR-10 images.
2. **The test sets shipped with the app** in ``assets/data`` (10,000 images
   each), so that everything works offline: MNIST in its original IDX format,
   CIFAR-10 as JPEG files in a zip.

``ImageSet.source`` always says which one you got. If neither works,
:class:`DatasetUnavailable` says where we looked and what to do.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import math
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core import paths
from core.io.atomic import write_bytes

__all__ = [
    "CIFAR10_CLASSES",
    "IMAGE_SHAPES",
    "MNIST_CLASSES",
    "CorruptDataFile",
    "DatasetUnavailable",
    "ImageSet",
    "load_cifar10",
    "load_images",
    "load_mnist",
    "split",
    "to_model_range",
    "to_uint8",
]

DATA_ENV, CACHE_ENV = paths.DATA_ENV, paths.CACHE_ENV  # documented in core.paths

MNIST_CLASSES = tuple(str(d) for d in range(10))
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip


class DatasetUnavailable(RuntimeError):
    """No copy of a dataset could be loaded; the message lists where we looked."""


class CorruptDataFile(DatasetUnavailable):
    """A data file exists but cannot be read (truncated, wrong format...)."""


@dataclass(frozen=True)
class ImageSet:
    """A labelled set of images, kept as ``uint8`` like on disk.

    Treat the tensors as read-only: loaders cache them, so an in-place edit
    would show up in every later call.
    """

    images: torch.Tensor  # (N, C, H, W) uint8
    labels: torch.Tensor  # (N,) int64, indices into ``classes``
    classes: tuple[str, ...]
    name: str
    source: str  # human-readable: where the images came from

    def __post_init__(self) -> None:
        images, labels = self.images, self.labels
        if images.dtype != torch.uint8 or images.ndim != 4:
            raise ValueError(f"images must be (N, C, H, W) uint8, got {images.dtype} {tuple(images.shape)}")
        if labels.dtype != torch.int64 or labels.shape != images.shape[:1]:
            raise ValueError(f"labels must be ({len(images)},) int64, got {labels.dtype} {tuple(labels.shape)}")

    def __len__(self) -> int:
        return self.images.shape[0]


# ---------------------------------------------------------------------------
# Loading images
# ---------------------------------------------------------------------------


def load_mnist(root: str | Path | None = None, *, download: bool = False) -> ImageSet:
    """Handwritten digits 0-9, 28x28 grey: an ``ImageSet`` of shape ``(N, 1, 28, 28)``.

    Tries torchvision's full training set (60,000 images) in ``root`` (default:
    ``$DIFFUSION_PLAYGROUND_DATA``), downloading it there if ``download=True``;
    otherwise the 10,000-image test set shipped in ``assets/data/mnist``.
    Repeated calls with the same arguments return the same (cached) object.

    Raises:
        DatasetUnavailable: no copy could be loaded (the message says what to do).
    """
    return _load("mnist", _resolve_root(root, download), download, paths.DATA)


def load_cifar10(root: str | Path | None = None, *, download: bool = False) -> ImageSet:
    """Ten classes of 32x32 colour photos: an ``ImageSet`` of shape ``(N, 3, 32, 32)``.

    Tries torchvision's full training set (50,000 images) in ``root`` (default:
    ``$DIFFUSION_PLAYGROUND_DATA``), downloading it there if ``download=True``;
    otherwise the 10,000-image test set shipped as JPEGs in
    ``assets/data/cifar10-test-jpeg.zip``. Decoding those takes a few seconds,
    so the pixels are also cached on disk, in ``~/.cache/diffusion-playground``
    or ``$DIFFUSION_PLAYGROUND_CACHE``.

    Raises:
        DatasetUnavailable: no copy could be loaded (the message says what to do).
    """
    return _load("cifar10", _resolve_root(root, download), download, paths.DATA)


def _resolve_root(root: str | Path | None, download: bool) -> str | None:
    """``root``, else ``$DIFFUSION_PLAYGROUND_DATA``, else a cache folder if downloading."""
    if root is None:
        root = paths.data_root()
    if root is None and download:
        root = paths.cache() / "datasets"
    return None if root is None else str(Path(root).expanduser())


@functools.lru_cache(maxsize=8)
def _load(name: str, root: str | None, download: bool, assets: Path) -> ImageSet:
    """Try torchvision in ``root``, then the shipped copy in ``assets``."""
    tried: list[str] = []
    if root is None:
        tried.append(f"no data root given (argument root, --data-root or ${DATA_ENV})")
    else:
        try:
            return _load_torchvision(name, root, download)
        except (RuntimeError, OSError) as err:  # what torchvision raises: files missing, download failed
            tried.append(f"torchvision in {root} (download={download}): {err}")

    offline = _load_mnist_idx if name == "mnist" else _load_cifar10_zip
    try:
        ds = offline(assets)
    except FileNotFoundError as err:
        tried.append(f"the shipped test set: {err}")
    else:
        if root is not None:
            warnings.warn(f"{tried[-1]}\nUsing {ds.source} instead.", stacklevel=3)
        return ds

    layout = "MNIST/raw" if name == "mnist" else "cifar-10-batches-py"
    raise DatasetUnavailable(
        f"Could not load {name}. Tried:\n"
        + "".join(f"  - {place}\n" for place in tried)
        + f"To fix: pass --data-root (or set ${DATA_ENV}) to a folder holding {layout}, "
        "or go online and use download=True, or restore assets/data from the repository."
    )


def _load_torchvision(name: str, root: str, download: bool) -> ImageSet:
    """The full training set through ``torchvision.datasets`` (imported lazily: it is slow)."""
    from torchvision import datasets

    if name == "mnist":
        ds = datasets.MNIST(root, train=True, download=download)
        images = ds.data.unsqueeze(1)  # (N, 28, 28) -> (N, 1, 28, 28)
        labels, classes = ds.targets, MNIST_CLASSES
    else:
        ds = datasets.CIFAR10(root, train=True, download=download)
        images = torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous()  # (N, H, W, C) -> (N, C, H, W)
        labels, classes = torch.tensor(ds.targets, dtype=torch.int64), CIFAR10_CLASSES
    source = f"{type(ds).__name__} training set via torchvision, {root}"
    return ImageSet(images, labels.to(torch.int64), classes, name=type(ds).__name__, source=source)


# --- MNIST: the IDX format, read with gzip + numpy -------------------------


def _load_mnist_idx(assets: Path) -> ImageSet:
    folder = assets / "mnist"
    images = _read_idx(folder / "t10k-images-idx3-ubyte.gz", ndim=3)  # (N, 28, 28)
    labels = _read_idx(folder / "t10k-labels-idx1-ubyte.gz", ndim=1)  # (N,)
    if len(images) != len(labels) or labels.max(initial=0) > 9:
        raise CorruptDataFile(f"{folder}: {len(images)} images but {len(labels)} labels (max {labels.max(initial=0)})")
    return ImageSet(
        images=torch.from_numpy(images).unsqueeze(1),
        labels=torch.from_numpy(labels.astype(np.int64)),
        classes=MNIST_CLASSES,
        name="MNIST",
        source=f"MNIST test set shipped with the app, {folder}",
    )


def _read_idx(path: Path, *, ndim: int) -> np.ndarray:
    """Read a gzipped IDX file of unsigned bytes (LeCun's MNIST format).

    Layout, all integers big-endian: magic ``0x0000 08 <ndim>`` (``08`` = uint8),
    then ``ndim`` int32 sizes, then the bytes in C order.
    """
    if not path.is_file():
        raise FileNotFoundError(f"missing {path}")
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as err:  # BadGzipFile is an OSError; EOFError: truncated
        raise CorruptDataFile(f"{path} is not a valid gzip file ({err}); copy it again from the repository") from err
    header = 4 + 4 * ndim
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if magic != 0x0800 + ndim or len(raw) < header:
        raise CorruptDataFile(f"{path}: not an IDX file of {ndim}-D uint8 (magic {magic!r}, expected {0x0800 + ndim})")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) - header != math.prod(shape):
        raise CorruptDataFile(f"{path}: header says {shape} = {math.prod(shape)} bytes, file has {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()  # copy: writable


# --- CIFAR-10: JPEGs in a zip, decoded once and cached on disk -------------


def _load_cifar10_zip(assets: Path) -> ImageSet:
    path = assets / "cifar10-test-jpeg.zip"
    if not path.is_file():
        raise FileNotFoundError(f"missing {path}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]  # the cache key
    cached = paths.cache() / f"cifar10-test-{digest}.npz"
    arrays = _read_npz(cached)
    if arrays is None:
        arrays = _decode_cifar_zip(path)
        _write_npz_atomically(cached, arrays)
    return ImageSet(
        images=torch.from_numpy(arrays["images"]),
        labels=torch.from_numpy(arrays["labels"]),
        classes=CIFAR10_CLASSES,
        name="CIFAR10",
        source=f"CIFAR-10 test set (JPEG) shipped with the app, {path}",
    )


def _decode_cifar_zip(path: Path) -> dict[str, np.ndarray]:
    """Decode ``test/<class>/NNNN.jpg``, sorted by class then file name."""
    from PIL import Image, UnidentifiedImageError

    index = {c: i for i, c in enumerate(CIFAR10_CLASSES)}
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.lower().endswith(".jpg")]
            folders = {n.split("/")[-2] if "/" in n else "" for n in names}
            if not names or not folders <= index.keys():
                raise CorruptDataFile(f"{path}: expected <class>/NNNN.jpg folders, found {sorted(folders)}")
            names.sort(key=lambda n: (index[n.split("/")[-2]], n.split("/")[-1]))
            images = np.empty((len(names), 32, 32, 3), dtype=np.uint8)  # (N, H, W, C), as PIL gives it
            for i, n in enumerate(names):
                with Image.open(io.BytesIO(z.read(n))) as img:
                    if img.size != (32, 32):
                        raise CorruptDataFile(f"{path}: {n} is {img.size[0]}x{img.size[1]}, expected 32x32")
                    images[i] = np.asarray(img.convert("RGB"))
    except (zipfile.BadZipFile, UnidentifiedImageError, OSError) as err:
        raise CorruptDataFile(f"{path} cannot be read ({err}); copy it again from the repository") from err
    labels = np.array([index[n.split("/")[-2]] for n in names], dtype=np.int64)
    return {"images": np.ascontiguousarray(images.transpose(0, 3, 1, 2)), "labels": labels}


def _read_npz(path: Path) -> dict[str, np.ndarray] | None:
    """The cached arrays, or ``None`` if absent or unreadable (then we decode again)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            images, labels = f["images"], f["labels"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    valid = images.dtype == np.uint8 and images.shape[1:] == (3, 32, 32) and labels.dtype == np.int64
    return {"images": images, "labels": labels} if valid and labels.shape == images.shape[:1] else None


def _write_npz_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the arrays as ``.npz`` through :mod:`core.io.atomic`: readers never see half a file.

    A cache is only a speed-up, so an unwritable folder is silently skipped.
    """
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    try:
        write_bytes(path, buffer.getvalue())
    except OSError:
        pass


# ---------------------------------------------------------------------------
# Using images: splits and value ranges
# ---------------------------------------------------------------------------


TRAIN_FRACTION, SPLIT_SEED = 0.8, 0
"""The held-out split of every shipped model: ``split(ds)`` keeps 80 % of each class to train on, and holds the other
20 % out (never trained on) for the pages and the judges."""


def split(ds: ImageSet, fraction: float = TRAIN_FRACTION, *, seed: int = SPLIT_SEED) -> tuple[ImageSet, ImageSet]:
    """Split into two disjoint parts, ``fraction`` of every class in the first (by default the shipped models' split:
    :data:`TRAIN_FRACTION`, :data:`SPLIT_SEED`).

    Stratified: each class is shuffled on its own (with ``seed``) and cut at
    ``round(fraction * count)``, so both parts keep the class balance, e.g. to
    train a classifier on one part and measure it on the other. Each part keeps
    the original order of ``ds``.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be strictly between 0 and 1, got {fraction}")
    generator = torch.Generator().manual_seed(seed)
    first = []
    for c in range(len(ds.classes)):
        members = torch.nonzero(ds.labels == c).squeeze(1)
        shuffled = members[torch.randperm(len(members), generator=generator)]
        first.append(shuffled[: round(fraction * len(members))])
    in_first = torch.zeros(len(ds), dtype=torch.bool)
    in_first[torch.cat(first)] = True

    def part(mask: torch.Tensor, label: str) -> ImageSet:
        return ImageSet(ds.images[mask], ds.labels[mask], ds.classes, f"{ds.name} ({label})", ds.source)

    tag = f"split {fraction:g}, seed {seed}"
    return part(in_first, f"first part of {tag}"), part(~in_first, f"second part of {tag}")


def to_model_range(images_uint8: torch.Tensor) -> torch.Tensor:
    """Pixels ``0..255`` to float32 ``[-1, 1]``: ``x = u / 127.5 - 1``. Any shape."""
    if images_uint8.dtype != torch.uint8:
        raise TypeError(f"expected uint8 pixels, got {images_uint8.dtype} (already converted?)")
    return images_uint8.to(torch.float32) / 127.5 - 1.0


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """Model output in ``[-1, 1]`` to pixels: ``u = round((clamp(x) + 1) * 127.5)``. Any shape."""
    return ((x.detach().clamp(-1.0, 1.0) + 1.0) * 127.5).round().to(torch.uint8)


IMAGE_SHAPES = {"mnist": (1, 28, 28), "cifar10": (3, 32, 32)}
"""``(C, H, W)`` of one image of each data set."""


def load_images(name: str) -> ImageSet:
    """``load_mnist()`` or ``load_cifar10()`` by name (``mnist`` | ``cifar10``)."""
    loaders = {"mnist": load_mnist, "cifar10": load_cifar10}
    if name not in loaders:
        raise ValueError(f"unknown image data set {name!r}; choose one of {', '.join(loaders)}")
    return loaders[name]()
