"""The manifest of the checkpoint folder: for every model its recipe, data, steps, wall time, hardware,
sha256, size and measured quality (``assets/checkpoints/manifest.json``). Checkpoints one folder down
(``snapshots/NAME``) are listed under that name."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from core import paths
from core.io.atomic import write_json
from core.io.checkpoints import read_sidecar

__all__ = ["read_manifest", "refresh_manifest"]


def _count(weights: Path) -> int:
    """Number of parameters stored in a safetensors file (read from its header, no weights loaded)."""
    from safetensors import safe_open

    with safe_open(weights, framework="pt") as f:
        return sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())


def refresh_manifest(updates: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Rebuild the manifest from the checkpoints' sidecars, keeping (and adding) measured quality.

    Quality measured on other weights (the sha256 changed: the model was retrained) is dropped, never carried over.
    """
    folder, path = paths.checkpoints(), paths.manifest()
    old = json.loads(path.read_text()) if path.exists() else {}
    manifest: dict[str, Any] = {}
    for side in sorted([*folder.glob("*.json"), *folder.glob("*/*.json")]):  # snapshots/ one level down
        if side in (path, paths.forensics()):
            continue
        meta = read_sidecar(side)
        extra, name = meta.get("extra", {}), side.relative_to(folder).with_suffix("").as_posix()
        recipe = extra.get("recipe", {})
        entry = {
            "file": f"{name}.safetensors", "kind": meta.get("kind"), "recipe": recipe.get("name", name),
            "description": recipe.get("description"), "data": recipe.get("data"), "objective": recipe.get("objective"),
            "steps": extra.get("steps"), "wall_seconds": extra.get("wall_seconds"), "hardware": extra.get("hardware"),
            "images_per_second": extra.get("images_per_second"), "num_params": _count(folder / f"{name}.safetensors"),
            "sha256": meta.get("sha256"), "bytes": (folder / f"{name}.safetensors").stat().st_size,
            "quality": old.get(name, {}).get("quality", {}) if old.get(name, {}).get("sha256") == meta.get("sha256") else {},
        }
        entry["quality"].update((updates or {}).get(name, {}))
        manifest[name] = entry
    write_json(path, manifest)
    return manifest


def read_manifest() -> dict[str, Any]:
    """The manifest as a dict (empty when there is none)."""
    path = paths.manifest()
    return json.loads(path.read_text()) if path.exists() else {}
