"""The one way this project writes a file: atomically.

Each file is written to a hidden temporary name in its own folder, flushed to disk
(``fsync``) and renamed over the final name with ``os.replace``. A killed writer therefore
never leaves a half-written file under a final name, and a reader sees the old file or the new
one, never a mixture. Checkpoints, resume state, the manifest and the data cache all use it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["write_bytes", "write_files", "write_json"]


def _write_temp(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to a new hidden temporary file ``.NAME.XXXXXXXX.tmp`` in ``directory``,
    fsync it, and return its path. Permissions follow the umask, like any new file."""
    tmp = directory / f".{name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _fsync_dir(directory: Path) -> None:
    """Make renames in ``directory`` durable (POSIX); a no-op where directories can't be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_files(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every ``(path, data)`` atomically: all temporaries first, then rename in the order given.

    Creates missing parent folders. If anything fails before the renames, no final file has
    changed; the temporaries are removed.
    """
    pending: list[tuple[Path, Path]] = []  # (temporary, final), not yet renamed
    try:
        for final, data in files:
            final = Path(final)
            final.parent.mkdir(parents=True, exist_ok=True)
            pending.append((_write_temp(final.parent, final.name, data), final))
        while pending:
            tmp, final = pending[0]
            os.replace(tmp, final)
            pending.pop(0)
    finally:
        for tmp, _ in pending:  # only if something failed
            tmp.unlink(missing_ok=True)
    for directory in {Path(final).parent for final, _ in files}:
        _fsync_dir(directory)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    path = Path(path)
    write_files([(path, data)])
    return path


def write_json(path: str | os.PathLike[str], obj: Any, *, indent: int = 2) -> Path:
    """Write ``obj`` as JSON (with a final newline) to ``path`` atomically; returns the path."""
    return write_bytes(path, (json.dumps(obj, indent=indent) + "\n").encode())
