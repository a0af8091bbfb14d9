"""Training-resume state: one ``.safetensors`` file, no pickle.

Any nested structure of dicts, lists, tuples, tensors and plain scalars (a model's and an
optimizer's ``state_dict``, RNG states, the step) is flattened into named tensors plus a JSON
"skeleton" that remembers where each tensor and scalar goes; the skeleton and free metadata live
in the safetensors header. Written atomically (:mod:`core.io.atomic`)::

    save_state("runs/mnist/resume", {"model": net.state_dict(),
                                      "optimizer": opt.state_dict(),
                                      "rng": generator.get_state()}, {"step": 1200})
    state, meta = load_state("runs/mnist/resume")
    opt.load_state_dict(state["optimizer"])
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import safetensors.torch
import torch
from torch import Tensor

from core.io.atomic import write_files
from core.io.checkpoints import (
    _PICKLE_MESSAGE,
    _PICKLE_SUFFIXES,
    FORMAT_VERSION,
    CheckpointError,
    _cpu_copy,
    _head,
    _looks_like_pickle,
    _read_safetensors,
    _tensors_from_bytes,
)

__all__ = ["STATE_FORMAT", "TrainingState", "load_state", "save_state"]

STATE_FORMAT = "diffusion-playground-state"
_STATE_KEY = "diffusion_playground.state"  # safetensors header metadata key of save_state


class TrainingState(NamedTuple):
    """What :func:`load_state` returns: the nested ``state`` and the ``meta`` dict."""

    state: Any
    meta: dict[str, Any]



_SCALARS = (str, int, float, bool, type(None))


def _join(prefix: str, key: object) -> str:
    return f"{prefix}/{key}" if prefix else str(key)


def _flatten(obj: Any, key: str, tensors: dict[str, Tensor]) -> Any:
    """Replace every tensor in ``obj`` by ``{"__tensor__": key}`` and collect it in ``tensors``.

    Dicts with non-string keys (an optimizer's ``state`` is keyed by ints) become
    ``{"__dict__": [[k, v], ...]}`` and tuples ``{"__tuple__": [...]}`` so that they
    come back as they were.
    """
    if isinstance(obj, Tensor):
        if key in tensors:
            raise ValueError(f"two entries of the state map to the same name {key!r}")
        tensors[key] = _cpu_copy(obj)
        return {"__tensor__": key}
    if isinstance(obj, Mapping):
        if all(isinstance(k, str) and not k.startswith("__") for k in obj):
            return {k: _flatten(v, _join(key, k), tensors) for k, v in obj.items()}
        bad = [k for k in obj if not isinstance(k, _SCALARS)]
        if bad:
            raise TypeError(f"cannot store dict key {bad[0]!r} at {key or '/'}")
        return {"__dict__": [[k, _flatten(v, _join(key, k), tensors)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_flatten(v, _join(key, i), tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_flatten(v, _join(key, i), tensors) for i, v in enumerate(obj)]
    if isinstance(obj, _SCALARS):
        return obj
    raise TypeError(
        f"cannot store a {type(obj).__name__} at {key or '/'} "
        "(tensors, dicts, lists, tuples and scalars only)"
    )


def _unflatten(skel: Any, tensors: Mapping[str, Tensor]) -> Any:
    """Inverse of :func:`_flatten`."""
    if isinstance(skel, dict):
        if set(skel) == {"__tensor__"}:
            return tensors[skel["__tensor__"]]
        if set(skel) == {"__dict__"}:
            return {k: _unflatten(v, tensors) for k, v in skel["__dict__"]}
        if set(skel) == {"__tuple__"}:
            return tuple(_unflatten(v, tensors) for v in skel["__tuple__"])
        return {k: _unflatten(v, tensors) for k, v in skel.items()}
    if isinstance(skel, list):
        return [_unflatten(v, tensors) for v in skel]
    return skel


def _state_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    return p if p.suffix == ".safetensors" else p.with_name(p.name + ".safetensors")


def save_state(
    path: str | os.PathLike[str], state: Mapping[str, Any], meta: Mapping[str, Any] | None = None
) -> Path:
    """Save training-resume state as one ``.safetensors`` file, atomically, without pickle.

    Args:
        path: ``NAME`` or ``NAME.safetensors``.
        state: a dict of tensors, or any nesting of dicts, lists, tuples, tensors and
            plain scalars, e.g. ``{"model": net.state_dict(), "optimizer":
            opt.state_dict(), "rng": torch.get_rng_state()}``.
        meta: JSON-serialisable metadata (step, recipe, ...).

    Returns:
        The path written.
    """
    tensors: dict[str, Tensor] = {}
    skeleton = _flatten(dict(state), "", tensors)
    try:
        header = json.dumps(
            {"format": STATE_FORMAT, "format_version": FORMAT_VERSION, "skeleton": skeleton,
             "meta": dict(meta or {})},
            allow_nan=True,  # losses and learning rates may be nan/inf; Python's json reads them back
        )
    except (TypeError, ValueError) as e:
        raise ValueError(f"meta must be JSON-serialisable: {e}") from e
    target = _state_path(path)
    write_files([(target, safetensors.torch.save(tensors, metadata={_STATE_KEY: header}))])
    return target


def load_state(path: str | os.PathLike[str], *, map_location: str | torch.device = "cpu") -> TrainingState:
    """Load what :func:`save_state` wrote: ``(state, meta)``, tensors on ``map_location``.

    Raises:
        CheckpointError: missing, pickled, truncated or foreign file.
    """
    p = Path(path)
    if p.suffix.lower() in _PICKLE_SUFFIXES:
        if p.is_file() and _looks_like_pickle(_head(p)):
            raise CheckpointError(f"{p}: {_PICKLE_MESSAGE}")
        raise CheckpointError(f"{p}: Diffusion Playground only loads .safetensors files")
    target = _state_path(p)
    data, header = _read_safetensors(target)
    try:
        info = json.loads(header.get("__metadata__", {})[_STATE_KEY])
        ok = info["format"] == STATE_FORMAT and info["format_version"] == FORMAT_VERSION
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise CheckpointError(f"{target} is not a Diffusion Playground training state (from save_state)")
    tensors = _tensors_from_bytes(target, data, map_location)
    try:
        state = _unflatten(info["skeleton"], tensors)
    except KeyError as e:
        raise CheckpointError(f"{target}: corrupt training state, tensor {e} is missing") from e
    return TrainingState(state=state, meta=info["meta"])
