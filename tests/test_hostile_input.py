"""Hostile and broken input never reaches a student as a traceback: query parameters on every page, and
a corrupt or truncated measurement file for the spotting page (the rest of the input sweep: CLI arguments
in test_train, checkpoints in test_checkpoints, missing data sets and models in the page tests)."""

from __future__ import annotations

import pytest
from page_support import APP
from streamlit.testing.v1 import AppTest

from core import paths

PAGES = sorted(f"views/{p.name}" for p in paths.VIEWS.glob("*.py") if not p.name.startswith("_"))
HOSTILE = {
    "t": "<script>alert(1)</script>", "seed": "9" * 5000, "lang": "ü" * 200, "model": "../../etc/passwd",
    "steps": "-1", "w": "nan", "present": "1\x00", "label": ["3", "7"],
}


@pytest.mark.parametrize("page", PAGES)
def test_hostile_query_parameters_leave_every_page_working(page):
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update(HOSTILE)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("content", [b"{not json", b"", b'{"spectra": {"mnist": {"real": {"freqs": [0.1]}}}}'])
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
