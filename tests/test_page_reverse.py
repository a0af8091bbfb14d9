"""Part 5, reverse denoising, with AppTest: the step-through film of the shipped MNIST model and the toy cloud.

Uses the shipped checkpoint ``mnist-ddpm-eps`` from the checkpoint folder (``core.paths.checkpoints()``); one test points that at an
empty folder and checks the page says so plainly while its toy part keeps working.
"""


import pytest
from page_support import arr, film, open_page, specs

import ui.resources.models


@pytest.fixture
def at():
    ui.resources.models._load.clear()
    return open_page("views/reverse.py", check=False)


def test_defaults(at):
    assert not at.exception
    assert at.title[0].value == "5. Reverse denoising"
    mnist, (toy,) = film(at, "rev_mnist_film"), specs(at)
    frames = mnist["frames"]
    assert len(frames) == 50 and mnist["start"] == 0  # 50 DDPM steps, one frame each, from the first
    assert frames[0]["title"].startswith("Step 1 of 50: t = 1000 → 980")
    assert frames[-1]["title"].startswith("Step 50 of 50: t = 20 → 0, σ = 0.000")
    assert [f["value"] for f in frames[:2]] == ["1000", "980"] and mnist["url"] == "rev_t"
    assert all(f["src"].startswith("data:image/png;base64,") for f in frames)
    assert len({f["src"] for f in frames}) == 50  # every step its own picture
    assert "<b>one-shot<br>Î<sub>0</sub></b>" in mnist["columns"] and frames[0]["rows"] == ["sample 1", "sample 2", "sample 3"]
    assert len(at.get("image")) == 1  # the film strip
    assert len(toy["frames"]) == 51  # I_T, then one state per step
    assert [len(arr(tr["x"])) for tr in toy["data"]] == [1000, 500, 500]  # data, cloud, one-shot estimates
    assert toy["frames"][-1]["layout"]["title"]["text"] == "t = 0  (the samples)"
    assert at.slider(key="rev_guidance").disabled  # no digit chosen: guidance unused


def test_digit_guidance_seed_steps_samples(at):
    first = film(at, "rev_mnist_film")["frames"][10]["src"]
    at.selectbox(key="rev_label").set_value(3).run()
    assert not at.slider(key="rev_guidance").disabled
    at.slider(key="rev_guidance").set_value(3.0).run()
    at.number_input(key="rev_seed").set_value(5).run()
    at.select_slider(key="rev_steps").set_value(20).run()
    at.slider(key="rev_n").set_value(2).run()
    assert not at.exception
    frames = film(at, "rev_mnist_film")["frames"]
    assert len(frames) == 20
    assert frames[1]["title"].startswith("Step 2 of 20: t = 950 → 900")
    assert frames[0]["rows"] == ["sample 1", "sample 2"]
    assert frames[10]["src"] != first


def test_a_link_opens_the_film_at_its_step_and_a_step_between_frames_at_the_nearest(at):
    at.query_params["rev_t"] = "500"
    at.run()
    mnist = film(at, "rev_mnist_film")
    assert mnist["frames"][mnist["start"]]["value"] == "500"
    at.select_slider(key="rev_steps").set_value(20).run()  # t = 1000, 950, ...: 500 is a step again
    mnist = film(at, "rev_mnist_film")
    assert mnist["frames"][mnist["start"]]["value"] == "500"
    at.select_slider(key="rev_steps").set_value(25).run()  # t = 1000, 960, ..., 520, 480: the nearest is 520 or 480
    mnist = film(at, "rev_mnist_film")
    assert mnist["frames"][mnist["start"]]["value"] in ("520", "480")
    assert at.query_params["rev_t"] == mnist["frames"][mnist["start"]]["value"] and not at.toast


def test_same_settings_same_pictures(at):
    a = film(at, "rev_mnist_film")["frames"][-1]["src"]
    at.number_input(key="rev_seed").set_value(1).run()
    at.number_input(key="rev_seed").set_value(0).run()
    assert film(at, "rev_mnist_film")["frames"][-1]["src"] == a


def test_toy_dataset_and_seed(at):
    before = arr(specs(at)[0]["frames"][-1]["data"][0]["x"])
    at.number_input(key="rev_toy_seed").set_value(3).run()
    assert arr(specs(at)[0]["frames"][-1]["data"][0]["x"]) != before
    at.selectbox(key="rev_toy_dataset").set_value("8gaussians").run()
    assert not at.exception
    toy = specs(at)[0]
    assert len(toy["frames"]) == 51 and len(arr(toy["data"][0]["x"])) == 1000


def test_missing_checkpoint_is_reported_and_the_toy_part_still_works(without_checkpoints):
    at = without_checkpoints("views/reverse.py")
    assert not at.exception
    assert any("could not be loaded" in e.value for e in at.error)
    charts = specs(at)
    assert len(charts) == 1 and len(charts[0]["frames"]) == 51  # only the toy cloud


@pytest.mark.parametrize("value", ["abc", "inf", "<script>", "1e999"])
def test_a_link_with_a_step_that_is_no_number_opens_the_first_and_says_so(at, value):
    at.query_params["rev_t"] = value
    at.run()
    assert not at.exception
    mnist = film(at, "rev_mnist_film")
    assert mnist["start"] == 0 and "rev_t" not in at.query_params
    assert any("rev_t" in t.value for t in at.toast)
