"""Worker processes that compute the class's shared results, so that one server (``make run``) uses every core.

A Streamlit server is one Python process: the students' scripts, the figures and the messages share one interpreter
lock, and under a class it sat at 100 % of one core while the other idled. :class:`Workers` hands the expensive
computations (network samples, reverse chains: the functions behind :func:`ui.resources.cache.shared`) to a pool of
worker processes, started once and shared by every session: the server process keeps answering clicks while a worker
computes on another core. A function must be registered (:func:`register`, at import: the worker imports its module
and finds it by name); a checkpoint travels as a reference (its path and sha256) and each worker loads it once. A pool
that breaks (a worker killed) is started again and that call computes in the server process instead: nothing is lost.
A caller that listens to the computation's progress (:mod:`core.progress`) hears the worker's reports too.
``Workers(0)`` computes everything in the calling process (the tests, a one-core machine).
"""

from __future__ import annotations

import atexit
import importlib
import logging
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, NamedTuple

import torch

from core import progress
from core.io import Checkpoint, load

__all__ = ["Workers", "default_workers", "register"]

log = logging.getLogger(__name__)
WORKERS_ENV = "DIFFUSION_PLAYGROUND_WORKERS"
ORPHAN_CHECK = 2.0
"""Seconds between a worker's checks that its server is still there."""
_REGISTRY: dict[tuple[str, str], Callable[..., Any]] = {}
_LOADED: dict[str, Checkpoint] = {}  # in a worker: the checkpoints it has loaded, by sha256


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def count_setting(env: str, least: int) -> int:
    """``$env`` as a whole number, or one per core but one (a core stays for the server's clicks); at least ``least``."""
    default = max(least, cores() - 1)
    try:
        return max(least, int(os.environ.get(env, default)))
    except ValueError:
        log.warning("%s must be a whole number; using %d", env, default)
        return default


def default_workers() -> int:
    """``$DIFFUSION_PLAYGROUND_WORKERS``, or one worker per core but one: 1 on two cores, 0 on one."""
    return count_setting(WORKERS_ENV, 0)


def register(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Let workers run ``fn`` (by its module and name); returns ``fn``."""
    _REGISTRY[(fn.__module__, fn.__qualname__)] = fn
    return fn


class _Ref(NamedTuple):
    """A checkpoint, as it travels to a worker."""

    path: str
    sha256: str


def _walk(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """``value`` with ``leaf`` applied to everything inside it that is not a tuple, list or dict (a reference is a leaf)."""
    if isinstance(value, tuple) and not isinstance(value, _Ref):
        return tuple(_walk(v, leaf) for v in value)
    if isinstance(value, list):
        return [_walk(v, leaf) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, leaf) for k, v in value.items()}
    return leaf(value)


def _refer(value: Any) -> Any:
    """The arguments as they travel: a checkpoint as a reference."""
    return _walk(value, lambda v: _Ref(str(v.path), v.sha256) if isinstance(v, Checkpoint) else v)


def _load(ref: _Ref) -> Checkpoint:
    """In a worker: the checkpoint a reference names, loaded once."""
    if ref.sha256 not in _LOADED:
        ckpt = load(ref.path)
        if ckpt.sha256 != ref.sha256:
            raise RuntimeError(f"{ref.path} changed on disk since the server loaded it")
        _LOADED[ref.sha256] = ckpt
    return _LOADED[ref.sha256]


def _resolve(value: Any) -> Any:
    return _walk(value, lambda v: _load(v) if isinstance(v, _Ref) else v)


def _orphaned(parent: int) -> None:
    """In a worker: end when the server that started it is gone (killed, not shut down: its pool could not stop its
    workers, and each would keep its models, hundreds of MB, for nobody)."""
    while True:
        time.sleep(ORPHAN_CHECK)
        if os.getppid() != parent:
            os._exit(0)


def _start_worker(threads: int) -> None:
    threading.Thread(target=_orphaned, args=(os.getppid(),), name="dp-orphan-check", daemon=True).start()
    torch.set_num_threads(threads)
    os.environ["DIFFUSION_PLAYGROUND_WARM_UP"] = "0"  # a worker computes what it is asked, nothing ahead
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # a worker runs page code outside a session: quiet


def _call(module: str, name: str, args: tuple, kwargs: dict, told: str | None = None) -> Any:
    importlib.import_module(module)  # its decorators register its functions
    fn = _REGISTRY[(module, name)]
    if told is None:
        return fn(*_resolve(args), **_resolve(kwargs))
    with progress.listening(progress.to_file(Path(told))):  # the waiting process reads how far it is
        return fn(*_resolve(args), **_resolve(kwargs))


class Workers:
    """A pool of ``n`` worker processes, started at the first call, each on one torch thread."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.calls = 0  # calls a worker answered (for the tests and the benchmarks)

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.n, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_start_worker, initargs=(1,))
                atexit.register(self._pool.shutdown, wait=False, cancel_futures=True)
            return self._pool

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a worker (in this process when there are none, or the pool broke)."""
        if self.n <= 0 or (fn.__module__, fn.__qualname__) not in _REGISTRY:
            return fn(*args, **kwargs)
        try:
            listener = progress.listener()
            if listener is None:
                result = self._get_pool().submit(_call, fn.__module__, fn.__qualname__, _refer(args), _refer(kwargs)).result()
            else:  # someone waits with a progress bar: the worker writes how far it is to a file, read here
                with tempfile.TemporaryDirectory(prefix="dp-progress-") as folder:
                    told = Path(folder) / "done"
                    future = self._get_pool().submit(_call, fn.__module__, fn.__qualname__, _refer(args), _refer(kwargs),
                                                     str(told))
                    while True:
                        try:
                            result = future.result(timeout=0.2)
                            break
                        except TimeoutError:
                            if (done := progress.read(told)) is not None:
                                listener(done)
        except BrokenProcessPool:
            log.warning("a worker process died: starting the pool again; this result is computed here")
            with self._lock:
                self._pool = None
            return fn(*args, **kwargs)
        self.calls += 1
        return result

    def shutdown(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
