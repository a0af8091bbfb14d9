"""Part 3, schedules: the step budget against closed forms, and the page with AppTest."""

import math

import pytest
from page_support import film, open_page, specs

from core.diffusion.schedules import constant_schedule, make_schedule, step_budget
from ui.components.film import steps
from ui.figures.schedules import ORDER, film_chart, schedules_film


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
    assert len(at.get("plotly_chart")) == 2  # curves, film strip (the step budget waits for the prediction)
    spec = curves_spec(at)
    names = {tr["name"] for tr in spec["data"] if tr.get("showlegend") is not False}
    assert names == {"constant", "linear", "cosine"}
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert any(t.startswith("log-SNR") for t in titles) and any(t.startswith("āₜ") for t in titles)
    assert spec["layout"]["yaxis2"]["type"] == "log"  # beta on a log scale
    text = " ".join(m.value for m in at.markdown)
    assert "327 steps" not in text  # the answer to the question waits until the student commits
    images = film(at, "sc_film_t")
    shown = images["frames"][images["start"]]
    assert shown["value"] == "250" and images["url"] == "sc_t" and images["chart"]["cursor"]
    assert shown["title"] == "t = 250: āₜ = 0.0811 (constant), 0.5241 (linear), 0.8470 (cosine)"
    assert [s["name"] for s in images["chart"]["series"]] == ["constant", "linear", "cosine"]


def test_the_films_titles_and_curves_say_the_schedules_own_values():
    for T in (50, 1000):
        frames = schedules_film("mnist", 0, T, 0)
        assert [int(f.value) for f in frames] == steps(T)
        chart = film_chart(T)
        for f in frames[:: max(1, len(frames) // 10)]:
            t = int(f.value)
            for s, series in zip(ORDER, chart.series):
                abar = float(make_schedule(s, T).alpha_bars[t])
                assert f"{abar:.4f} ({s})" in f.title
                assert series.values[0] == pytest.approx(1.0, abs=1e-3) and series.values[-1] == pytest.approx(
                    float(make_schedule(s, T).alpha_bars[T]), abs=1e-6)


def test_the_step_budget_shows_once_the_student_has_predicted(at):
    at.radio(key="pq_sc_budget_choice").set_value(1).run()
    at.button(key="pq_sc_budget_commit").click().run()
    assert not at.exception
    assert "327 steps (33%)" in " ".join(m.value for m in at.markdown)  # linear, T = 1000, abar < 0.01
    assert any(s["data"][0]["type"] == "bar" for s in specs(at))


def test_T_and_threshold(at):
    at.query_params["sc_t"] = "1000"
    at.run()
    at.select_slider(key="sc_T").set_value(50).run()
    assert not at.exception and not at.toast
    images = film(at, "sc_film_t")
    assert images["frames"][images["start"]]["value"] == "50"  # the nearest step T = 50 has
    at.select_slider(key="sc_threshold").set_value(0.05).run()
    at.radio(key="pq_sc_budget_choice").set_value(0).run()
    at.button(key="pq_sc_budget_commit").click().run()
    assert not at.exception
    budget = next(s for s in specs(at) if s["data"][0]["type"] == "bar")
    assert sum(sum(tr["x"]) for tr in budget["data"]) == 3 * 50


def test_other_images(at):
    at.number_input(key="sc_index").set_value(42).run()
    at.number_input(key="sc_seed").set_value(7).run()
    assert not at.exception
    at.selectbox(key="sc_dataset").set_value("cifar10").run()
    assert not at.exception
