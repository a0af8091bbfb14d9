"""Datasets: real images (MNIST, CIFAR-10) and 2-D toy distributions.

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

The toy distributions (:func:`sample_toy`) are the usual 2-D test beds of
flow-matching papers (FFJORD, torchcfm): small enough to train in seconds,
and every sample can be drawn as a dot.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import math
import os
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

__all__ = [
    "ASSETS_DIR",
    "CIFAR10_CLASSES",
    "MNIST_CLASSES",
    "TOY_DATASETS",
    "CorruptDataFile",
    "DatasetUnavailable",
    "ImageSet",
    "batches",
    "embed_toy",
    "load_cifar10",
    "load_mnist",
    "project_toy",
    "sample_toy",
    "split",
    "to_model_range",
    "to_uint8",
]

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets" / "data"
"""The offline copies shipped with the app (see ``docs/DATA.md``)."""

DATA_ENV = "DIFFUSION_PLAYGROUND_DATA"  # default ``root`` for the full datasets
CACHE_ENV = "DIFFUSION_PLAYGROUND_CACHE"  # where decoded CIFAR-10 is cached

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
    return _load("mnist", _resolve_root(root, download), download, ASSETS_DIR)


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
    return _load("cifar10", _resolve_root(root, download), download, ASSETS_DIR)


def _resolve_root(root: str | Path | None, download: bool) -> str | None:
    """``root``, else ``$DIFFUSION_PLAYGROUND_DATA``, else a cache folder if downloading."""
    if root is None:
        root = os.environ.get(DATA_ENV) or None
    if root is None and download:
        root = _cache_dir() / "datasets"
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
    cached = _cache_dir() / f"cifar10-test-{digest}.npz"
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


def _cache_dir() -> Path:
    """``$DIFFUSION_PLAYGROUND_CACHE``, else ``~/.cache/diffusion-playground``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "diffusion-playground").expanduser()


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
    """Write to a temporary file beside ``path``, then rename: readers never see half a file.

    A cache is only a speed-up, so an unwritable folder is silently skipped.
    """
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as f:
            tmp = f.name
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# Using images: splits, value ranges, mini-batches
# ---------------------------------------------------------------------------


def split(ds: ImageSet, fraction: float, *, seed: int = 0) -> tuple[ImageSet, ImageSet]:
    """Split into two disjoint parts, ``fraction`` of every class in the first.

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


def batches(
    ds_or_tensor: ImageSet | torch.Tensor,
    batch_size: int,
    *,
    generator: torch.Generator,
    drop_last: bool = True,
) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
    """Endless random mini-batches ``(x, y)``, one shuffled epoch after another.

    ``x`` is float32 in ``[-1, 1]`` (uint8 images are converted batch by batch,
    so the whole set is never held as floats); a float tensor (e.g. toy
    samples, shape ``(N, 2)``) is passed through as is. ``y`` holds the labels
    of an ``ImageSet`` and is ``None`` for a bare tensor. With ``drop_last``,
    every batch has exactly ``batch_size`` rows. Batches live on the CPU;
    move them to your device yourself.
    """
    if isinstance(ds_or_tensor, ImageSet):
        data, labels = ds_or_tensor.images, ds_or_tensor.labels
    else:
        data, labels = ds_or_tensor, None
    n = data.shape[0]
    if batch_size < 1 or (drop_last and batch_size > n):
        raise ValueError(f"batch_size must be between 1 and {n} (the data size), got {batch_size}")
    while True:
        order = torch.randperm(n, generator=generator)
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            idx = order[start : start + batch_size]
            x = data[idx]
            yield (to_model_range(x) if x.dtype == torch.uint8 else x), (None if labels is None else labels[idx])


# ---------------------------------------------------------------------------
# 2-D toy distributions
# ---------------------------------------------------------------------------

TOY_DATASETS = ("gaussian", "8gaussians", "moons", "checkerboard", "spiral", "swissroll")


def sample_toy(
    name: str,
    n: int,
    *,
    generator: torch.Generator | None = None,
    seed: int | None = None,
) -> torch.Tensor:
    """Draw ``n`` points, shape ``(n, 2)`` float32, from a 2-D toy distribution.

    Scales follow FFJORD (Grathwohl et al. 2019) and torchcfm, so that every
    distribution lies roughly in ``[-4, 4]^2`` with a per-coordinate standard
    deviation between about 1 and 2.3, comparable to the ``N(0, I)`` source:

    * ``gaussian``: the standard normal ``N(0, I)``, the usual noise end.
    * ``8gaussians``: 8 equally likely blobs (std 0.35) on a circle of radius 2.83.
    * ``moons``: sklearn's two interleaving half circles (noise 0.1), scaled
      by 2 and shifted by ``(-1, -0.5)`` so that the mean is 0.
    * ``checkerboard``: uniform on the 8 dark squares of a 4x4 board on ``[-4, 4]^2``
      (squares of side 2; the bottom-left one is dark).
    * ``spiral``: two interleaved arms, ``±(-t cos t, t sin t) / 3`` with
      ``t = 3 pi sqrt(u)``, plus noise 0.1.
    * ``swissroll``: sklearn's swiss roll seen from above,
      ``(t cos t, t sin t) / 5`` with ``t`` uniform in ``[1.5 pi, 4.5 pi]``, plus noise 0.2.

    Randomness: pass a ``generator`` or a ``seed`` (same seed, same points);
    with neither, torch's global generator is used.
    """
    if name not in TOY_DATASETS:
        raise ValueError(f"unknown toy dataset {name!r}; choose one of {', '.join(TOY_DATASETS)}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if generator is not None and seed is not None:
        raise ValueError("pass a generator or a seed, not both")
    if seed is not None:
        generator = torch.Generator().manual_seed(seed)

    g = generator

    def uniform(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=g)

    def normal(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g)

    def polar(r: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
        return torch.stack([r * torch.cos(angle), r * torch.sin(angle)], dim=1)  # (n, 2)

    if name == "gaussian":
        return normal(n, 2)
    if name == "8gaussians":
        blob = torch.randint(0, 8, (n,), generator=g)
        centres = polar(torch.full((n,), 4 / math.sqrt(2)), blob * (math.pi / 4))
        return centres + 0.5 / math.sqrt(2) * normal(n, 2)
    if name == "moons":
        upper = torch.randint(0, 2, (n, 1), generator=g).bool()
        t = math.pi * uniform(n)
        outer = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
        inner = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
        points = torch.where(upper, outer, inner) + 0.1 * normal(n, 2)
        return 2 * points + torch.tensor([-1.0, -0.5])
    if name == "checkerboard":
        x = 4 * uniform(n) - 2  # column in [-2, 2)
        y = uniform(n) - 2 * torch.randint(0, 2, (n,), generator=g)  # [0, 1) or [-2, -1)
        y = y + torch.floor(x) % 2  # shift every other column by one square
        return 2 * torch.stack([x, y], dim=1)
    if name == "spiral":
        t = 3 * math.pi * torch.sqrt(uniform(n))  # sqrt: uniform density along the arm
        arm = 2 * torch.randint(0, 2, (n, 1), generator=g) - 1  # +1 or -1
        return arm * polar(t, math.pi - t) / 3 + 0.1 * normal(n, 2)  # (-t cos t, t sin t)
    t = 1.5 * math.pi * (1 + 2 * uniform(n))  # swissroll
    return polar(t, t) / 5 + 0.2 * normal(n, 2)


def _orthonormal_columns(dim: int, seed: int) -> torch.Tensor:
    """A fixed ``(dim, 2)`` matrix ``P`` with ``P^T P = I``: Q of the QR of a Gaussian matrix."""
    if dim < 2:
        raise ValueError(f"dim must be at least 2, got {dim}")
    gaussian = torch.randn(dim, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    q, r = torch.linalg.qr(gaussian)  # q: (dim, 2)
    return q * torch.sign(torch.diagonal(r))  # fix the signs: the same P on every platform


def embed_toy(x2d: torch.Tensor, dim: int, *, seed: int) -> torch.Tensor:
    """Embed 2-D points in ``dim`` dimensions: ``x_D = x_2 P^T``, shape ``(n, 2) -> (n, dim)``.

    ``P`` (``dim x 2``, orthonormal columns, fixed by ``seed``) spans a random
    plane, so the data lie on a 2-D subspace of a high-dimensional space: the
    setting of "Back to Basics" (Li & He, 2025), where predicting the clean
    ``x`` keeps working as ``dim`` grows while predicting the noise ``eps``
    does not. Undo with :func:`project_toy`.
    """
    p = _orthonormal_columns(dim, seed).to(x2d.dtype)
    return x2d @ p.T


def project_toy(xD: torch.Tensor, dim: int, *, seed: int) -> torch.Tensor:
    """Back to the plane of :func:`embed_toy`: ``x_2 = x_D P``, shape ``(n, dim) -> (n, 2)``.

    Exact inverse on embedded points (``P^T P = I``); for any other point it is
    the orthogonal projection onto the plane, in the plane's coordinates.
    """
    if xD.shape[-1] != dim:
        raise ValueError(f"expected points of dimension {dim}, got shape {tuple(xD.shape)}")
    p = _orthonormal_columns(dim, seed).to(xD.dtype)
    return xD @ p
