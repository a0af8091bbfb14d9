import math

import pytest
import torch

from core.diffusion.schedules import (
    SCHEDULES,
    Schedule,
    cosine_schedule,
    linear_schedule,
    make_schedule,
)


def test_linear_published_values():
    ab = linear_schedule(1000).alpha_bars
    assert ab[1000].item() == pytest.approx(4.04e-5, rel=0.01)
    for t, want in [(250, 0.524), (500, 0.079), (750, 0.0034)]:
        assert ab[t].item() == pytest.approx(want, rel=0.02)


def test_cosine_published_values():
    ab = cosine_schedule(1000).alpha_bars
    for t, want in [(250, 0.847), (500, 0.494), (750, 0.144)]:
        assert ab[t].item() == pytest.approx(want, abs=1e-3)


def test_cosine_matches_closed_form_before_clipping():
    T, s = 1000, 0.008
    sch = cosine_schedule(T, s=s)
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    torch.testing.assert_close(sch.alpha_bars[:990], (f / f[0])[:990], rtol=1e-10, atol=1e-12)
    assert sch.betas.max().item() <= 0.999


@pytest.mark.parametrize("name", SCHEDULES)
@pytest.mark.parametrize("T", [1, 10, 1000])
def test_shapes_dtypes_monotone(name, T):
    sch = make_schedule(name, T)
    assert sch.T == T
    assert sch.betas.shape == (T,) and sch.alphas.shape == (T,)
    assert sch.alpha_bars.shape == (T + 1,) and sch.alpha_bars[0] == 1.0
    for arr in (sch.betas, sch.alpha_bars, sch.snr, sch.log_snr):
        assert arr.dtype == torch.float64
    assert bool((sch.alpha_bars.diff() < 0).all())
    assert bool((sch.log_snr.diff() < 0).all())


@pytest.mark.parametrize("name", SCHEDULES)
def test_alpha_bars_is_cumulative_product(name):
    sch = make_schedule(name, 50)
    for t in range(1, 51):
        assert sch.alpha_bars[t].item() == pytest.approx(math.prod(sch.alphas[:t].tolist()), rel=1e-12)


@pytest.mark.parametrize("name", SCHEDULES)
def test_snr_and_log_snr_agree(name):
    sch = make_schedule(name, 100)
    torch.testing.assert_close(sch.log_snr[1:], sch.snr[1:].log())
    ab = sch.alpha_bars[1:]
    torch.testing.assert_close(torch.sigmoid(sch.log_snr[1:]), ab)  # abar = sigmoid(log SNR)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown schedule 'quadratic'"):
        make_schedule("quadratic")
    for bad in (0, -3, 2.5):
        with pytest.raises(ValueError, match="T must be an integer"):
            make_schedule("linear", bad)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        Schedule("bad", torch.tensor([0.5, 1.5], dtype=torch.float64))
