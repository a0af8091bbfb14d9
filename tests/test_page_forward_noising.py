"""Part 2, forward noising: the page renders on defaults and every main widget works (AppTest)."""

import json

import numpy as np
import pytest
from page_support import film, open_page

from ui.components.film import steps as film_steps
from ui.figures.forward_noising import noising_film


@pytest.fixture
def at():
    return open_page("views/forward_noising.py")


def cloud_spec(at) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    animated = [s for s in specs if s.get("frames")]
    assert len(animated) == 1, "exactly one animated chart: the 2-pixel cloud"
    return animated[0]


def test_defaults_show_both_views(at):
    assert at.title[0].value == "2. Forward noising"
    assert len(at.get("plotly_chart")) == 3  # thumbnail strip, pixel picker, cloud
    noising = film(at, "fn_film")
    frames, shown = noising["frames"], noising["frames"][noising["start"]]
    assert [f["value"] for f in frames] == [str(t) for t in film_steps(1000)] and shown["value"] == "250"
    assert len(frames) == 21 + 98  # every step to 20, then every tenth
    assert shown["title"].startswith("t = 250: āₜ = 0.8470")
    assert [len(values) for values in shown["chart"]] == [40, 40, 81]  # two histograms and the density
    assert not frames[0]["chart"][2]  # at t = 0 there is no noise, so no density
    assert any(r"\sqrt{1 - \bar a_t}\,\varepsilon$" in m.value for m in at.markdown)  # the closed form under its picture
    spec = cloud_spec(at)
    assert len(spec["frames"]) == 41  # evenly spaced steps 0..T (t = 250 is one of them)
    assert spec["layout"]["sliders"][0]["steps"][spec["layout"]["sliders"][0]["active"]]["label"] == "250"
    assert spec["layout"]["xaxis"]["title"]["text"] == "pixel A (14, 14)"
    assert len(spec["layout"]["shapes"]) == 3  # the 1, 2, 3 sigma circles
    legend = [tr["name"] for tr in spec["data"][1:]]
    assert legend == [str(k) for k in range(10)]  # MNIST classes


def test_the_films_histograms_follow_the_density_they_show():
    # the lesson: "pixel i of I_t follows N(sqrt(abar) mu_i, 1 - abar)"; both histograms must agree with the curve
    checked = 0
    for f in noising_film("mnist", 0, "cosine", 1000, 0):
        abar = float(f.title.split("āₜ = ")[1].split(",")[0])
        if 1 - abar < 0.1:
            continue  # little noise: the density is sharp peaks, narrower than a bin
        iterative, closed, density = (np.array(v) for v in f.chart)
        per_bin = (density[:-1:2] + 2 * density[1::2] + density[2::2]) / 4  # the curve's mean over each bin
        for hist in (iterative, closed):
            assert np.abs(hist - per_bin).sum() * 0.2 < 0.2, f.value  # total variation distance (bins of 0.2)
        checked += 1
    assert checked > 80


def test_a_link_past_a_lowered_T_opens_at_its_last_step(at):
    at.query_params["fn_t"] = "1000"
    at.run()
    at.select_slider(key="fn_T").set_value(100).run()
    assert not at.exception
    noising = film(at, "fn_film")
    assert noising["frames"][noising["start"]]["value"] == "100" and len(noising["frames"]) == 101
    assert "t = 100" in cloud_spec(at)["layout"]["title"]["text"]
    assert not at.toast  # the student lowered T: nothing to report


@pytest.mark.parametrize("schedule", ["cosine", "linear", "constant"])
def test_every_schedule(at, schedule):
    at.radio(key="fn_schedule").set_value(schedule).run()
    assert not at.exception
    noising = film(at, "fn_film")
    assert noising["frames"][-1]["title"].startswith("t = 1000: āₜ = ")


def test_pixels_move_the_cloud(at):
    before = cloud_spec(at)["data"][0]["x"]
    at.number_input(key="fn_b_row").set_value(5).run()
    at.number_input(key="fn_b_col").set_value(20).run()
    assert not at.exception
    spec = cloud_spec(at)
    assert spec["layout"]["yaxis"]["title"]["text"] == "pixel B (5, 20)"
    assert spec["data"][0]["x"] == before  # A unchanged: same x coordinates
    assert spec["data"][0]["y"] != before


def test_image_index_and_cifar(at):
    at.number_input(key="fn_index").set_value(7).run()
    assert not at.exception
    at.selectbox(key="fn_dataset").set_value("cifar10").run()
    assert not at.exception
    at.radio(key="fn_channel").set_value("blue").run()
    assert not at.exception
    assert len(cloud_spec(at)["data"]) == 11  # points + 10 CIFAR classes in the legend


@pytest.mark.parametrize("toy", ["moons", "8gaussians", "checkerboard", "spiral", "swissroll"])
def test_toy_data(at, toy):
    at.selectbox(key="fn_source").set_value(toy).run()
    assert not at.exception
    spec = cloud_spec(at)
    assert spec["layout"]["xaxis"]["title"]["text"] == "x"
    assert len(spec["data"]) == 1  # no class legend
    assert len(at.get("plotly_chart")) == 2  # no pixel picker for toy data


def test_number_of_points(at):
    at.select_slider(key="fn_n").set_value(200).run()
    assert not at.exception
    frame = cloud_spec(at)["frames"][0]["data"][0]
    assert frame["x"]["dtype"] == "f4" and len(frame["x"]["bdata"]) == len(__import__("base64").b64encode(bytes(800)))
