"""Safe checkpoints: weights in ``.safetensors``, everything else in a JSON sidecar.

A checkpoint named ``NAME`` is two files side by side:

* ``NAME.safetensors``: the model's ``state_dict``, nothing else. safetensors is a
  plain header plus raw tensor bytes, so loading it cannot run code. Pickle-based
  files (``torch.save``, ``.pt``, ``.pth``, ``.ckpt``) can, which is why this module
  refuses them and never calls ``torch.load``.
* ``NAME.json``: ``{"format", "format_version", "kind", "config", "extra",
  "sha256", "num_params", ...}``: which network to build (:func:`core.nets.build`),
  its config (``dataclasses.asdict(model.cfg)``), free metadata such as the training
  recipe, step count or EMA decay, and the SHA-256 of the weights file.

Writes are atomic: each file is written to a temporary name in the same directory,
flushed to disk (``fsync``) and renamed over the final name with ``os.replace``,
weights first and JSON last. A killed save therefore never leaves a half-written
file under a final name, and an existing checkpoint of the same name stays intact
unless the process dies in the instant between the two renames, a state the
SHA-256 check detects on load.

Training-resume state (:func:`save_state`, :func:`load_state`) is a single
``.safetensors`` file: any nested structure of dicts, lists, tuples, tensors and
plain scalars (a model's and an optimizer's ``state_dict``, RNG states, the step)
is flattened into named tensors plus a JSON "skeleton" that remembers where each
tensor and scalar goes; the skeleton and free metadata live in the safetensors
header. No pickle anywhere::

    save_state("runs/mnist/resume", {"model": net.state_dict(),
                                      "optimizer": opt.state_dict(),
                                      "rng": torch.get_rng_state()}, {"step": 1200})
    state, meta = load_state("runs/mnist/resume")
    opt.load_state_dict(state["optimizer"])
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import safetensors.torch
import torch
from torch import Tensor, nn

from core.nets import NETWORKS, build, count_params

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Checkpoint",
    "CheckpointError",
    "TrainingState",
    "load_checkpoint",
    "load_state",
    "read_sidecar",
    "save_checkpoint",
    "save_state",
]

FORMAT = "diffusion-playground-checkpoint"
FORMAT_VERSION = 1
STATE_FORMAT = "diffusion-playground-state"
_STATE_KEY = "diffusion_playground.state"  # safetensors header metadata key of save_state
_PICKLE_SUFFIXES = (".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".bin")
_PICKLE_MESSAGE = (
    "this looks like a pickle file; Diffusion Playground only loads .safetensors for "
    "safety (unpickling can run arbitrary code)"
)
_MAX_HEADER = 100_000_000  # bytes; safetensors' own limit


class CheckpointError(RuntimeError):
    """A checkpoint or state file is missing, unsafe, corrupt, or does not fit its config."""


@dataclass
class Checkpoint:
    """A loaded checkpoint.

    Attributes:
        model: the network, in eval mode, on ``map_location``.
        kind: its kind in :data:`core.nets.NETWORKS` (``"unet"``, ``"vae"``, ...).
        config: its config dataclass (also ``model.cfg``).
        meta: the ``extra`` metadata given to :func:`save_checkpoint`.
        path: the ``.safetensors`` file it was read from.
        sha256: hex SHA-256 of that file.
    """

    model: nn.Module
    kind: str
    config: Any
    meta: dict[str, Any]
    path: Path
    sha256: str


class TrainingState(NamedTuple):
    """What :func:`load_state` returns: the nested ``state`` and the ``meta`` dict."""

    state: Any
    meta: dict[str, Any]


# --------------------------------------------------------------------------- #
# Files: atomic writes, sniffing, paths
# --------------------------------------------------------------------------- #


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


def _atomic_write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write every ``(path, data)`` atomically: all temporaries first, then rename in order."""
    pending: list[tuple[Path, Path]] = []  # (temporary, final), not yet renamed
    try:
        for final, data in files:
            pending.append((_write_temp(final.parent, final.name, data), final))
        while pending:
            tmp, final = pending[0]
            os.replace(tmp, final)
            pending.pop(0)
    finally:
        for tmp, _ in pending:  # only if something failed
            tmp.unlink(missing_ok=True)
    _fsync_dir(files[0][0].parent)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _looks_like_pickle(head: bytes) -> bool:
    """``torch.save`` writes a zip archive (``PK``) holding a pickle; legacy files start
    with the pickle protocol opcode ``0x80``."""
    return head.startswith(b"PK\x03\x04") or head[:1] == b"\x80"


def _head(path: Path, n: int = 16) -> bytes:
    with path.open("rb") as f:
        return f.read(n)


def _read_safetensors(path: Path) -> tuple[bytes, dict[str, Any]]:
    """Read ``path`` whole and check it is a complete safetensors file.

    A safetensors file is an 8-byte little-endian header length ``n``, a JSON header
    of ``n`` bytes (``{"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...}``)
    and the raw tensor bytes. Returns the bytes and the parsed header.

    Raises:
        CheckpointError: missing file, a pickle, anything else that is not
            safetensors, or a truncated file.
    """
    if not path.is_file():
        raise CheckpointError(f"no such file: {path}")
    data = path.read_bytes()
    n = int.from_bytes(data[:8], "little") if len(data) >= 8 else -1
    if not (0 < n <= _MAX_HEADER and data[8:9] == b"{"):
        if _looks_like_pickle(data[:4]):
            raise CheckpointError(f"{path}: {_PICKLE_MESSAGE}")
        raise CheckpointError(f"{path} is not a .safetensors file (no safetensors header)")
    if 8 + n > len(data):
        raise CheckpointError(
            f"{path} is truncated: its header alone needs {8 + n} bytes, the file has {len(data)}"
        )
    try:
        header = json.loads(data[8 : 8 + n])
        ends = [int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        raise CheckpointError(f"{path} is not a valid .safetensors file: unreadable header ({e})") from e
    expected = 8 + n + max(ends, default=0)
    if len(data) < expected:
        raise CheckpointError(
            f"{path} is truncated: expected {expected} bytes, found {len(data)} "
            "(an interrupted copy or download?)"
        )
    return data, header


def _tensors_from_bytes(path: Path, data: bytes, device: str | torch.device) -> dict[str, Tensor]:
    try:
        tensors = safetensors.torch.load(data)
    except Exception as e:  # safetensors raises its own SafetensorError
        raise CheckpointError(f"{path}: corrupt safetensors file ({e})") from e
    return {k: v.to(device) for k, v in tensors.items()}


def _checkpoint_paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """``NAME``, ``NAME.safetensors`` or ``NAME.json`` -> (weights path, sidecar path)."""
    p = Path(path)
    if p.suffix in (".safetensors", ".json"):
        p = p.with_suffix("")
    return p.with_name(p.name + ".safetensors"), p.with_name(p.name + ".json")


def _cpu_copy(t: Tensor) -> Tensor:
    """A contiguous CPU copy with its own storage (safetensors refuses shared memory)."""
    return t.detach().to("cpu", copy=True).contiguous()


# --------------------------------------------------------------------------- #
# Model checkpoints
# --------------------------------------------------------------------------- #


def save_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    *,
    kind: str,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Save ``model`` as ``NAME.safetensors`` + ``NAME.json``, atomically.

    Args:
        path: ``NAME`` (with or without ``.safetensors``/``.json``), or an existing
            directory, in which case ``NAME`` is ``DIR/KIND``.
        model: a network from :mod:`core.nets` (it must have a dataclass ``.cfg``).
        kind: its key in :data:`core.nets.NETWORKS`.
        extra: JSON-serialisable metadata (recipe, steps, EMA decay, ...).

    Returns:
        The path of the ``.safetensors`` file, which :func:`load_checkpoint` accepts.

    Raises:
        ValueError: unknown ``kind``, a model that is not of that kind, or ``extra``
            that JSON cannot hold.
    """
    if kind not in NETWORKS:
        raise ValueError(f"unknown network kind {kind!r}; known kinds: {', '.join(NETWORKS)}")
    cfg_cls, net_cls = NETWORKS[kind]
    if not isinstance(model, net_cls) or not isinstance(getattr(model, "cfg", None), cfg_cls):
        raise ValueError(f"kind {kind!r} expects a {net_cls.__name__}, got {type(model).__name__}")
    p = Path(path)
    weights, sidecar = _checkpoint_paths(p / kind if p.is_dir() else p)

    tensors = {k: _cpu_copy(v) for k, v in model.state_dict().items()}
    blob = safetensors.torch.save(
        tensors, metadata={"format": FORMAT, "format_version": str(FORMAT_VERSION), "kind": kind}
    )
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "config": dataclasses.asdict(model.cfg),
        "extra": dict(extra or {}),
        "weights": weights.name,
        "sha256": _sha256(blob),
        "num_params": count_params(model),
        "torch_version": torch.__version__,
        "saved_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    try:
        # allow_nan: a NaN final loss must not cost the checkpoint of a long run
        # (Python's json reads NaN back; strict JSON readers would not).
        text = json.dumps(meta, indent=2, allow_nan=True)
    except (TypeError, ValueError) as e:
        raise ValueError(f"extra metadata must be JSON-serialisable: {e}") from e
    weights.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_all([(weights, blob), (sidecar, (text + "\n").encode())])
    return weights


def read_sidecar(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a checkpoint's JSON sidecar without touching the weights.

    ``path`` is ``NAME``, ``NAME.safetensors`` or ``NAME.json``. Useful to list
    checkpoints (kind, config, extra) cheaply.

    Raises:
        CheckpointError: missing or malformed JSON, or an unsupported format version.
    """
    _, sidecar = _checkpoint_paths(path)
    if not sidecar.is_file():
        raise CheckpointError(
            f"missing JSON sidecar {sidecar}: a checkpoint is NAME.safetensors plus "
            "NAME.json (the JSON is written last, so an interrupted save has none)"
        )
    try:
        meta = json.loads(sidecar.read_text())
    except (ValueError, UnicodeDecodeError) as e:
        raise CheckpointError(f"malformed JSON sidecar {sidecar}: {e}") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{sidecar} is not a Diffusion Playground checkpoint sidecar")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{sidecar} has format_version {version!r}; this version reads {FORMAT_VERSION}"
        )
    for key, typ in (("kind", str), ("config", dict), ("extra", dict), ("sha256", str)):
        if not isinstance(meta.get(key), typ):
            raise CheckpointError(
                f"malformed JSON sidecar {sidecar}: {key!r} missing or not a {typ.__name__}"
            )
    if meta["kind"] not in NETWORKS:
        raise CheckpointError(
            f"{sidecar}: unknown network kind {meta['kind']!r}; known kinds: {', '.join(NETWORKS)}"
        )
    return meta


def _mismatch_report(expected: Mapping[str, Tensor], found: Mapping[str, Tensor], limit: int = 5) -> str:
    """Describe missing, unexpected and wrongly shaped keys, at most ``limit`` of each."""

    def few(keys: list[str]) -> str:
        more = f" (+{len(keys) - limit} more)" if len(keys) > limit else ""
        return ", ".join(keys[:limit]) + more

    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    shapes = sorted(
        f"{k} {tuple(found[k].shape)} vs {tuple(expected[k].shape)}"
        for k in set(expected) & set(found)
        if found[k].shape != expected[k].shape
    )
    parts = []
    if missing:
        parts.append(f"missing keys: {few(missing)}")
    if unexpected:
        parts.append(f"unexpected keys: {few(unexpected)}")
    if shapes:
        parts.append(f"shape mismatches (file vs config): {few(shapes)}")
    return "; ".join(parts)


def load_checkpoint(path: str | os.PathLike[str], *, map_location: str | torch.device = "cpu") -> Checkpoint:
    """Load a checkpoint written by :func:`save_checkpoint`; never unpickles.

    1. read ``NAME.safetensors`` whole and check it is safetensors (not a pickle) and complete;
    2. read ``NAME.json`` and check its SHA-256 against the bytes just read;
    3. build the network from ``kind`` and ``config``, check every key and shape, load.

    Args:
        path: ``NAME``, ``NAME.safetensors`` or ``NAME.json``.
        map_location: device for the model.

    Raises:
        CheckpointError: with a readable reason for every way this can fail.
    """
    p = Path(path)
    if p.is_dir():
        found = ", ".join(sorted(f.name for f in p.glob("*.safetensors"))[:5]) or "none"
        raise CheckpointError(f"{p} is a directory; pass NAME.safetensors (found: {found})")
    if p.suffix.lower() in _PICKLE_SUFFIXES or (p.is_file() and p.suffix not in (".safetensors", ".json")):
        if p.is_file() and _looks_like_pickle(_head(p)):
            raise CheckpointError(f"{p}: {_PICKLE_MESSAGE}")
        raise CheckpointError(f"{p}: Diffusion Playground only loads .safetensors checkpoints")
    weights, sidecar = _checkpoint_paths(p)
    if not weights.is_file():
        raise CheckpointError(f"no checkpoint at {weights}")
    data, _ = _read_safetensors(weights)
    meta = read_sidecar(sidecar)
    sha = _sha256(data)
    if sha != meta["sha256"]:
        raise CheckpointError(
            f"{weights} does not match its JSON sidecar (sha256 {sha[:12]}... vs "
            f"{meta['sha256'][:12]}...): the file was changed or a save was interrupted"
        )
    tensors = _tensors_from_bytes(weights, data, "cpu")
    kind = meta["kind"]
    try:
        model = build(kind, meta["config"])
    except (ValueError, TypeError) as e:
        raise CheckpointError(f"{sidecar}: cannot build {kind!r} from its config: {e}") from e
    report = _mismatch_report(model.state_dict(), tensors)
    if report:
        raise CheckpointError(f"{weights} does not fit the {kind!r} config in {sidecar.name}: {report}")
    model.load_state_dict(tensors)
    model.to(map_location).eval()
    return Checkpoint(model=model, kind=kind, config=model.cfg, meta=meta["extra"], path=weights, sha256=sha)


# --------------------------------------------------------------------------- #
# Training-resume state
# --------------------------------------------------------------------------- #

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
    target.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_all([(target, safetensors.torch.save(tensors, metadata={_STATE_KEY: header}))])
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
