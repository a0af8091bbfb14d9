"""How far a long computation has come, for whoever waits for it (a page's progress bar and the time left).

A computation says how far it is with :func:`report` (a share in ``[0, 1]``); nobody hears it unless the caller of the
computation listens::

    with progress.listening(lambda done: print(f"{done:.0%}")):
        images = generate(ckpt, 64, steps=50)      # each network evaluation reports

A computation made of parts (several sample runs) gives each its share with :func:`part`. The listener belongs to the
thread (a ``ContextVar``): two students' computations never hear each other. A worker process (:mod:`core.workers`)
has no listener of its own: it writes its reports to a small file that the waiting process reads (:func:`to_file`,
:func:`read`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path

from core.io.atomic import write_bytes

__all__ = ["listening", "part", "read", "report", "to_file"]

Listener = Callable[[float], None]
_listener: ContextVar[Listener | None] = ContextVar("progress_listener", default=None)
_span: ContextVar[tuple[float, float]] = ContextVar("progress_span", default=(0.0, 1.0))


def report(done: float) -> None:
    """Say that a share ``done`` (clipped to ``[0, 1]``) of the current computation, or of the current part, is done."""
    listener = _listener.get()
    if listener is not None:
        start, end = _span.get()
        listener(start + (end - start) * min(max(float(done), 0.0), 1.0))


def listener() -> Listener | None:
    """Who listens in this thread (``None``: nobody)."""
    return _listener.get()


@contextlib.contextmanager
def listening(fn: Listener) -> Iterator[None]:
    """Hear, in ``fn``, the reports of what runs in this block (this thread)."""
    token, span = _listener.set(fn), _span.set((0.0, 1.0))
    try:
        yield
    finally:
        _listener.reset(token)
        _span.reset(span)


@contextlib.contextmanager
def part(start: float, end: float) -> Iterator[None]:
    """The block is the share ``[start, end]`` of the current computation: its reports ``0..1`` map there."""
    outer = _span.get()
    width = outer[1] - outer[0]
    token = _span.set((outer[0] + width * start, outer[0] + width * end))
    try:
        yield
    finally:
        _span.reset(token)


def to_file(path: Path, every: float = 0.2) -> Listener:
    """A listener that writes the share done to ``path`` (atomically), at most every ``every`` seconds (and at 100 %)."""
    last = [0.0]

    def write(done: float) -> None:
        now = time.monotonic()
        if now - last[0] >= every or done >= 1.0:
            last[0] = now
            write_bytes(path, f"{done:.4f}".encode())

    return write


def read(path: Path) -> float | None:
    """The share written by :func:`to_file` at ``path``, or ``None`` (nothing written yet, or not a number)."""
    try:
        return float(path.read_text())
    except (OSError, ValueError):
        return None
