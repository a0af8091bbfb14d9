"""Presenter mode (ui.present): figures' type scaled without touching the cached figure, every page's
figures shown through it, and the switch kept in the address."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from page_support import APP, chart
from streamlit.testing.v1 import AppTest

from core import paths
from ui import theme

PAGES = sorted(f"views/{p.name}" for p in paths.VIEWS.glob("*.py"))


def test_scaled_multiplies_every_font_and_margin_and_leaves_the_figure_alone():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 2], textfont=dict(size=10)), layout=dict(
        font=dict(size=16), margin=dict(l=10, r=20, t=30, b=40, pad=3), title=dict(text="T", font=dict(size=20)),
        xaxis=dict(tickfont=dict(size=14)), annotations=[dict(text="a", font=dict(size=13))],
        sliders=[dict(steps=[dict(label="1", method="skip")], font=dict(size=12))]))
    fig.frames = [go.Frame(name="f", layout=dict(title=dict(text="f", font=dict(size=20))))]
    before = fig.to_json()
    out = theme.scaled(fig, 1.5)
    assert fig.to_json() == before
    lay = out["layout"]
    assert (lay["font"]["size"], lay["title"]["font"]["size"], lay["xaxis"]["tickfont"]["size"]) == (24, 30, 21)
    assert lay["annotations"][0]["font"]["size"] == 19.5 and lay["sliders"][0]["font"]["size"] == 18
    assert out["data"][0]["textfont"]["size"] == 15 and out["frames"][0]["layout"]["title"]["font"]["size"] == 30
    assert lay["margin"] == dict(l=15, r=30, t=45, b=60, pad=3)
    assert theme.scaled({"data": []}, 2.0)["layout"]["font"]["size"] == 24  # Plotly's default 12, scaled


def test_pages_show_their_figures_through_the_presenter():
    for view in paths.VIEWS.glob("*.py"):
        assert ".plotly_chart(" not in view.read_text(), view.name  # ui.components.chart.chart, so presenter mode scales it


def test_a_link_turns_presenter_mode_on_and_it_follows_the_student():
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["present"] = "1"
    at.run()
    at.switch_page("views/schedules.py").run()
    assert not at.exception and not at.toast
    assert at.toggle(key="present").value is True and at.query_params["present"] == "1"
    styles = [h.proto.body for h in at.get("html")]
    assert any("font-size: 1.3rem" in s for s in styles)
    large = chart(at, "sc_curves")["layout"]["font"]["size"]
    at.toggle(key="present").set_value(False).run()
    assert "present" not in at.query_params
    assert not any("font-size: 1.3rem" in h.proto.body for h in at.get("html"))
    assert large == round(chart(at, "sc_curves")["layout"]["font"]["size"] * theme.PRESENTER["figure"], 1)


def test_in_presenter_mode_no_figure_is_taller_than_a_projector_screen_holds():
    from ui.present import presented

    cap = theme.PRESENTER["figure_height"]
    assert cap + 120 <= 720  # with the browser's own bars, one main figure per 1280x720 screen
    tall, short = go.Figure(layout=dict(height=700)), go.Figure(layout=dict(height=300))
    assert presented(tall).layout.height == cap and tall.layout.height == 700  # the cached figure untouched
    assert presented(short).layout.height == 300 and presented(go.Figure()).layout.height is None


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_in_presenter_mode_in_both_languages(page, lang):
    """A link with ``?present=1`` (and ``lang=fr``) opens every page without an error box (page 1's empty loss chart,
    before any training, once made Plotly raise in presenter mode)."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update({"present": "1", "lang": lang})
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_the_loss_curves_trailing_mean_follows_a_short_run():
    import numpy as np

    from ui.figures.loss import Curve, loss_figure, trailing_mean, window

    assert (window(100), window(500), window(3000), window(5)) == (10, 50, 50, 1)
    assert trailing_mean(np.array([1.0, 3.0, 5.0, 7.0]), 2).tolist() == [1.0, 2.0, 4.0, 6.0]
    falling = list(np.linspace(1.0, 0.2, 100))
    bold = loss_figure([Curve(falling)], 100, title="t", y_title="y").data[1]
    assert bold.name == "mean of the last 10 steps" and bold.y[-1] < 0.25  # it has caught up with the fall
