"""Arrays computed once from shipped models and shipped beside them: one ``.npz`` file (no pickle), written
atomically, that records the key it was computed for (e.g. the sha256 of every model involved).

``load_arrays(path, key)`` returns ``None`` unless the file exists, reads cleanly and holds that very
key: a page then computes the arrays itself, so a stale file can cost time but never show a wrong figure.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from core.io.atomic import write_bytes

__all__ = ["load_arrays", "save_arrays"]

_KEY = "__key__"


def save_arrays(path: str | Path, arrays: dict[str, np.ndarray], key: Any) -> Path:
    """Write ``arrays`` (numbers or strings, no objects) and the JSON-able ``key`` to ``path``, atomically."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays, **{_KEY: np.array([json.dumps(key)])})
    return write_bytes(path, buffer.getvalue())


def load_arrays(path: str | Path, key: Any) -> dict[str, np.ndarray] | None:
    """The arrays saved at ``path`` if they were saved with ``key``; ``None`` if missing, unreadable or another key's."""
    try:
        with np.load(path, allow_pickle=False) as f:
            if json.loads(str(f[_KEY][0])) != json.loads(json.dumps(key)):
                return None
            return {name: f[name] for name in f.files if name != _KEY}
    except (OSError, KeyError, ValueError, EOFError):
        return None
