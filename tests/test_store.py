"""Results shared by every process of a machine (core.io.store): computed once, read by the others, never unpickled,
recomputed when damaged, kept under their budget; and the pages' shared results can all be stored."""

from __future__ import annotations

import io
import multiprocessing
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.io import load
from core.io.store import Store, decode, encode


def test_a_result_comes_back_as_it_went_in():
    value = {"cells": np.arange(12, dtype=np.uint8).reshape(3, 4), "ts": [1000, 980], "pair": (1, "a", None, 2.5),
             "picture": Image.fromarray(np.full((5, 7, 3), 200, dtype=np.uint8)), "nested": {"x": [np.float32(0.5)]},
             "flag": True}
    back = decode(encode(value))
    assert back.keys() == value.keys() and back["ts"] == [1000, 980] and back["pair"] == (1, "a", None, 2.5)
    np.testing.assert_array_equal(back["cells"], value["cells"])
    assert back["picture"].size == (7, 5) and back["picture"].mode == "RGB"
    assert back["nested"] == {"x": [0.5]} and back["flag"] is True
    for bad in (object(), {1: "a"}, np.array([object()]), {"f": lambda: 0}):
        with pytest.raises(TypeError):
            encode(bad)


def test_a_file_that_would_unpickle_is_refused_not_run(tmp_path):
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(b'{"__array__": 0}', dtype=np.uint8), a0=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError):  # numpy refuses the object array without pickle
        decode(buf.getvalue())


def test_computed_once_then_read_by_another_store_on_the_same_folder(tmp_path):
    calls = []
    first, second = Store(tmp_path), Store(tmp_path)
    key = Store.key("reverse", 3)
    assert first.get_or_compute(key, lambda: calls.append(1) or {"a": np.ones(3)})["a"].sum() == 3
    assert second.get_or_compute(key, lambda: calls.append(1) or {"a": np.zeros(3)})["a"].sum() == 3
    assert calls == [1] and first.computed == 1 and second.computed == 0


def test_a_damaged_result_is_computed_again(tmp_path):
    store = Store(tmp_path)
    key = Store.key("x")
    store.get_or_compute(key, lambda: [1, 2])
    [path] = list(tmp_path.glob("*/*.npz"))
    path.write_bytes(b"not an npz")
    assert store.get_or_compute(key, lambda: [3]) == [3]


def test_what_cannot_be_stored_is_computed_and_returned(tmp_path):
    store = Store(tmp_path)
    marker = object()
    assert store.get_or_compute(Store.key("y"), lambda: marker) is marker
    assert not list(tmp_path.glob("*/*.npz"))


def test_the_folder_keeps_to_its_budget_dropping_what_was_read_least_recently(tmp_path):
    store = Store(tmp_path, max_bytes=10**9)
    keys = [Store.key(i) for i in range(4)]
    for i, key in enumerate(keys):
        store.get_or_compute(key, lambda i=i: np.full(50_000, i, dtype=np.uint8))
        time.sleep(0.02)
    store.get_or_compute(keys[0], lambda: None)  # read again: now the most recent
    size = sum(p.stat().st_size for p in tmp_path.glob("*/*.npz"))
    store.max_bytes = size // 2
    assert store.prune() == 2
    left = {p.stem for p in tmp_path.glob("*/*.npz")}
    assert left == {keys[0], keys[3]}


def _slow_compute(folder: str, log: str) -> None:
    def compute():
        with open(log, "a") as f:
            f.write("computed\n")
        time.sleep(1.0)
        return {"v": np.arange(5)}

    assert Store(Path(folder)).get_or_compute(Store.key("shared"), compute)["v"].sum() == 10


def test_two_processes_asking_at_once_compute_once(tmp_path):
    log = tmp_path / "log.txt"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_slow_compute, args=(str(tmp_path / "store"), str(log))) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert log.read_text().splitlines() == ["computed"]


def test_the_pages_shared_results_can_all_be_stored():
    from ui.figures import flow_matching, latent_diffusion, prediction_targets, reverse

    eps = load("mnist-ddpm-eps-uncond")
    targets = tuple(load(name) for name in prediction_targets.MODELS.values())
    results = [
        reverse.mnist_steps(eps, None, 1.0, 0, 10, 1),
        prediction_targets.read_all(targets, 3, 500, 0),
        prediction_targets.sample_rows(targets, None, 0),
        flow_matching.samples_row(load("mnist-flow-ot"), None, 1.0, 0),
        latent_diffusion.generation(load("mnist-latent-flow"), load("mnist-flow-ot"), load("mnist-vae-spatial"), None, 0, 5),
    ]
    for value in results:
        decode(encode(value))  # no TypeError: the store keeps them all
