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
