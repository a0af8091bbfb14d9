"""Shared test settings: one thread per test process so tests never oversubscribe the two cores."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

torch.set_num_threads(1)

from browser_support import browser, server  # noqa: E402,F401  (session fixtures for the browser tests)
from page_support import without_checkpoints  # noqa: E402,F401
