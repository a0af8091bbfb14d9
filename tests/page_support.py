"""Helpers for the AppTest page tests: the app's path and reading Plotly specs."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def arr(v) -> list:
    """A Plotly array from a figure's JSON: a plain list, or numpy's base64 ``{dtype, bdata}``."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def specs(at) -> list[dict]:
    """Every Plotly chart on the page, as its JSON spec."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
