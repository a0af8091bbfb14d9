"""Part 3, schedules: the step budget against closed forms, and the page with AppTest."""

import math

import pytest
from page_support import open_page, specs

from core.diffusion.schedules import constant_schedule, make_schedule, step_budget


@pytest.mark.parametrize("T", [10, 100, 1000])
@pytest.mark.parametrize("name", ["constant", "linear", "cosine"])
def test_step_budget_splits_the_T_steps(name, T):
    b = step_budget(make_schedule(name, T), 0.01)
    assert b.clean + b.useful + b.noise == T
    assert min(b.clean, b.useful, b.noise) >= 0


def test_step_budget_of_the_constant_schedule_is_a_closed_form():
    # abar_t = 0.99^t < 0.01  <=>  t > log(0.01) / log(0.99) = 458.2; > 0.99 only for t = 1 (abar = 0.99 is not > 0.99)
    b = step_budget(constant_schedule(1000, 0.01), 0.01)
    assert b.noise == 1000 - math.floor(math.log(0.01) / math.log(0.99))
    assert b.clean == 0


def test_linear_wastes_more_steps_on_noise_than_cosine():
    lin, cos = step_budget(make_schedule("linear", 1000), 0.01), step_budget(make_schedule("cosine", 1000), 0.01)
    assert lin.noise > 4 * cos.noise
    assert lin.noise_fraction == pytest.approx(lin.noise / 1000)


def test_step_budget_rejects_bad_thresholds():
    with pytest.raises(ValueError):
        step_budget(make_schedule("linear", 10), 0.5)


@pytest.fixture
def at():
    return open_page("views/schedules.py")


def curves_spec(at) -> dict:
    return next(s for s in specs(at) if len(s["data"]) >= 9)


def test_defaults(at):
    assert at.title[0].value == "3. Schedules"
    assert len(at.get("plotly_chart")) == 3  # curves, step budget, film
    assert len(at.get("image")) == 3  # one image per schedule
    spec = curves_spec(at)
    names = {tr["name"] for tr in spec["data"] if tr.get("showlegend") is not False}
    assert names == {"constant", "linear", "cosine"}
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert any(t.startswith("log-SNR") for t in titles) and any(t.startswith("āₜ") for t in titles)
    assert spec["layout"]["yaxis2"]["type"] == "log"  # beta on a log scale
    lines = [s for s in spec["layout"]["shapes"] if s.get("x0") == s.get("x1") == 250]
    assert len(lines) == 3  # the dashed line at t on every panel
    text = " ".join(m.value for m in at.markdown)
    assert "327 steps (33%)" in text  # linear, T = 1000, abar < 0.01


def test_moving_t_moves_the_line_and_the_markers(at):
    at.slider(key="sc_t").set_value(700).run()
    assert not at.exception
    spec = curves_spec(at)
    assert len([s for s in spec["layout"]["shapes"] if s.get("x0") == s.get("x1") == 700]) == 3
    markers = [tr for tr in spec["data"] if tr.get("mode") == "markers"]
    assert markers and all(tr["x"] == [700] for tr in markers)
    assert any("bar a_{700}" in m.value for m in at.markdown)


def test_T_and_threshold(at):
    at.slider(key="sc_t").set_value(1000).run()
    at.select_slider(key="sc_T").set_value(50).run()
    assert not at.exception
    assert at.slider(key="sc_t").value == 50
    at.select_slider(key="sc_threshold").set_value(0.05).run()
    assert not at.exception
    budget = next(s for s in specs(at) if s["data"][0]["type"] == "bar")
    assert sum(sum(tr["x"]) for tr in budget["data"]) == 3 * 50


def test_t_zero_and_other_images(at):
    at.slider(key="sc_t").set_value(0).run()
    assert not at.exception
    at.number_input(key="sc_index").set_value(42).run()
    at.number_input(key="sc_seed").set_value(7).run()
    assert not at.exception
    at.selectbox(key="sc_dataset").set_value("cifar10").run()
    assert not at.exception
