"""A tiny timer: median and 95th percentile over repeats, after a warm-up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np


def measure(fn: Callable[[], object], *, repeats: int = 30, warmup: int = 3) -> dict[str, float]:
    """Seconds per call: ``p50`` and ``p95`` over ``repeats`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"p50": float(np.median(times)), "p95": float(np.percentile(times, 95))}


def row(name: str, stats: dict[str, float], extra: str = "") -> str:
    return f"| {name} | {stats['p50'] * 1e3:.2f} | {stats['p95'] * 1e3:.2f} | {extra} |"


def table(title: str, rows: list[str]) -> str:
    head = f"\n### {title}\n\n| what | p50 (ms) | p95 (ms) | notes |\n|---|---|---|---|"
    return "\n".join([head, *rows])


def wait_for_warm_up(timeout: float = 120) -> None:
    """Let the app's warm-up thread (``ui.resources.warm``) finish, so that re-renders are timed on a quiet process."""
    from ui.resources.warm import THREAD

    for t in threading.enumerate():
        if t.name == THREAD:
            t.join(timeout)
