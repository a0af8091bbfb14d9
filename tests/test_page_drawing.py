"""Draw your own data (issue 24), in AppTest: a drawing (by its code, as a link carries it) becomes the data of the
toy pages, and models trained on it draw it; a handwritten digit goes through the auto-encoder page's machines; hostile
codes in the address get a notice and the page keeps running."""

import json

import numpy as np
import torch
from page_support import APP, arr, chart
from streamlit.testing.v1 import AppTest

from core.data import load_images, split
from core.data.drawn import EXAMPLE, decode, encode
from core.data.handwritten import encode_digit

TWO_BLOBS = encode([torch.tensor([[-2.5, 2.5]] * 3 + [[2.5, -2.5]] * 3)])  # two points, three times each


def open_with(page: str, params: dict[str, str], state: dict | None = None, timeout: float = 300) -> AppTest:
    """A fresh session on ``page`` opened by a link with ``params`` (and session ``state`` set before the run)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.query_params.update(params)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def pad_data(at, name: str = "dp_drawing") -> dict:
    found = [e for e in at.get("bidi_component") if e.proto.component_name == name]
    assert found, f"no {name} on the page"
    return json.loads(found[0].proto.json)


def nearest(points: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    return np.linalg.norm(points[:, None] - anchors[None], axis=-1).min(1)


def test_forward_noising_starts_from_the_drawing():
    at = open_with("views/forward_noising.py", {"draw": TWO_BLOBS}, {"fn_source": "drawn"})
    anchors = decode(TWO_BLOBS)[0]  # on the code's grid: (±2.452, ∓2.452)
    sets = pad_data(at)["sets"]
    assert np.allclose(sets[0], anchors.numpy(), atol=1e-3) and sets[1] == []  # the canvas shows the linked drawing
    frame = chart(at, "fn_cloud")["frames"][0]
    assert frame["name"] == "0"
    cloud = frame["data"][0]
    xy = np.column_stack([arr(cloud["x"]), arr(cloud["y"])])
    assert np.median(nearest(xy, anchors.numpy())) < 0.3  # t = 0: the drawn points (+ noise 0.1)
    assert at.session_state["draw"] == TWO_BLOBS and at.query_params["draw"] == TWO_BLOBS


def test_a_model_trained_on_the_drawing_draws_it():
    """The training page's reference model, trained now on the drawing with the default settings: its samples (the
    ones the page draws) land on the drawing."""
    at = open_with("views/training.py", {"draw": TWO_BLOBS}, {"train_dataset": "drawn"})
    from ui.figures.training import reference_samples

    drawn = reference_samples(f"drawn:{TWO_BLOBS}")
    share = float((nearest(drawn, decode(TWO_BLOBS)[0].numpy()) < 0.6).mean())
    assert share > 0.8, f"only {share:.0%} of the model's samples land on the drawing"
    assert "your drawing (blue)" in " ".join(m.value for m in at.markdown)


def test_a_flow_between_two_drawings():
    at = open_with("views/flow_matching.py", {}, {"fm_source": "drawn2", "fm_target": "drawn"})
    assert pad_data(at)["pens"] == 2
    text = " ".join(c.value for c in at.caption)
    assert "your drawing (orange) → your drawing (blue)" in text
    assert chart(at, "fm_pairs_chart")["data"]


def test_hostile_drawing_codes_get_a_notice():
    for bad in ("<script>", "A" * 5000, "AA.BB.CC", "%00"):
        at = open_with("views/forward_noising.py", {"draw": bad}, {"fn_source": "drawn"})
        assert at.session_state["draw"] == EXAMPLE  # the example, not the hostile text
        assert "draw" not in at.query_params
        assert any("draw" in t.value for t in at.toast)  # the link's notice names it


def test_your_digit_through_the_auto_encoder_page():
    held = split(load_images("mnist"))[1]
    k = int((held.labels == 7).nonzero()[0, 0])
    code = encode_digit(held.images[k, 0].float() / 255)
    at = open_with("views/autoencoder.py", {"digit": code})
    captions = " ".join(c for img in at.get("image") for c in img.captions)
    for name in ("yours, MNIST-style", "rebuilt D(E(x))", "restored D(E(x̃))", "Forward noising, cosine schedule"):
        assert name in captions
    said = " ".join(m.value for m in at.markdown)
    assert "The two judges read **7**" in said and "The detector of part 9" in said
    assert pad_data(at, "dp_digit_pad")["start"] is not None  # the pad shows the linked digit


def test_a_hostile_digit_code_is_refused():
    for bad in ("f" * 10 + "<b>", "0" * 784):  # not a code; a digit with no ink
        at = open_with("views/autoencoder.py", {"digit": bad})
        assert "digit" not in at.query_params
        assert any("Write a digit" in i.value for i in at.info)


def test_an_empty_set_is_the_examples_and_the_canvas_says_so():
    """The orange pen cleared on the flow page: the source is the example's heart (the box still says orange), and the
    canvas says so (it once became the blue set, silently)."""
    blue = encode([torch.tensor([[-2.0, 0.0], [2.0, 0.0]])])  # one set: the orange one is empty
    at = open_with("views/flow_matching.py", {"draw": blue}, {"fm_source": "drawn2", "fm_target": "drawn"})
    assert at.session_state["drawing"] == blue
    heart = decode(EXAMPLE)[1].numpy()
    source = chart(at, "fm_pairs_chart")["data"]
    xy = next(np.column_stack([arr(t["x"]), arr(t["y"])]) for t in source if "source" in t.get("name", ""))
    assert np.median(nearest(xy, heart)) < 0.3  # the source: the example's heart, not the blue set
    assert any("orange pen has drawn nothing" in c.value for c in at.caption)
