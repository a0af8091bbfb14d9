"""Part 7, latent diffusion, with AppTest: the pipeline, generation step by step, interpolations, AE vs VAE codes and
the cost table; and the lesson's claims checked against the page's own figures."""

import numpy as np
import pytest
from page_support import chart, open_page

import ui.resources.models
from core.io import load
from ui.figures.latent_diffusion import AE_2D, LATENT_MODEL, PIXEL_MODEL, VAE_2D, codes, costs

PAGE = "views/latent_diffusion.py"


@pytest.fixture(scope="module")
def at():
    ui.resources.models._load.clear()
    return open_page(PAGE)



def test_defaults(at):
    assert at.title[0].value == "7. Latent diffusion"
    assert not at.error
    assert [c.key for c in at.get("plotly_chart")] == ["ld_pipeline", "ld_generation", "ld_interp", "ld_codes"]
    pipeline = chart(at, "ld_pipeline")
    assert pipeline["layout"]["title"]["text"].startswith("784 → 196 → 784 numbers")
    heads = " ".join(a["text"] for a in pipeline["layout"]["annotations"])
    assert [f"z<sub>{c}</sub>" in heads for c in range(1, 5)] == [True] * 4  # the four latent channels
    gen = chart(at, "ld_generation")
    rows = " ".join(a["text"] for a in gen["layout"]["annotations"])
    assert "latent z<sub>t</sub>" in rows and "pixel model" in rows and "t = 0" in rows and "t = 1" in rows
    assert len(at.get("image")) == 2  # the two decoded maps
    tables = " ".join(m.value for m in at.markdown)
    assert "48×" in tables and "| 4×" in tables and "196" in tables and "not measured" not in tables


def test_widgets_move_the_figures(at):
    before = chart(at, "ld_pipeline")["data"][0]["source"]
    at.slider(key="ld_digit").set_value(11).run()
    assert chart(at, "ld_pipeline")["data"][0]["source"] != before
    before = chart(at, "ld_generation")["data"][0]["source"]
    at.number_input(key="ld_seed").set_value(3).run()
    assert chart(at, "ld_generation")["data"][0]["source"] != before
    before = chart(at, "ld_generation")["data"][0]["source"]
    at.selectbox(key="ld_label").set_value(4).run()
    at.select_slider(key="ld_steps").set_value(5).run()
    gen = chart(at, "ld_generation")
    assert gen["data"][0]["source"] != before
    assert sum(a["text"].startswith("t = ") for a in gen["layout"]["annotations"]) >= 3
    before = chart(at, "ld_interp")["data"][0]["source"]
    at.number_input(key="ld_b").set_value(42).run()
    assert not at.exception and chart(at, "ld_interp")["data"][0]["source"] != before
    before = chart(at, "ld_interp")["data"][0]["source"]
    at.number_input(key="ld_a").set_value(17).run()
    assert not at.exception and chart(at, "ld_interp")["data"][0]["source"] != before


# ------------------------------------------------------------------ the lesson's claims, on the page's own figures


def test_a_latent_step_is_cheaper_but_by_less_than_the_4x_fewer_numbers():
    c = costs()
    pix, lat = c[PIXEL_MODEL], c[LATENT_MODEL]
    assert pix.numbers == 4 * lat.numbers == 784
    assert lat.seconds_per_step < pix.seconds_per_step < 4 * lat.seconds_per_step


def test_the_small_latent_model_is_judged_a_little_below_the_pixel_model():
    from ui.resources.models import measured_quality

    q = {n: measured_quality(n, load(n).sha256)["euler-20-cond-w1"] for n in (PIXEL_MODEL, LATENT_MODEL)}
    assert q[LATENT_MODEL]["frechet_ratio"] > q[PIXEL_MODEL]["frechet_ratio"]
    assert q[LATENT_MODEL]["confident_share"] > 0.9  # "a little": still recognisable digits


def test_the_vaes_codes_are_a_rounder_cloud_at_the_noises_scale_that_a_gaussian_covers_better():
    ae, vae = load(AE_2D), load(VAE_2D)
    c = codes(ae, vae)
    assert c["far"]["ae"] > 1.2 * c["far"]["vae"]  # Gaussian draws land off the codes more often for the plain AE
    assert 0.5 < c["std"]["vae"] < 1.5 < c["std"]["ae"]  # the VAE's spread is near 1, the AE's on a scale of its own
    assert np.abs(c["vae"].mean(axis=0)).max() < 0.5 * c["std"]["vae"]  # "around 0": well within one spread
