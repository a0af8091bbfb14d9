"""The warm-up thread precomputes the default view of the heaviest pages: a first visit then only reads caches.

Each test calls a page module's ``warm()``, then replaces the expensive functions behind that page's
caches with ones that fail the test, and opens the page with its defaults: nothing may be recomputed.
"""

from __future__ import annotations

from page_support import open_page

import ui.figures.autoencoder
import ui.figures.flow_matching


def forbid(monkeypatch, module, names: list[str]) -> None:
    def fail(name):
        def f(*args, **kwargs):
            raise AssertionError(f"{name} recomputed on the first visit: warm() should have cached it")
        return f

    for name in names:
        monkeypatch.setattr(module, name, fail(name))


def test_autoencoder_page_reads_only_caches_after_warm_up(monkeypatch):
    ui.figures.autoencoder.warm()
    forbid(monkeypatch, ui.figures.autoencoder, ["encode", "decode", "restore", "latent_grid", "encode_means", "fit_code_gaussian"])
    at = open_page("views/autoencoder.py")
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 4


def test_flow_matching_page_reads_only_caches_after_warm_up(monkeypatch):
    ui.figures.flow_matching.warm()
    forbid(monkeypatch, ui.figures.flow_matching,
           ["sample_pairs", "vector_field", "flow_samples", "solve_report", "error_curve", "wasserstein2", "generate"])
    at = open_page("views/flow_matching.py")
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) >= 4


def test_the_warm_up_work_warms_the_heavy_pages_and_survives_a_failing_one(monkeypatch):
    import ui.resources.warm

    called = []
    monkeypatch.setattr(ui.figures.autoencoder, "warm", lambda: called.append("autoencoder") or 1 / 0)  # fails: logged
    monkeypatch.setattr(ui.figures.flow_matching, "warm", lambda: called.append("flow_matching"))
    ui.resources.warm.work()
    assert called == ["autoencoder", "flow_matching"]


def test_spotting_page_reads_only_caches_after_warm_up(monkeypatch):
    import ui.figures.spotting

    ui.figures.spotting.warm()
    forbid(monkeypatch, ui.figures.spotting, ["draw_film_strip", "draw_guidance_grid", "quiz_pool", "upsample", "log_magnitude"])
    at = open_page("views/spotting.py")
    at.radio(key="pq_sp_guidance_choice").set_value(0).run()  # the guidance grid waits for a prediction
    at.button(key="pq_sp_guidance_commit").click().run()
    assert not at.exception, at.exception
    assert {"sp_strip", "sp_guidance_grid", "sp_upsampling"} <= {c.key for c in at.get("plotly_chart")}


def test_no_warm_up_thread_where_the_setting_says_so(monkeypatch):
    import threading

    from ui.resources import warm

    monkeypatch.setenv(warm.ENV, "0")
    monkeypatch.setattr(warm, "_started", False)
    warm.warm_up()
    assert not warm._started and warm.THREAD not in [t.name for t in threading.enumerate()]


def test_stepping_the_reverse_seed_through_the_bank_reads_only_caches(monkeypatch):
    import ui.figures.reverse
    from ui.resources.warm import SEED_BANK

    ui.figures.reverse.warm()
    for seed in list(SEED_BANK)[:2]:
        ui.figures.reverse.bank(seed)
    forbid(monkeypatch, ui.figures.reverse, ["generate"])
    at = open_page("views/reverse.py")
    for seed in (0, *list(SEED_BANK)[:2]):
        at.number_input(key="rev_seed").set_value(seed).run()
        assert not at.exception, at.exception
