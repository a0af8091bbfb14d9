"""Part 1, auto-encoders, with Streamlit's AppTest: defaults render, widgets move, live training runs, missing models are reported."""

import time

import pytest
from page_support import chart, open_page

import ui.figures.autoencoder
from core.io import load

PAGE = "views/autoencoder.py"


def photo_psnr() -> float:
    """PSNR of the shipped CIFAR-10 auto-encoder on the first held-out photo of each class, computed here."""
    from core import data
    from core.images import psnr
    from core.io import load
    from core.nets.autoencoder import restore

    _, held = data.split(data.load_cifar10())  # the shipped models' split
    x = data.to_model_range(held.images[[int((held.labels == c).nonzero()[0, 0]) for c in range(10)]])
    return psnr(restore(load("cifar10-autoencoder").model, x).clamp(-1, 1), x)


def values(arr) -> list[float]:
    """A Plotly data array, plain or binary-encoded ({"dtype", "bdata"})."""
    import base64

    import numpy as np

    if isinstance(arr, dict):
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=arr["dtype"]).tolist()
    return list(arr)


def test_defaults_render_with_the_architecture():
    at = open_page(PAGE)
    assert at.title[0].value == "1. Auto-encoders"
    captions = " ".join(c for img in at.get("image") for c in img.captions)
    assert "held-out photos x, one per class" in captions  # the CIFAR-10 auto-encoder
    psnr = float(captions.split("through a code of 128 numbers: PSNR ")[1].split(" dB")[0])
    assert psnr == pytest.approx(photo_psnr(), abs=0.05)  # the page's figure is the model's, on the same photos
    arch = chart(at, "ae_arch")
    texts = " ".join(a["text"] for a in arch["layout"]["annotations"])
    assert "encoder E" in texts and "decoder D" in texts and "code z" in texts
    assert "<b>1×28×28</b>" in texts  # input and output shapes
    assert "stride 2" in texts
    loss = chart(at, "ae_loss")
    assert loss["layout"]["xaxis"]["title"]["text"] == "optimiser step"
    assert loss["layout"]["yaxis"]["title"]["text"] == "mean squared error"


def test_missing_models_are_reported_plainly(without_checkpoints):
    at = without_checkpoints(PAGE)
    errors = " ".join(e.value for e in at.error)
    assert "mnist-autoencoder" in errors and "mnist-vae-2d" in errors
    charts = [c.key for c in at.get("plotly_chart")]
    assert "ae_loss" in charts  # the live part still works
    assert "ae_arch" not in charts  # nothing is drawn from random weights in place of the missing model
    at.slider(key="ae_sigma").set_value(1.0).run()
    assert not at.exception


def test_widgets_move_and_figures_follow():
    at = open_page(PAGE)
    code = chart(at, "ae_code_chart")
    assert len(values(code["data"][0]["y"])) == 16
    scatter = chart(at, "ae_latent_scatter")
    assert [t["name"] for t in scatter["data"]] == [str(d) for d in range(10)]
    assert sum(len(values(t["x"])) for t in scatter["data"]) == 2000
    assert scatter["layout"]["xaxis"]["title"]["text"] == "z1"

    before = values(code["data"][0]["y"])
    at.slider(key="ae_digit").set_value(5).run()
    assert values(chart(at, "ae_code_chart")["data"][0]["y"]) != before

    psnr = [m.value for m in at.metric]
    at.slider(key="ae_sigma").set_value(1.2).run()
    assert [m.value for m in at.metric] != psnr
    at.radio(key="ae_damage").set_value("mask").run()
    at.slider(key="ae_mask").set_value(16).run()
    at.number_input(key="ae_gen_seed").set_value(3).run()
    at.slider(key="ae_extent").set_value(2.0).run()
    at.slider(key="ae_grid").set_value(10).run()
    assert not at.exception
    assert chart(at, "ae_latent_scatter")["layout"]["xaxis"]["range"] == [-2.0, 2.0]


def _psnr_pair(at) -> tuple[float, float]:
    values = [float(m.value.split(" dB")[0]) for m in at.metric if m.label.startswith("PSNR")]
    return values[0], values[1]


def test_the_restoration_lesson_says_what_the_page_measures():
    """The lesson: restored digits score higher than damaged ones at the default sigma (0.6) and above,
    lower with light noise or a grey square, and never above the auto-encoder's own blur (the clean digits' PSNR it
    quotes)."""
    at = open_page(PAGE)
    damaged, restored = _psnr_pair(at)
    assert at.slider(key="ae_sigma").value == 0.6 and restored > damaged
    at.slider(key="ae_sigma").set_value(1.2).run()
    damaged, restored = _psnr_pair(at)
    assert restored > damaged
    at.slider(key="ae_sigma").set_value(0.2).run()
    damaged, restored = _psnr_pair(at)
    blur = ui.figures.autoencoder.facts(load("mnist-autoencoder"))["clean_psnr"]
    assert restored < damaged < 30 and restored < blur + 1
    at.radio(key="ae_damage").set_value("mask").run()
    damaged, restored = _psnr_pair(at)
    assert restored < damaged
    assert f"about {round(blur)} dB" in " ".join(m.value for m in at.markdown)


def test_live_training_runs_in_the_background_and_stops():
    at = open_page(PAGE)
    at.select_slider(key="ae_code").set_value(2)
    at.select_slider(key="ae_steps").set_value(100)
    at.button(key="ae_train").click().run()
    assert not at.exception
    job = at.session_state["ae_live_job"]
    deadline = time.time() + 120
    while job.running and time.time() < deadline:
        time.sleep(0.5)
    assert job.status == "done", job.error
    at.run()
    loss = chart(at, "ae_loss")
    assert len(values(loss["data"][0]["y"])) == 100
    assert loss["layout"]["title"]["text"] == "Reconstruction loss, code size 2"
    assert at.get("progress")[0].proto.text.startswith("Finished: 100 steps in ")
    assert job.config.step == 100 and job.collected
    assert job.progress.losses[-1] < job.progress.losses[0]


def test_a_missing_dataset_is_reported_plainly(monkeypatch):
    import ui.figures.autoencoder
    import ui.resources.data
    from core import data

    def unavailable(*args, **kwargs):
        raise data.DatasetUnavailable("CIFAR-10: tried assets/data/cifar10-test-jpeg.zip (missing)")

    monkeypatch.setattr(data, "load_cifar10", unavailable)
    ui.resources.data.cifar10.clear(), ui.figures.autoencoder.photo_reconstructions.clear()
    try:
        at = open_page(PAGE)
        assert any("could not be loaded" in e.value and "cifar10-test-jpeg.zip" in e.value for e in at.error)
    finally:
        ui.resources.data.cifar10.clear(), ui.figures.autoencoder.photo_reconstructions.clear()
