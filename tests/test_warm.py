"""The warm-up thread precomputes the default view of the heaviest pages: a first visit then only reads caches.

Each test calls a page module's ``warm()``, then replaces the expensive functions behind that page's
caches with ones that fail the test, and opens the page with its defaults: nothing may be recomputed.
"""

from __future__ import annotations

import pytest
from page_support import APP
from streamlit.testing.v1 import AppTest

import ui.fig_autoencoder
import ui.fig_flow_matching
from core.live import autoencoder as toy_autoencoder


def forbid(monkeypatch, module, names: list[str]) -> None:
    def fail(name):
        def f(*args, **kwargs):
            raise AssertionError(f"{name} recomputed on the first visit: warm() should have cached it")
        return f

    for name in names:
        monkeypatch.setattr(module, name, fail(name))


def open_page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(path).run()
    return at


def test_autoencoder_page_reads_only_caches_after_warm_up(monkeypatch):
    ui.fig_autoencoder.warm()
    forbid(monkeypatch, toy_autoencoder, ["encode", "decode", "restore", "latent_grid", "encode_means", "fit_code_gaussian"])
    at = open_page("views/autoencoder.py")
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 4


def test_flow_matching_page_reads_only_caches_after_warm_up(monkeypatch):
    ui.fig_flow_matching.warm()
    forbid(monkeypatch, ui.fig_flow_matching,
           ["sample_pairs", "vector_field", "flow_samples", "solve_report", "error_curve", "wasserstein2", "generate"])
    at = open_page("views/flow_matching.py")
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) >= 4


@pytest.mark.parametrize("module", ["ui.fig_autoencoder", "ui.fig_flow_matching"])
def test_the_warm_up_thread_warms_these_pages(module):
    from ui.warm import PAGES

    assert module in PAGES
