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

Writes are atomic (:mod:`core.io.atomic`): each file is written to a temporary name in
the same directory, flushed to disk (``fsync``) and renamed over the final name with
``os.replace``, weights first and JSON last. A killed save therefore never leaves a half-written
file under a final name, and an existing checkpoint of the same name stays intact
unless the process dies in the instant between the two renames, a state the
SHA-256 check detects on load.

Training-resume state lives in :mod:`core.io.state`; a checkpoint is found by name with
:func:`load` (in :func:`core.paths.checkpoints`).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import safetensors.torch
import torch
from torch import Tensor, nn

from core import paths
from core.io.atomic import write_files
from core.nets import NETWORKS, build, count_params

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Checkpoint",
    "CheckpointError",
    "load",
    "load_checkpoint",
    "read_sidecar",
    "save_checkpoint",
]

FORMAT = "diffusion-playground-checkpoint"
FORMAT_VERSION = 1
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


# --------------------------------------------------------------------------- #
# Files: sniffing, paths (writes go through core.io.atomic)
# --------------------------------------------------------------------------- #


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
    # half-precision files (saved with ``half=True``) come back in float32: the nets compute in float32
    return {k: (v.float() if v.dtype == torch.float16 else v).to(device) for k, v in tensors.items()}


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
    half: bool = False,
) -> Path:
    """Save ``model`` as ``NAME.safetensors`` + ``NAME.json``, atomically.

    Args:
        path: ``NAME`` (with or without ``.safetensors``/``.json``), or an existing
            directory, in which case ``NAME`` is ``DIR/KIND``.
        model: a network from :mod:`core.nets` (it must have a dataclass ``.cfg``).
        kind: its key in :data:`core.nets.NETWORKS`.
        extra: JSON-serialisable metadata (recipe, steps, EMA decay, ...).
        half: store floating-point weights in float16 (half the size; loading gives float32 back).
            For shipped snapshots, where a film strip needs many models and little precision.

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
    if half:
        tensors = {k: v.half() if v.is_floating_point() else v for k, v in tensors.items()}
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
        "saved_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    try:
        # allow_nan: a NaN final loss must not cost the checkpoint of a long run
        # (Python's json reads NaN back; strict JSON readers would not).
        text = json.dumps(meta, indent=2, allow_nan=True)
    except (TypeError, ValueError) as e:
        raise ValueError(f"extra metadata must be JSON-serialisable: {e}") from e
    write_files([(weights, blob), (sidecar, (text + "\n").encode())])
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
    3. build the network from ``kind`` and ``config`` (on the meta device: the global random
       state is never touched), check every key and shape, load.

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
        with torch.device("meta"):  # shapes only: no memory, and no random numbers drawn for weights we replace
            model = build(kind, meta["config"])
    except (ValueError, TypeError) as e:
        raise CheckpointError(f"{sidecar}: cannot build {kind!r} from its config: {e}") from e
    report = _mismatch_report(model.state_dict(), tensors)
    if report:
        raise CheckpointError(f"{weights} does not fit the {kind!r} config in {sidecar.name}: {report}")
    model.load_state_dict(tensors, assign=True)
    model.to(map_location).eval()
    return Checkpoint(model=model, kind=kind, config=model.cfg, meta=meta["extra"], path=weights, sha256=sha)


def load(name: str | os.PathLike[str], *, map_location: str | torch.device = "cpu") -> Checkpoint:
    """A checkpoint by name (``mnist-ddpm-eps``, ``snapshots/mnist-flow-random-step60``: looked up in
    :func:`core.paths.checkpoints`) or by path."""
    path = Path(name)
    if not path.suffix and not path.is_absolute() and not path.exists():
        path = paths.checkpoint(str(name))
    return load_checkpoint(path, map_location=map_location)
