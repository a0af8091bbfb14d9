"""Part 2, forward noising: the page renders on defaults and every main widget works (AppTest)."""

import json

import pytest
from page_support import open_page


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
    assert len(at.get("plotly_chart")) == 4  # thumbnail strip, histogram, pixel picker, cloud
    assert len(at.get("image")) == 3  # I_0, iterative I_t, closed-form I_t
    assert any(r"\sqrt{1 - \bar a_t}\,\varepsilon$" in m.value for m in at.markdown)  # the closed form beside its picture
    spec = cloud_spec(at)
    assert len(spec["frames"]) == 41  # evenly spaced steps 0..T (t = 250 is one of them)
    assert spec["layout"]["sliders"][0]["steps"][spec["layout"]["sliders"][0]["active"]]["label"] == "250"
    assert spec["layout"]["xaxis"]["title"]["text"] == "pixel A (14, 14)"
    assert len(spec["layout"]["shapes"]) == 3  # the 1, 2, 3 sigma circles
    legend = [tr["name"] for tr in spec["data"][1:]]
    assert legend == [str(k) for k in range(10)]  # MNIST classes


def test_moving_t_and_T_keeps_t_in_range(at):
    at.slider(key="fn_t").set_value(1000).run()
    assert not at.exception
    at.select_slider(key="fn_T").set_value(100).run()
    assert not at.exception
    assert at.slider(key="fn_t").value == 100
    assert at.slider(key="fn_t").max == 100
    assert "t = 100" in cloud_spec(at)["layout"]["title"]["text"]


@pytest.mark.parametrize("schedule", ["cosine", "linear", "constant"])
def test_every_schedule(at, schedule):
    at.radio(key="fn_schedule").set_value(schedule).run()
    assert not at.exception
    assert any("ā_t" in m.value or "bar a_t" in m.value for m in at.markdown)


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
    assert len(at.get("plotly_chart")) == 3  # no pixel picker for toy data


def test_number_of_points(at):
    at.select_slider(key="fn_n").set_value(200).run()
    assert not at.exception
    frame = cloud_spec(at)["frames"][0]["data"][0]
    assert frame["x"]["dtype"] == "f4" and len(frame["x"]["bdata"]) == len(__import__("base64").b64encode(bytes(800)))
