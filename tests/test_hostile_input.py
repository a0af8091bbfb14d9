"""Hostile and broken input never reaches a student as a traceback: query parameters on every page, and
a corrupt or truncated measurement file for the spotting page (the rest of the input sweep: CLI arguments
in test_train, checkpoints in test_checkpoints, missing data sets and models in the page tests)."""

from __future__ import annotations

import ast
import itertools

import pytest
from page_support import APP
from streamlit.testing.v1 import AppTest

from core import paths

PAGES = sorted(f"views/{p.name}" for p in paths.VIEWS.glob("*.py") if not p.name.startswith("_"))
HOSTILE = ("<script>alert(1)</script>", "9" * 5000, "-1", "nan", "inf", "1e308", "../../etc/passwd", "ü" * 200,
           ["3", "7"], "", "0x10", "1\x00")
"""Values a hostile (or mangled) link may carry, sent to the pages' real widget keys."""


def bound_keys(page: str) -> list[str]:
    """The keys of the page's widgets bound to the address (``bind=URL``): what a link can set."""
    tree = ast.parse((paths.ROOT / page).read_text(encoding="utf-8"))
    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(k.arg == "bind" for k in node.keywords):
            key = next((k.value for k in node.keywords if k.arg == "key"), None)
            if isinstance(key, ast.Constant):
                keys.append(key.value)
    return keys


def test_the_pages_bind_their_main_settings_to_the_address():
    assert {page: len(bound_keys(page)) > 0 for page in PAGES if page != "views/home.py"} == \
        {page: True for page in PAGES if page != "views/home.py"}


@pytest.mark.parametrize("shift", [0, 5])
@pytest.mark.parametrize("page", PAGES)
def test_hostile_values_for_every_widget_of_a_link_leave_every_page_working(page, shift):
    """Every bound widget of the page gets a hostile value (a different one per widget, shifted between the two runs),
    with a hostile language and presenter flag: the page runs, with its defaults where a value cannot be taken."""
    values = itertools.islice(itertools.cycle(HOSTILE), shift, None)
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update({key: value for key, value in zip(bound_keys(page), values)})
    at.query_params.update({"lang": "ü" * 200, "present": "1\x00", "model": "../../etc/passwd"})
    at.switch_page(page).run()  # the link opens the page itself, as a shared link does
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and not at.error, [e.value for e in at.error]
    ignored = " ".join(t.proto.body for t in at.toast)
    assert any(f"`{key}`" in ignored for key in bound_keys(page)) or page == "views/home.py"  # the values reached the widgets


OLD_FORMAT = (b'{"spectra": {"mnist": {"real": {"freqs": [0.1], "power": [1.0]}, '
              b'"mnist-ddpm-eps (DDIM, 20 steps, class asked)": {"freqs": [0.1], "power": [1.0], "sha256": "x"}}}}')
"""A measurement written before the generators had keys (an English label instead): left out, not a traceback."""


@pytest.mark.parametrize("content", [b"{not json", b"", b'{"spectra": {"mnist": {"real": {"freqs": [0.1]}}}}', OLD_FORMAT])
def test_a_broken_measurement_file_gives_a_notice_not_a_traceback(content, tmp_path, monkeypatch):
    import ui.figures.spotting as fig
    import ui.resources.models

    shipped = paths.checkpoints()
    for item in shipped.iterdir():  # the shipped checkpoints, by link; only forensics.json differs
        if item.name != "forensics.json":
            (tmp_path / item.name).symlink_to(item)
    (tmp_path / "forensics.json").write_bytes(content)
    monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(tmp_path))
    ui.resources.models._load.clear()
    for cached in (fig.evolution_chart, fig.guidance_chart, fig.spectra_chart, fig.spectra_2d_chart, fig.attribute_chart):
        cached.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=300).run()
        at.switch_page("views/spotting.py").run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("core.forensics.measure" in i.value for i in at.info)
    finally:
        ui.resources.models._load.clear()
        for cached in (fig.evolution_chart, fig.guidance_chart, fig.spectra_chart, fig.spectra_2d_chart, fig.attribute_chart):
            cached.clear()


def test_a_nested_unknown_address_opens_the_app_not_a_blank_page(server):
    """The page's scripts are named relative to the address: at /reverse/x they must still be scripts."""
    import re
    import urllib.request

    html = urllib.request.urlopen(server + "/reverse/x/y", timeout=30).read().decode()
    script = re.search(r'src="\./(static/js/[^"]+\.js)"', html).group(1)
    with urllib.request.urlopen(f"{server}/reverse/x/{script}", timeout=30) as r:
        assert "javascript" in r.headers["Content-Type"]
    with urllib.request.urlopen(f"{server}/{script}", timeout=30) as r:  # the root's own assets are untouched
        assert "javascript" in r.headers["Content-Type"]
