"""What a cached computation or figure is keyed by, said once.

* A shipped checkpoint is keyed by its weights' sha256 (:data:`HASH_FUNCS`): a cached function takes the checkpoint
  itself, never a ``(sha256, _ckpt)`` pair passed by hand (:func:`data`, :func:`resource`, :func:`figure`).
* A figure's text is in the session's language, so the language belongs in its cache key; :func:`figure` puts it
  there itself, and a figure function takes no ``lang`` argument that it would only pass along (its text comes from
  :func:`ui.i18n.tr`, which reads the session). The warm-up thread, which has no session, builds the default language's.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from core.io import Checkpoint
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
