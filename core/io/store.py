"""Results shared by every process of a machine: a folder of computed results, each kept under the key of what
determines it (issue 23: computed once per server, shared by the class).

A page's expensive computation (a reverse chain, a grid of samples) is keyed by its function, the function's source
and its arguments, a checkpoint standing for the sha256 of its weights (the caller says how, see ``token``). The
first process that needs a result computes it while holding the key's lock (``fcntl.flock``): another process (a
replica behind nginx, ``make serve-class``) that asks for the same key meanwhile waits and reads the result instead of
computing it again. A result is written atomically (:mod:`core.io.atomic`) as an ``.npz`` of its arrays and a JSON
description of the rest, read back with ``allow_pickle=False``: nothing in the folder can run code. A file that cannot
be read is removed and computed again. The folder stays under ``max_bytes``: the results read least recently go first.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from PIL import Image

from core.io.atomic import write_bytes

__all__ = ["Store", "decode", "encode"]

T = TypeVar("T")
SUFFIX = ".npz"


def encode(value: Any) -> bytes:
    """``value`` (dicts with string keys, lists, tuples, numbers, strings, booleans, None, numpy arrays and PIL
    images, nested) as the bytes of an ``.npz``; raises ``TypeError`` for anything else."""
    arrays: list[np.ndarray] = []

    def walk(v: Any) -> Any:
        if isinstance(v, Image.Image):
            arrays.append(np.asarray(v))
            return {"__image__": len(arrays) - 1, "mode": v.mode}
        if isinstance(v, np.ndarray):
            if v.dtype == object:
                raise TypeError("an array of Python objects cannot be stored")
            arrays.append(v)
            return {"__array__": len(arrays) - 1}
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                raise TypeError("only dicts with string keys can be stored")
            return {"__dict__": {k: walk(x) for k, x in v.items()}}
        if isinstance(v, tuple):
            return {"__tuple__": [walk(x) for x in v]}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        raise TypeError(f"a {type(v).__name__} cannot be stored")

    meta = json.dumps(walk(value)).encode()
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(meta, dtype=np.uint8), **{f"a{i}": a for i, a in enumerate(arrays)})
    return buf.getvalue()


def decode(data: bytes) -> Any:
    """The value :func:`encode` wrote (arrays read without pickle)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        meta = json.loads(npz["__meta__"].tobytes())
        arrays = {k: npz[k] for k in npz.files if k != "__meta__"}

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            if "__array__" in v:
                return arrays[f"a{v['__array__']}"]
            if "__image__" in v:
                return Image.fromarray(arrays[f"a{v['__image__']}"], mode=v["mode"])
            if "__tuple__" in v:
                return tuple(walk(x) for x in v["__tuple__"])
            return {k: walk(x) for k, x in v["__dict__"].items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(meta)


class Store:
    """A folder of results, shared by the processes of one machine, kept under ``max_bytes``."""

    def __init__(self, folder: Path, max_bytes: int = 512 * 2**20) -> None:
        self.folder, self.max_bytes = Path(folder), max_bytes
        self.computed = 0  # results this process computed (the others it read): for the tests and benchmarks

    @staticmethod
    def key(*parts: Any) -> str:
        """A key for ``parts`` (their ``repr``: give checkpoints as their sha256)."""
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{SUFFIX}"

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        """The result stored under ``key``, else ``compute()``'s, stored (one process computes, the others wait)."""
        path = self._path(key)
        found = self._read(path)
        if found is not None:
            return found[0]
        with self._lock(key):
            found = self._read(path)  # computed by another process while this one waited
            if found is not None:
                return found[0]
            value = compute()
            try:
                data = encode(value)
            except TypeError:  # not storable: the caller's memory cache keeps it
                return value
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(path, data)
            self.computed += 1
        self.prune()
        return value

    def _read(self, path: Path) -> tuple[Any] | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            value = decode(data)
        except Exception:  # a damaged file (a disk full, someone's edit): gone, and computed again
            path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # read now: the last to be pruned
        return (value,)

    @contextlib.contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        locks = self.folder / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        with open(locks / f"{key[:16]}.lock", "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def prune(self) -> int:
        """Remove the results read least recently until the folder holds at most ``max_bytes``; returns how many."""
        files = []
        for p in self.folder.glob(f"*/*{SUFFIX}"):
            with contextlib.suppress(OSError):
                st = p.stat()
                files.append((st.st_mtime, st.st_size, p))
        total, removed = sum(size for _, size, _ in files), 0
        for _, size, p in sorted(files):
            if total <= self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total, removed = total - size, removed + 1
        return removed
