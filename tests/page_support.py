"""Helpers for the AppTest page tests: the app's path and reading Plotly specs."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from core import paths

APP = str(paths.APP)


def arr(v) -> list:
    """A Plotly array from a figure's JSON: a plain list, or numpy's base64 ``{dtype, bdata}``."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def chart(at, key: str) -> dict:
    """The JSON spec of the Plotly chart with widget key ``key``."""
    found = [c for c in at.get("plotly_chart") if c.key == key]
    assert found, f"no chart with key {key!r}; the page has {[c.key for c in at.get('plotly_chart')]}"
    return json.loads(found[0].proto.spec)


def film(at, key: str) -> dict:
    """What the film (:mod:`ui.components.film`) with key ``key`` was given: frames, columns, start..."""
    found = [e for e in at.get("bidi_component") if e.proto.component_name == "dp_film" and e.proto.id.endswith(f"-{key}")]
    assert found, f"no film with key {key!r}"
    return json.loads(found[0].proto.json)


def specs(at) -> list[dict]:
    """Every Plotly chart on the page, as its JSON spec."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def open_page(path: str | None = None, timeout: float = 300, *, check: bool = True) -> AppTest:
    """A fresh session that starts on the home page and follows the navigation to ``views/...py``.

    The one way the page tests open the app. With ``check``, the page must have run without an
    exception (a student never sees a traceback).
    """
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    if path is not None:
        at.switch_page(path).run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def without_checkpoints(tmp_path, monkeypatch):
    """``open_page`` with an empty checkpoint folder (the shared model cache emptied before and after)."""
    import ui.resources.models
    from core import paths

    monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(tmp_path))
    ui.resources.models._load.clear()
    yield open_page
    ui.resources.models._load.clear()


_HIDDEN = ("id:", "query_param_key:", "form_id:", "key:", "url:", "spec:", "config:", "theme:", "component_name:",
           "js_content:", "html_content:", "css_content:", "js_source_path:", "css_source_path:", "type:", "icon:",
           "format:", "mime:", "language:", "page:", "page_script_hash:")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_CHART_TEXT = {"text", "name", "title", "hovertemplate", "texttemplate", "prefix", "suffix", "label", "ticktext"}


def _chart_strings(value, shown: bool = False):
    """The strings of a Plotly spec a student reads: under a text key (``text``, ``name``, ``ticktext``...),
    directly or in its list, not the layout values next to them (``xanchor``, a font's family)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _chart_strings(v, k in _CHART_TEXT)
    elif isinstance(value, list):
        for v in value:
            yield from _chart_strings(v, shown)
    elif shown and isinstance(value, str):
        yield value


def visible_text(at) -> list[str]:
    """Every string a student reads on the page: text, labels, options, help, notices, and the titles,
    legends, annotations and hover text of its charts (not the code listings, not the mathematics)."""
    out: list[str] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        name = type(node).__name__
        if proto is not None and name != "Code":
            if getattr(proto, "spec", ""):
                out.extend(_chart_strings(json.loads(proto.spec)))
            else:
                for line in text_format.MessageToString(proto, as_utf8=True).splitlines():
                    if not line.strip().startswith(_HIDDEN):
                        out.extend(bytes(s, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")
                                   for s in _QUOTED.findall(line))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", s, flags=re.S) for s in out
            if not s.lstrip().startswith("<style>")]  # a style sheet (ui.chrome.style) is not read
