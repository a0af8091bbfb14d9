"""Shipped checkpoints for the pages: loaded once per server, reported plainly when missing.

A page never falls back to random weights: ``shipped(name)`` returns ``None`` after showing
a clear message when a checkpoint is missing or does not match its config.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from core import paths
from core.io import Checkpoint, CheckpointError, load
from ui.i18n import tr


@st.cache_resource(show_spinner=False)
def _load(name: str) -> Checkpoint:
    return load(name)


def shipped(name: str) -> Checkpoint | None:
    """The shipped checkpoint ``name`` (read-only, shared by all sessions), or ``None`` with a message on screen."""
    try:
        with st.spinner(tr("models.loading")):  # shown only if loading takes a moment
            return _load(name)
    except CheckpointError as err:
        st.error(tr("models.missing", name=name, err=err), icon=":material/error:")
        return None


def preloaded(name: str) -> Checkpoint | None:
    """``shipped(name)`` without a message: for the warm-up thread, which has no page to write on."""
    try:
        return _load(name)
    except CheckpointError:
        return None


@st.cache_data(show_spinner=False)
def _manifest(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text())


def measured(name: str, key: str, sha256: str) -> dict | None:
    """A figure measured offline for checkpoint ``name`` (``manifest.json``, quality ``key``), if it belongs to these weights."""
    try:
        path = paths.manifest()
        entry = _manifest(str(path), path.stat().st_mtime).get(name, {}).get("quality", {}).get(key)
    except (OSError, ValueError):
        return None
    return entry if entry and entry.get("sha256") == sha256 else None


def measured_quality(name: str, sha256: str) -> dict:
    """Every quality figure measured offline for checkpoint ``name`` (``manifest.json``), if the manifest
    describes these weights; ``{}`` otherwise (the page then says it has no figures)."""
    try:
        path = paths.manifest()
        entry = _manifest(str(path), path.stat().st_mtime).get(name, {})
    except (OSError, ValueError):
        return {}
    return entry.get("quality", {}) if entry.get("sha256") == sha256 else {}
