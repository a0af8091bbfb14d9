"""What a cached computation or figure is keyed by, said once.

* A shipped checkpoint is keyed by its weights' sha256 (:data:`HASH_FUNCS`): a cached function takes the checkpoint
  itself, never a ``(sha256, _ckpt)`` pair passed by hand (:func:`data`, :func:`resource`, :func:`figure`).
* An expensive result the class shares is computed by a worker process and kept on disk too (:func:`shared`,
  :mod:`core.workers`, :mod:`core.io.store`): every process of the server reads what another computed.
* A figure's text is in the session's language, so the language belongs in its cache key; :func:`figure` puts it
  there itself, and a figure function takes no ``lang`` argument that it would only pass along (its text comes from
  :func:`ui.i18n.tr`, which reads the session). The warm-up thread, which has no session, builds the default language's.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from core import paths
from core.io import Checkpoint
from core.io.store import Store
from core.workers import Workers, default_workers, register
from ui.i18n import language

F = TypeVar("F", bound=Callable[..., Any])
HASH_FUNCS: dict[type, Callable[[Any], Any]] = {Checkpoint: lambda ckpt: ckpt.sha256}
"""A checkpoint is its weights: two loads of the same file share their cached results, a retrained one does not."""


def data(*, max_entries: int | None = None) -> Callable[[F], F]:
    """``st.cache_data`` (a copy of the result for each caller) with checkpoints keyed by their sha256."""
    return st.cache_data(show_spinner=False, max_entries=max_entries, hash_funcs=HASH_FUNCS)


def resource(*, max_entries: int | None = None) -> Callable[[F], F]:
    """``st.cache_resource`` (one shared, read-only result) with checkpoints keyed by their sha256."""
    return st.cache_resource(show_spinner=False, max_entries=max_entries, hash_funcs=HASH_FUNCS)


STORE_MB_ENV = "DIFFUSION_PLAYGROUND_STORE_MB"


@functools.cache
def _store(folder: str, megabytes: int) -> Store:
    return Store(Path(folder), megabytes * 2**20)


def store() -> Store:
    """The machine's result store (:mod:`core.io.store`): ``paths.store()``, at most ``$DIFFUSION_PLAYGROUND_STORE_MB``
    megabytes (512 by default)."""
    try:
        megabytes = max(1, int(os.environ.get(STORE_MB_ENV, "512")))
    except ValueError:
        megabytes = 512
    return _store(str(paths.store()), megabytes)


@functools.cache
def _core_version() -> str:
    """A digest of the code of ``core/`` (what a stored result was computed with: a change there computes anew)."""
    h = hashlib.sha256()
    for p in sorted((paths.ROOT / "core").rglob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()


@functools.cache
def workers() -> Workers:
    """The server's worker processes (:mod:`core.workers`): one per core but one, ``$DIFFUSION_PLAYGROUND_WORKERS``
    to change it (0: every result computed in the server process)."""
    return Workers(default_workers())


def _token(value: Any) -> Any:
    """What an argument contributes to a stored result's key: a checkpoint its sha256, a tuple its items', else its repr."""
    if isinstance(value, Checkpoint):
        return ("checkpoint", value.sha256)
    if isinstance(value, (tuple, list)):
        return tuple(_token(v) for v in value)
    return repr(value)


def shared(*, max_entries: int | None = None) -> Callable[[F], F]:
    """:func:`data`, whose results are computed by a worker process (:func:`workers`: the server process keeps
    answering clicks on its core) and kept in the machine's result store: every process of the server (the replicas
    behind nginx, this one after a restart) reads a result another computed, and two processes that ask at once
    compute it once. For the expensive results the class shares (network samples, reverse chains). A result the
    store cannot hold (see :func:`core.io.store.encode`) is computed and kept in memory only."""

    def decorate(fn: F) -> F:
        if any(p.startswith("_") for p in inspect.signature(fn).parameters):
            raise TypeError(f"{fn.__qualname__}: an argument that is not hashed cannot key a stored result")
        version = hashlib.sha256((inspect.getsource(fn) + _core_version()).encode()).hexdigest()[:16]  # new code, new results

        register(fn)  # a worker process may run it (core.workers)

        @functools.wraps(fn)
        def stored(*args: Any, **kwargs: Any) -> Any:
            key = Store.key(fn.__module__, fn.__qualname__, version, _token(args), _token(sorted(kwargs.items())))
            return store().get_or_compute(key, lambda: workers().run(fn, *args, **kwargs))

        return data(max_entries=max_entries)(stored)  # type: ignore[return-value]

    return decorate


def figure(*, max_entries: int | None = None) -> Callable[[F], F]:
    """:func:`resource` (one figure object, shared and never changed) keyed by the session's language too; the
    decorated function keeps its own arguments (those named ``_x`` not hashed, as Streamlit does) and its ``clear()``."""

    def decorate(fn: F) -> F:
        def keyed(lang: str, *args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

        # Streamlit names a cache by the function's module, name and source, and reads its parameters' names (the
        # underscore rule) from its signature: those of ``fn``, with the language first.
        keyed.__module__, keyed.__qualname__, keyed.__name__ = fn.__module__, fn.__qualname__, fn.__name__
        keyed.__wrapped__ = fn  # type: ignore[attr-defined]  (its source, for the cache's name)
        params = list(inspect.signature(fn).parameters.values())
        keyed.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter("lang", inspect.Parameter.POSITIONAL_OR_KEYWORD), *params])
        cached = resource(max_entries=max_entries)(keyed)

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            return cached(language(), *args, **kwargs)

        call.clear = cached.clear  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return decorate
