"""Forensics: the power spectrum against closed forms, and the checkerboard of a transposed convolution."""

import math

import pytest
import torch

from core.forensics import log_magnitude, radial_spectrum, upsample
from core.forensics.spectrum import _power


def _grid(n: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    y, x = torch.meshgrid(torch.arange(n, dtype=torch.float64), torch.arange(n, dtype=torch.float64), indexing="ij")
    return y, x


def test_parseval_the_power_averages_to_the_mean_square():
    x = torch.randn(3, 2, 16, 24, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert float(_power(x).mean()) == pytest.approx(float(x.pow(2).mean()), rel=1e-10)


def test_a_sinusoid_puts_its_energy_at_its_frequency():
    y, x = _grid(32)
    wave = torch.cos(2 * math.pi * 4 * x / 32)[None, None]  # 4 cycles across 32 pixels: 0.125 cycles per pixel
    s = radial_spectrum(wave)
    assert float(s.freqs[s.power.argmax()]) == pytest.approx(0.125)
    assert float(s.power.max()) > 100 * float(s.power[s.freqs != 0.125].max())


def test_white_noise_is_flat():
    noise = torch.randn(200, 1, 32, 32, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    s = radial_spectrum(noise, subtract_mean=False)
    inner = (s.freqs > 0.05) & (s.freqs <= 0.5)
    assert torch.allclose(s.power[inner], torch.ones_like(s.power[inner]), rtol=0.1)  # variance 1 at every frequency


def test_a_checkerboard_peaks_at_the_nyquist_corner():
    y, x = _grid(16)
    board = ((-1.0) ** (x + y))[None, None]
    s = radial_spectrum(board)
    assert float(s.freqs[s.power.argmax()]) == pytest.approx(math.sqrt(0.5), abs=0.04)  # (0.5, 0.5) cycles per pixel
    assert float(s.power[s.freqs < 0.5].max()) < 1e-20
    lm = log_magnitude(board[0])
    assert lm.shape == (16, 16) and int(lm.argmax()) == 0  # fftshift puts (-0.5, -0.5) at the corner [0, 0]


def test_a_transposed_convolution_prints_a_checkerboard_that_interpolation_does_not():
    flat = torch.full((1, 1, 8, 8), 0.5, dtype=torch.float64)
    high = {m: float(radial_spectrum(upsample(flat, m)).power[-3:].sum()) for m in ("nearest", "bilinear", "transposed")}
    assert high["nearest"] < 1e-20 and high["bilinear"] < 1e-20  # a flat image stays flat
    assert high["transposed"] > 1e-4  # uneven overlap of the 3x3 kernel at stride 2: a periodic pattern
    assert upsample(flat, "transposed").shape == (1, 1, 16, 16)
    with pytest.raises(ValueError, match="unknown up-sampling"):
        upsample(flat, "bicubic")


# ------------------------------------------------------------------ bias: attributes against closed forms

def test_ink_is_the_share_of_the_square_covered():
    from core.forensics.bias import ink

    img = -torch.ones(2, 1, 10, 10)
    img[0, :, :5] = 1  # half the square white
    assert ink(img).tolist() == pytest.approx([0.5, 0.0])


@pytest.mark.parametrize("shear", [-0.5, 0.0, 0.25, 1.0])
def test_slant_reads_the_shear_of_a_line(shear):
    from core.forensics.bias import slant

    img = -torch.ones(1, 1, 64, 64)
    for y in range(8, 56):  # x = 32 - shear (y - 32): the top (small y) leans right for a positive shear
        x = 32 - shear * (y - 32)
        lo = int(math.floor(x))
        img[0, 0, y, lo] += 2 * (1 - (x - lo))  # the ink split between two pixels: an exact centre of mass
        img[0, 0, y, lo + 1] += 2 * (x - lo)
    assert float(slant(img)) == pytest.approx(shear, abs=1e-9)


def test_saturation_is_zero_for_grey_and_the_spread_of_a_class_is_its_rms_radius():
    from core.forensics.bias import attribute, class_spread

    grey = torch.rand(3, 1, 8, 8).expand(3, 3, 8, 8) * 2 - 1
    assert attribute("cifar10", "saturation", grey).abs().max() < 1e-12
    f = torch.tensor([[1.0, 0], [-1, 0], [0, 3], [0, -3]])
    assert class_spread(f, torch.tensor([0, 0, 1, 1])) == pytest.approx((1 + 3) / 2)
    with pytest.raises(ValueError, match="unknown attribute"):
        attribute("mnist", "colour", grey)


# ------------------------------------------------------------------ the detector's perturbations

def test_perturbations_keep_shape_and_range_and_change_the_image_by_their_strength():
    from core.forensics.detector import PERTURBATIONS, jpeg, perturb, quantise

    g = torch.Generator().manual_seed(0)
    x = quantise(torch.rand(8, 1, 28, 28, generator=g) * 2 - 1)
    for name in PERTURBATIONS:
        y = perturb(x, name)
        assert y.shape == x.shape and y.min() >= -1 and y.max() <= 1
        assert torch.equal(quantise(y), y)  # every perturbed image is an 8-bit image again
    assert torch.equal(perturb(x, "none"), x)
    err = [float((jpeg(x, q) - x).abs().mean()) for q in (95, 75, 30)]
    assert err[0] < err[1] < err[2]  # lower quality, more damage
    colour = quantise(torch.rand(2, 3, 32, 32, generator=g) * 2 - 1)
    assert jpeg(colour, 90).shape == colour.shape
    with pytest.raises(ValueError, match="unknown perturbation"):
        perturb(x, "sharpen")


def test_best_of_picks_the_sample_the_judge_likes_most():
    from core.forensics.evolution import best_of
    from core.io import load

    ckpt = load("mnist-flow-random")

    class Judge(torch.nn.Module):  # prefers bright images: the best of four is the one with the most ink
        def forward(self, x):
            ink = x.mean(dim=(1, 2, 3))
            return torch.stack([torch.zeros_like(ink)] * 3 + [50 * ink], dim=1)

    stage = best_of(ckpt, Judge(), label=3, seed=0, k=4, steps=2)
    assert stage.candidates.shape == (4, 1, 28, 28)
    assert stage.best == int(stage.candidates.mean(dim=(1, 2, 3)).argmax())
    assert torch.equal(stage.image, stage.candidates[stage.best])
    again = best_of(ckpt, Judge(), label=3, seed=0, k=4, steps=2)
    assert torch.equal(again.candidates, stage.candidates)  # same seed, same noise, same samples


def test_the_quiz_pool_is_half_real_half_generated_with_a_cue_for_each():
    from core.forensics.detector import Source
    from core.forensics.quiz import CUES, QUIZ_SOURCES, REAL, quiz_pool
    from core.io import load

    judge = load("mnist-classifier").model
    items = quiz_pool("mnist", judge, per_source=2)
    fake = [i for i in items if i.generated]
    assert len(fake) == 2 * len(QUIZ_SOURCES["mnist"]) == len(items) - len(fake)
    assert all(i.image.dtype == torch.uint8 and i.image.shape == (1, 28, 28) for i in items)
    assert all(i.cue in CUES for i in items)  # data: an id the page writes in its language, not a sentence
    assert {Source.from_key(i.source) for i in fake} == set(QUIZ_SOURCES["mnist"])
    one_step = [i for i in fake if Source.from_key(i.source).steps == 1]
    assert one_step and all(i.cue == "smooth" for i in one_step)
    assert all(i.source == REAL and i.cue == "real" for i in items if not i.generated)


def test_measure_cli_writes_its_part_next_to_the_checkpoints_and_keeps_the_others(tmp_path, monkeypatch):
    import json
    import shutil

    from core import paths
    from core.forensics.measure import GUIDANCE, main

    for name in ("mnist-flow-random", "mnist-classifier"):
        for suffix in (".safetensors", ".json"):
            shutil.copy(paths.checkpoint(name).with_suffix(suffix), tmp_path / f"{name}{suffix}")
    monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(tmp_path))
    (tmp_path / "forensics.json").write_text(json.dumps({"evolution": {"kept": True}}))
    assert main(["--n", "20", "--parts", "guidance"]) == 0
    report = json.loads((tmp_path / "forensics.json").read_text())
    assert report["evolution"] == {"kept": True}
    rows = report["guidance"]["rows"]
    assert [r["w"] for r in rows] == list(GUIDANCE)
    assert all(len(r["asked"]) == len(r["predicted"]) == len(r["attributes"]["ink"]) == 20 for r in rows)
    with pytest.raises(SystemExit):
        main(["--n", "5"])
    assert main(["--parts", "detection", "--n", "20"]) == 2  # no detector in that folder: one line, no traceback


def test_the_2d_power_is_centred_and_keeps_the_energy():
    from core.forensics import power_2d

    y, x = _grid(16)
    wave = torch.cos(2 * math.pi * 4 * x / 16)[None, None]  # 4 cycles across: frequency +-0.25 along x
    p = power_2d(wave)
    assert p.shape == (16, 16)
    peaks = {tuple(int(i) for i in idx) for idx in (p == p.max()).nonzero()}
    assert peaks == {(8, 4), (8, 12)}  # zero frequency at (8, 8), +-4 columns away
    noise = torch.randn(4, 1, 16, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    centred = noise - noise.mean(dim=(-2, -1), keepdim=True)
    assert float(power_2d(noise).mean()) == pytest.approx(float(centred.pow(2).mean()), rel=1e-10)  # Parseval


def test_quiz_pools_are_shipped_for_the_shipped_models_and_refused_when_stale_or_corrupt(tmp_path):
    from core.forensics.quiz import QUIZ_SOURCES, load_pool, pool_shas, save_pool
    from core.forensics.shipped import pool_path

    for data in QUIZ_SOURCES:
        shas = pool_shas(data)
        items = load_pool(pool_path(data), shas)
        assert items is not None, f"{pool_path(data)} is missing or stale: run python -m core.forensics.shipped"
        assert sum(i.generated for i in items) == len(items) // 2 and all(i.image.dtype == torch.uint8 for i in items)
        copy = save_pool(tmp_path / f"{data}.npz", items, shas)
        again = load_pool(copy, shas)
        assert [(torch.equal(a.image, b.image), a.cue) for a, b in zip(items, again)] == [(True, a.cue) for a in items]
        assert load_pool(copy, ("another",) + shas[1:]) is None  # drawn by other weights: not used
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    assert load_pool(bad, ()) is None and load_pool(tmp_path / "missing.npz", ()) is None


def test_the_shipped_default_view_is_what_the_shipped_models_draw():
    import numpy as np

    from core import paths
    from core.forensics.bias import GUIDANCE, guidance_grid
    from core.forensics.evolution import film_strip
    from core.forensics.shipped import DEFAULTS, grid_key, stage_names, strip_key
    from core.io import load
    from core.io.arrays import load_arrays

    d = DEFAULTS
    stages = [load(name) for name in stage_names()]
    key = strip_key(tuple(c.sha256 for c in stages), d["label"], d["seed"], d["k"], d["steps"])
    shipped = load_arrays(paths.SPOTTING / "film-strip.npz", key)
    assert shipped is not None, "assets/spotting/film-strip.npz is missing or stale: run python -m core.forensics.shipped"
    fresh = film_strip(stages, load("mnist-classifier").model, label=d["label"], seed=d["seed"], k=d["k"], steps=d["steps"])
    assert np.array_equal(shipped["cells"], fresh["cells"]) and np.array_equal(shipped["best"], fresh["best"])
    key = grid_key(stages[-1].sha256, d["grid_label"], d["seed"], GUIDANCE, d["grid_n"], d["steps"])
    grid = load_arrays(paths.SPOTTING / "guidance-grid.npz", key)
    assert grid is not None
    fresh = guidance_grid(stages[-1], label=d["grid_label"], seed=d["seed"], weights=GUIDANCE, n=d["grid_n"], steps=d["steps"])
    # the same up to float rounding on another processor: a grey level apart, on a handful of the 31,360 pixels (one
    # pixel on the machine where this was written)
    diff = np.abs(grid["cells"].astype(int) - fresh.astype(int))
    assert diff.max() <= 1 and (diff > 0).mean() < 1e-3
    assert load_arrays(paths.SPOTTING / "guidance-grid.npz", {**key, "seed": 1}) is None  # another view: computed


def test_a_source_key_names_its_generator_and_sampling_and_reads_back():
    from core.forensics.detector import Source

    s = Source("mnist-flow-ot", "euler", 10, conditional=True, guidance=3.0)
    assert s.key == "mnist-flow-ot/euler-10-cond-w3" and Source.from_key(s.key) == s
    assert Source.from_key("snapshots/x/ddim-20-uncond-w1") == Source("snapshots/x", "ddim", 20, conditional=False)
    with pytest.raises(ValueError):
        Source.from_key("mnist-flow-ot (Euler, 10 steps, class asked)")  # an English label is not a key
