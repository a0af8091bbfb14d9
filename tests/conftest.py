"""Shared test settings: one thread per test process so tests never oversubscribe the two cores, no warm-up thread in
the test process (each test computes what it reads; the browser tests' server warms up as ``make run`` does), and
every browser tab a test opened closed after it (its session ends, and any run it started with it)."""

import os
import random
import sys
import tempfile
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

torch.set_num_threads(1)
os.environ.setdefault("DIFFUSION_PLAYGROUND_STORE", tempfile.mkdtemp(prefix="dp-store-"))  # a fresh result store per run
os.environ.setdefault("DIFFUSION_PLAYGROUND_CLASSES", "sqlite:///" + tempfile.mkdtemp(prefix="dp-classes-") + "/classes.sqlite3")  # class mode
os.environ.setdefault("DIFFUSION_PLAYGROUND_WORKERS", "0")  # results computed where asked (tests/test_workers.py: a pool)
os.environ["DIFFUSION_PLAYGROUND_WARM_UP"] = "0"  # ui.resources.warm.ENV; tests/test_warm.py calls the warm-up itself

from browser_support import browser, close_tabs, server  # noqa: E402,F401  (session fixtures for the browser tests)
from page_support import without_checkpoints  # noqa: E402,F401


@pytest.fixture(autouse=True)
def _close_tabs():
    yield
    close_tabs()


def pytest_addoption(parser):
    parser.addoption("--shuffle", type=int, default=None, metavar="SEED",
                     help="run the tests in an order shuffled with SEED (the suite must not depend on its order)")


def pytest_collection_modifyitems(config, items):
    seed = config.getoption("--shuffle")
    if seed is not None:
        random.Random(seed).shuffle(items)
