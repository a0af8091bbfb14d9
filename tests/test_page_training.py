"""Part 4, training, with AppTest: live toy training (start, stop, samples) and the shipped model's loss over t.

Uses the shipped checkpoint ``mnist-ddpm-eps`` from the checkpoint folder (``core.paths.checkpoints()``); one test points that at an
empty folder and checks the page says so plainly while its toy part keeps working.
"""


import pytest
from page_support import arr, open_page, specs

import ui.resources.models


def stop_and_wait(at) -> None:
    """Stop the page's background run (if any) and wait for its thread, so runs never pile up between tests."""
    job = at.session_state["train_job"] if "train_job" in at.session_state else None
    if job is not None:
        job.progress.stop.set()
        job.thread.join(60)


def progress_text(at) -> str:
    """The live panel's progress line."""
    bars = at.get("progress")
    assert len(bars) == 1, bars
    return bars[0].proto.text


def finish(at) -> None:
    """Wait for the background run to end by itself, then rerun the page."""
    at.session_state["train_job"].thread.join(300)
    at.run()


@pytest.fixture
def at():
    ui.resources.models._load.clear()
    at = open_page("views/training.py", check=False)
    yield at
    stop_and_wait(at)


def test_defaults_show_the_reference_model_and_the_shipped_models_loss(at):
    assert not at.exception
    assert at.title[0].value == "4. Training"
    assert "train_job" not in at.session_state  # nothing trains until the student asks: a classroom shares two cores
    assert any("**Reference model**, trained on" in m.value and "3,000 steps" in m.value for m in at.markdown)
    charts = specs(at)
    assert len(charts) == 3  # loss curve, samples vs data, MNIST loss over t
    loss = charts[0]
    assert loss["layout"]["xaxis"]["title"]["text"] == "optimiser step"
    assert loss["layout"]["xaxis"]["range"] == [0, 3000]
    assert len(arr(loss["data"][1]["y"])) > 1000 and arr(loss["data"][1]["y"])[-1] < arr(loss["data"][1]["y"])[0]
    samples = charts[1]
    assert [len(arr(tr["x"])) for tr in samples["data"]] == [1000, 600]  # data, the reference model's samples
    mnist = charts[2]
    ts = arr(mnist["data"][1]["x"])
    assert len(ts) == 40 and ts[0] == 1 and ts[-1] == 1000
    eps = arr(mnist["data"][1]["y"])
    assert eps[0] > 3 * eps[-1]  # the noise loss is largest near t = 0
    assert mnist["layout"]["yaxis2"]["type"] == "log"
    text = " ".join(m.value for m in at.markdown)
    assert r"\sqrt{\bar a_t}\, I_0 + \sqrt{1 - \bar a_t}\,\varepsilon" in text  # the objective as the code runs it


def test_train_a_short_run_and_see_samples(at):
    stop_and_wait(at)
    at.selectbox(key="train_dataset").set_value("8gaussians").run()
    at.slider(key="train_steps").set_value(500).run()
    at.number_input(key="train_seed").set_value(7).run()
    assert any("**Reference model**, trained on *8 Gaussians*" in m.value for m in at.markdown)  # it follows the data
    at.button(key="train_start").click().run()
    assert not at.exception
    finish(at)
    assert not at.exception
    job = at.session_state["train_job"]
    assert job.status == "done" and job.progress.step == 500 and len(job.progress.losses) == 500
    assert job.result.cfg.dataset == "8gaussians" and job.result.cfg.seed == 7
    charts = specs(at)
    assert charts[0]["layout"]["xaxis"]["range"] == [0, 500]
    samples = charts[1]
    assert [len(arr(tr["x"])) for tr in samples["data"]] == [1000, 600]  # data, model samples
    assert samples["layout"]["annotations"][1]["text"] == "Samples, step 500"
    assert progress_text(at) == "Finished: 500 steps in " + f"{job.seconds:.1f} s"
    assert any("Your model on *8 Gaussians*" in m.value for m in at.markdown)
    assert not at.info  # the settings match the finished run
    at.slider(key="train_steps").set_value(1000).run()
    assert any("settings changed" in i.value for i in at.info)


def test_stop_button_stops_the_run(at):
    at.button(key="train_start").click().run()
    job = at.session_state["train_job"]
    assert job.running
    at.button(key="train_stop").click().run()
    assert not at.exception
    job.thread.join(10)  # the run stops at its next step; in the browser the live view notices within 0.7 s
    at.run()
    assert job.status == "stopped" and 0 < job.progress.step < 3000 and job.collected
    assert at.button(key="train_stop").disabled
    assert progress_text(at).startswith("Stopped at step ")


def test_missing_checkpoint_is_reported_and_the_toy_part_still_works(without_checkpoints):
    at = without_checkpoints("views/training.py")
    assert not at.exception
    assert any("could not be loaded" in e.value for e in at.error)
    assert len(at.get("plotly_chart")) == 2  # loss curve and samples; no MNIST chart


def test_the_loss_curve_comes_from_the_manifest_only_for_the_same_weights():
    from core.io import load
    from ui.resources.models import measured

    ckpt = load("mnist-ddpm-eps")
    stored = measured("mnist-ddpm-eps", "loss_by_t", ckpt.sha256)
    assert stored is not None and len(stored["ts"]) == 40 and stored["ts"][0] == 1
    assert measured("mnist-ddpm-eps", "loss_by_t", "0" * 64) is None  # other weights: measure again
    assert measured("no-such-model", "loss_by_t", ckpt.sha256) is None


def test_the_lesson_on_the_spiral_more_steps_bring_the_arms_back_still_thicker_than_the_data():
    # lessons/training.md: "at 3,000 its turns merge into a disc, at 10,000 the arms come back, still thicker"
    import torch

    from core.data import sample_toy
    from core.live.toy_diffusion import ToyConfig, sample_toy_model, train_toy

    spiral = sample_toy("spiral", 20_000, seed=1)
    far = {}
    for steps in (3000, 10_000):
        samples = sample_toy_model(train_toy(ToyConfig(dataset="spiral", steps=steps)), 2000, steps=50, seed=0).samples
        far[steps] = float(torch.cdist(samples, spiral).min(dim=1).values.median())
    real = float(torch.cdist(sample_toy("spiral", 2000, seed=7), spiral).min(dim=1).values.median())
    assert far[10_000] < 0.8 * far[3000]  # closer to the arms (measured 0.025 -> 0.016)
    assert far[10_000] > 1.2 * real  # yet blurrier than real points (0.011)
