"""Part 5, reverse denoising, with AppTest: the step-through animation of the shipped MNIST model and the toy cloud.

Uses the shipped checkpoint ``mnist-ddpm-eps`` from the checkpoint folder (``core.paths.checkpoints()``); one test points that at an
empty folder and checks the page says so plainly while its toy part keeps working.
"""


import pytest
from page_support import arr, open_page, specs

import ui.resources.models


@pytest.fixture
def at():
    ui.resources.models._load.clear()
    return open_page("views/reverse.py", check=False)


def test_defaults(at):
    assert not at.exception
    assert at.title[0].value == "5. Reverse denoising"
    mnist, toy = specs(at)
    assert len(mnist["frames"]) == 50  # 50 DDPM steps, one frame each
    assert mnist["layout"]["title"]["text"].startswith("Step 1 of 50: t = 1000 → 980")
    assert mnist["frames"][-1]["layout"]["title"]["text"].startswith("Step 50 of 50: t = 20 → 0, σ = 0.000")
    slider = mnist["layout"]["sliders"][0]
    assert len(slider["steps"]) == 50 and slider["steps"][0]["label"] == "1000"
    assert [b["label"] for b in mnist["layout"]["updatemenus"][0]["buttons"]] == ["▶ Play", "❚❚ Pause"]
    assert mnist["data"][0]["type"] == "image" and mnist["data"][0]["source"].startswith("data:image/png;base64,")
    heads = [a["text"] for a in mnist["layout"]["annotations"]]
    assert "<b>one-shot<br>Î<sub>0</sub></b>" in heads and heads.count("sample 1") == 1 and "sample 3" in heads
    assert len(at.get("image")) == 1  # the film strip
    assert len(toy["frames"]) == 51  # I_T, then one state per step
    assert [len(arr(tr["x"])) for tr in toy["data"]] == [1000, 500, 500]  # data, cloud, one-shot estimates
    assert toy["frames"][-1]["layout"]["title"]["text"] == "t = 0  (the samples)"
    assert at.slider(key="rev_guidance").disabled  # no digit chosen: guidance unused


def test_digit_guidance_seed_steps_samples(at):
    first = specs(at)[0]["frames"][10]["data"][0]["source"]
    at.selectbox(key="rev_label").set_value(3).run()
    assert not at.slider(key="rev_guidance").disabled
    at.slider(key="rev_guidance").set_value(3.0).run()
    at.number_input(key="rev_seed").set_value(5).run()
    at.select_slider(key="rev_steps").set_value(20).run()
    at.slider(key="rev_n").set_value(2).run()
    assert not at.exception
    mnist = specs(at)[0]
    assert len(mnist["frames"]) == 20
    assert mnist["frames"][1]["layout"]["title"]["text"].startswith("Step 2 of 20: t = 950 → 900")
    heads = [a["text"] for a in mnist["layout"]["annotations"]]
    assert "sample 2" in heads and "sample 3" not in heads
    assert mnist["frames"][10]["data"][0]["source"] != first


def test_same_settings_same_pictures(at):
    a = specs(at)[0]["frames"][-1]["data"][0]["source"]
    at.number_input(key="rev_seed").set_value(1).run()
    at.number_input(key="rev_seed").set_value(0).run()
    assert specs(at)[0]["frames"][-1]["data"][0]["source"] == a


def test_toy_dataset_and_seed(at):
    before = arr(specs(at)[1]["frames"][-1]["data"][0]["x"])
    at.number_input(key="rev_toy_seed").set_value(3).run()
    assert arr(specs(at)[1]["frames"][-1]["data"][0]["x"]) != before
    at.selectbox(key="rev_toy_dataset").set_value("8gaussians").run()
    assert not at.exception
    toy = specs(at)[1]
    assert len(toy["frames"]) == 51 and len(arr(toy["data"][0]["x"])) == 1000


def test_missing_checkpoint_is_reported_and_the_toy_part_still_works(without_checkpoints):
    at = without_checkpoints("views/reverse.py")
    assert not at.exception
    assert any("could not be loaded" in e.value for e in at.error)
    charts = specs(at)
    assert len(charts) == 1 and len(charts[0]["frames"]) == 51  # only the toy cloud
