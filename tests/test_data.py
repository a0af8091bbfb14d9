"""core.data: the shipped datasets, splits, value ranges, batches and toy distributions.

Everything here runs offline: the real images come from ``assets/data``.
"""

import gzip
import hashlib
import math

import pytest
import torch

from core import data, paths
from core.data import images as image_data

MNIST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]  # shared/data/README.md
MNIST_IMAGES_MD5 = "2646ac647ad5339dbf082846283269ea"  # of the decompressed t10k image file


@pytest.fixture(autouse=True)
def offline_env(tmp_path, monkeypatch):
    """No data root from the developer's shell, and a throw-away disk cache."""
    monkeypatch.delenv(paths.DATA_ENV, raising=False)
    monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path / "cache"))


def indexed_set(n: int = 1000, n_classes: int = 10) -> data.ImageSet:
    """A tiny synthetic ImageSet whose image i spells out i, to track where rows go."""
    i = torch.arange(n)
    images = torch.stack([i // 256, i % 256], dim=1).to(torch.uint8).reshape(n, 1, 1, 2)
    classes = tuple(str(c) for c in range(n_classes))
    return data.ImageSet(images, i % n_classes, classes, name="indexed", source="test")


def row_ids(ds: data.ImageSet) -> set[int]:
    pixels = ds.images.reshape(len(ds), 2).long()
    return set((pixels[:, 0] * 256 + pixels[:, 1]).tolist())



# --- MNIST ------------------------------------------------------------------


def test_mnist_offline_matches_the_published_test_set():
    ds = data.load_mnist()
    assert len(ds) == 10_000
    assert ds.images.shape == (10_000, 1, 28, 28) and ds.images.dtype == torch.uint8
    assert ds.labels.dtype == torch.int64
    assert torch.bincount(ds.labels, minlength=10).tolist() == MNIST_COUNTS
    assert ds.classes == tuple("0123456789")
    assert "shipped" in ds.source
    assert data.load_mnist() is ds  # the process-level cache


def test_shipped_mnist_file_has_the_published_md5():
    raw = gzip.decompress((paths.DATA / "mnist" / "t10k-images-idx3-ubyte.gz").read_bytes())
    assert hashlib.md5(raw).hexdigest() == MNIST_IMAGES_MD5


def _idx_bytes(magic: int, shape: tuple[int, ...], payload: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(s.to_bytes(4, "big") for s in shape)
    return header + bytes(payload)


@pytest.mark.parametrize(
    "content, complaint",
    [
        (b"this is not gzip at all", "not a valid gzip file"),
        (gzip.compress(b"\x00\x00\x08"), "not an IDX file"),
        (gzip.compress(_idx_bytes(0x0801, (10, 28, 28), 7840)), "not an IDX file"),  # a label file's magic
        (gzip.compress(_idx_bytes(0x0803, (10, 28, 28), 7000)), "header says"),  # truncated pixels
        (gzip.compress(_idx_bytes(0x0803, (10, 28, 28), 7840))[:-9], "not a valid gzip file"),  # truncated gzip
    ],
)
def test_corrupt_idx_file_gives_a_clear_error(tmp_path, monkeypatch, content, complaint):
    (tmp_path / "mnist").mkdir()
    bad = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(content)
    monkeypatch.setattr(paths, "DATA", tmp_path)
    with pytest.raises(data.CorruptDataFile, match=complaint) as info:
        data.load_mnist()
    assert str(bad) in str(info.value)


# --- CIFAR-10 ---------------------------------------------------------------


def test_cifar10_offline_decodes_once_then_loads_from_the_disk_cache(tmp_path):
    image_data._load.cache_clear()  # force a real load, not the process cache
    ds = data.load_cifar10()
    assert ds.images.shape == (10_000, 3, 32, 32) and ds.images.dtype == torch.uint8
    assert torch.bincount(ds.labels, minlength=10).tolist() == [1000] * 10
    assert ds.classes[0] == "airplane" and ds.classes[-1] == "truck" and len(ds.classes) == 10
    assert torch.equal(ds.labels, ds.labels.sort().values)  # sorted by class
    assert 20 < ds.images.float().mean() < 235  # real photos, not blank

    cached = list((tmp_path / "cache").glob("cifar10-test-*.npz"))
    assert len(cached) == 1
    assert not list((tmp_path / "cache").glob("*.tmp"))  # the atomic write left nothing behind

    image_data._load.cache_clear()
    again = data.load_cifar10()
    assert again is not ds
    assert torch.equal(again.images, ds.images) and torch.equal(again.labels, ds.labels)


def test_unwritable_cache_is_skipped_silently(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "cache" / "x.npz"  # cannot be created: its parent is a file
    image_data._write_npz_atomically(target, {"images": torch.zeros(2, 3, 32, 32, dtype=torch.uint8).numpy()})
    assert image_data._read_npz(target) is None


# --- When nothing is there --------------------------------------------------


@pytest.mark.parametrize("loader", [data.load_mnist, data.load_cifar10])
def test_missing_dataset_names_every_place_tried(tmp_path, monkeypatch, loader):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(paths, "DATA", empty)
    with pytest.raises(data.DatasetUnavailable) as info:
        loader()
    message = str(info.value)
    assert str(empty) in message
    assert "no data root given" in message
    assert "--data-root" in message and "download=True" in message


def test_missing_root_is_reported_too(tmp_path, monkeypatch):
    root, empty = tmp_path / "root", tmp_path / "empty"
    root.mkdir()
    empty.mkdir()
    monkeypatch.setattr(paths, "DATA", empty)
    with pytest.raises(data.DatasetUnavailable) as info:
        data.load_mnist(root)  # torchvision finds nothing and may not download
    assert str(root) in str(info.value) and str(empty) in str(info.value)


def test_empty_root_falls_back_to_the_shipped_copy_with_a_warning(tmp_path):
    with pytest.warns(UserWarning, match="shipped"):
        ds = data.load_mnist(tmp_path)
    assert len(ds) == 10_000


# --- Splits, value ranges, batches -------------------------------------------


def test_split_is_stratified_disjoint_and_complete():
    ds = indexed_set()
    first, second = data.split(ds, 0.8, seed=3)
    assert len(first) == 800 and len(second) == 200
    assert torch.bincount(first.labels, minlength=10).tolist() == [80] * 10
    assert row_ids(first).isdisjoint(row_ids(second))
    assert row_ids(first) | row_ids(second) == set(range(len(ds)))


def test_split_is_deterministic_and_follows_the_seed():
    ds = indexed_set()
    a1, _ = data.split(ds, 0.5, seed=1)
    a2, _ = data.split(ds, 0.5, seed=1)
    b, _ = data.split(ds, 0.5, seed=2)
    assert torch.equal(a1.images, a2.images)
    assert not torch.equal(a1.images, b.images)


def test_split_of_mnist_keeps_the_class_balance():
    first, second = data.split(data.load_mnist(), 0.8)
    counts = torch.bincount(first.labels, minlength=10).tolist()
    assert counts == [round(0.8 * c) for c in MNIST_COUNTS]
    assert len(first) + len(second) == 10_000


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_split_rejects_fractions_outside_the_open_interval(fraction):
    with pytest.raises(ValueError, match="fraction"):
        data.split(indexed_set(), fraction)


def test_model_range_round_trip_is_exact_for_every_pixel_value():
    pixels = torch.arange(256, dtype=torch.uint8).reshape(4, 1, 8, 8)
    x = data.to_model_range(pixels)
    assert x.dtype == torch.float32 and x.shape == pixels.shape
    assert x.min() == -1.0 and x.max() == 1.0
    assert torch.equal(data.to_uint8(x), pixels)


def test_to_uint8_clamps_and_does_not_touch_its_input():
    x = torch.tensor([-3.0, -1.0, 0.0, 1.0, 7.0])
    before = x.clone()
    assert data.to_uint8(x).tolist() == [0, 0, 128, 255, 255]
    assert torch.equal(x, before)


def test_to_model_range_refuses_floats():
    with pytest.raises(TypeError, match="uint8"):
        data.to_model_range(torch.zeros(2, 1, 4, 4))


def test_batches_cover_each_epoch_once_in_model_range():
    ds = indexed_set(n=100)
    stream = data.batches(ds, 32, generator=torch.Generator().manual_seed(0))
    epoch = [next(stream) for _ in range(3)]  # 3 full batches of 32; the last 4 rows are dropped
    for x, y in epoch:
        assert x.shape == (32, 1, 1, 2) and x.dtype == torch.float32
        assert x.min() >= -1 and x.max() <= 1 and y.shape == (32,)
    seen = torch.cat([data.to_uint8(x) for x, _ in epoch]).reshape(-1, 2).long()
    assert len(set((seen[:, 0] * 256 + seen[:, 1]).tolist())) == 96  # no repeats within an epoch
    x, _ = next(stream)  # and then it goes on
    assert x.shape[0] == 32


def test_batches_of_a_tensor_are_reproducible_and_unlabelled():
    points = data.sample_toy("moons", 50, seed=0)
    first = data.batches(points, 20, generator=torch.Generator().manual_seed(7), drop_last=False)
    second = data.batches(points, 20, generator=torch.Generator().manual_seed(7), drop_last=False)
    sizes = []
    for _ in range(3):
        (x1, y1), (x2, _) = next(first), next(second)
        assert torch.equal(x1, x2) and y1 is None
        sizes.append(len(x1))
    assert sizes == [20, 20, 10]


# --- Toy distributions --------------------------------------------------------


# Per-coordinate standard deviations: closed forms where there is one (N(0, I); 8 blobs of std 0.5/sqrt 2 on a
# circle of radius 4/sqrt 2: sqrt(4 + 1/8); uniform on [-4, 4] in each coordinate: 8/sqrt 12), else measured once
# on 400,000 points (the scales follow FFJORD and torchcfm).
TOY_STD = {
    "gaussian": (1.0, 1.0),
    "8gaussians": (math.sqrt(4.125), math.sqrt(4.125)),
    "checkerboard": (8 / math.sqrt(12), 8 / math.sqrt(12)),
    "moons": (1.745, 1.008),
    "spiral": (1.601, 1.549),
    "swissroll": (1.341, 1.404),
}


@pytest.mark.parametrize("name", data.TOY_DATASETS)
def test_toy_samples_have_the_right_shape_and_their_known_spread(name):
    x = data.sample_toy(name, 4000, seed=0)
    assert x.shape == (4000, 2) and x.dtype == torch.float32
    assert torch.isfinite(x).all()
    std = x.std(dim=0)
    assert std.tolist() == pytest.approx(TOY_STD[name], rel=0.04)  # 4,000 draws: about 1-2 % sampling error
    assert x.mean(dim=0).abs().max() < 1.0
    assert (x.abs() < 6).all()  # roughly within [-4, 4]


@pytest.mark.parametrize("name", data.TOY_DATASETS)
def test_toy_samples_follow_the_seed(name):
    assert torch.equal(data.sample_toy(name, 100, seed=5), data.sample_toy(name, 100, seed=5))
    assert not torch.equal(data.sample_toy(name, 100, seed=5), data.sample_toy(name, 100, seed=6))
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert torch.equal(data.sample_toy(name, 100, generator=g1), data.sample_toy(name, 100, generator=g2))


def test_eight_gaussians_sit_on_a_circle():
    radius = data.sample_toy("8gaussians", 4000, seed=0).norm(dim=1)
    assert abs(radius.median().item() - 4 / math.sqrt(2)) < 0.1


def test_checkerboard_fills_only_the_dark_squares():
    x = data.sample_toy("checkerboard", 4000, seed=0)
    assert (x.abs() <= 4).all()
    square = torch.floor(x / 2).long()  # which 2x2 square, in {-2, ..., 1}^2
    assert ((square[:, 0] + square[:, 1]) % 2 == 0).all()  # the bottom-left square is dark


def test_unknown_toy_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="8gaussians") as info:
        data.sample_toy("banana", 10)
    assert all(name in str(info.value) for name in data.TOY_DATASETS)


@pytest.mark.parametrize("n", [0, -3])
def test_toy_needs_at_least_one_point(n):
    with pytest.raises(ValueError, match="at least 1"):
        data.sample_toy("moons", n)


def test_toy_takes_a_generator_or_a_seed_not_both():
    with pytest.raises(ValueError, match="not both"):
        data.sample_toy("moons", 10, generator=torch.Generator(), seed=0)


@pytest.mark.parametrize("dim", [2, 3, 64, 512])
def test_embed_then_project_round_trips(dim):
    x = data.sample_toy("spiral", 500, seed=0)
    xD = data.embed_toy(x, dim, seed=1)
    assert xD.shape == (500, dim) and xD.dtype == torch.float32
    assert torch.allclose(xD.norm(dim=1), x.norm(dim=1), atol=1e-5)  # an isometry
    assert torch.allclose(data.project_toy(xD, dim, seed=1), x, atol=1e-5)


def test_embedding_is_fixed_by_the_seed():
    x = data.sample_toy("moons", 10, seed=0)
    assert torch.equal(data.embed_toy(x, 16, seed=1), data.embed_toy(x, 16, seed=1))
    assert not torch.allclose(data.embed_toy(x, 16, seed=1), data.embed_toy(x, 16, seed=2))
    with pytest.raises(ValueError, match="dimension 8"):
        data.project_toy(data.embed_toy(x, 16, seed=1), 8, seed=1)
