"""Power spectra of images: how much energy sits at each spatial frequency.

The 2-D discrete Fourier transform of an ``H x W`` image, ``F[u, v] = sum_{y, x} I[y, x] e^{-2 pi i (u y / H + v x / W)}``,
splits it into waves of frequency ``(u / H, v / W)`` cycles per pixel (from 0 to the Nyquist limit 0.5).
The **azimuthally averaged power spectrum** averages ``|F|^2`` over rings of equal radius
``r = sqrt((u/H)^2 + (v/W)^2)``: natural images fall off smoothly with ``r``; a generator that is too
smooth has too little energy at high ``r``, and up-sampling layers leave peaks (Durall et al., 2020;
Frank et al., 2020).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["RadialSpectrum", "log_magnitude", "power_2d", "radial_spectrum"]


@dataclass(frozen=True)
class RadialSpectrum:
    """``power[k]``: mean ``|F|^2 / (H W)`` over the images and the ring of radius ``freqs[k]`` (cycles per pixel)."""

    freqs: torch.Tensor  # (K,)
    power: torch.Tensor  # (K,)


def _power(images: torch.Tensor) -> torch.Tensor:
    """``|F|^2 / (H W)`` of each image, averaged over the images and channels: ``(H, W)``, zero frequency at [0, 0]."""
    if images.ndim != 4:
        raise ValueError(f"images must be (B, C, H, W), got shape {tuple(images.shape)}")
    x = images.double()
    h, w = x.shape[-2:]
    return torch.fft.fft2(x).abs().pow(2).mean(dim=(0, 1)) / (h * w)


def radial_spectrum(images: torch.Tensor, *, bins: int | None = None, subtract_mean: bool = True) -> RadialSpectrum:
    """The azimuthally averaged power spectrum of ``images`` ``(B, C, H, W)``.

    With ``subtract_mean`` each image's mean is removed first (the zero frequency says only how bright
    it is). ``bins`` rings between 0 and ``sqrt(0.5^2 + 0.5^2)`` (default ``min(H, W) // 2 + 1``, one per
    integer frequency along the shorter side). Parseval: ``mean(power over all frequencies) = mean(I^2)``.
    """
    x = images - images.mean(dim=(-2, -1), keepdim=True) if subtract_mean else images
    p = _power(x)
    h, w = p.shape
    fy = torch.fft.fftfreq(h, dtype=torch.float64)[:, None]
    fx = torch.fft.fftfreq(w, dtype=torch.float64)[None, :]
    r = (fy**2 + fx**2).sqrt()  # (H, W), cycles per pixel
    bins = bins or min(h, w) // 2 + 1
    step = 0.5 / (bins - 1) if bins > 1 else 0.5
    index = (r / step).round().long()  # the ring of each frequency (corners reach r = 0.707)
    total = torch.zeros(int(index.max()) + 1, dtype=torch.float64).scatter_add_(0, index.flatten(), p.flatten())
    count = torch.zeros_like(total).scatter_add_(0, index.flatten(), torch.ones_like(p.flatten()))
    keep = count > 0
    freqs = torch.arange(len(total), dtype=torch.float64) * step
    return RadialSpectrum(freqs[keep], total[keep] / count[keep])


def power_2d(images: torch.Tensor) -> torch.Tensor:
    """The mean power ``|F|^2 / (H W)`` of ``images`` ``(B, C, H, W)`` at every 2-D frequency, each image's mean
    removed first, shifted so that frequency 0 is in the middle: ``(H, W)`` (the 2-D view of :func:`radial_spectrum`)."""
    x = images - images.mean(dim=(-2, -1), keepdim=True)
    return torch.fft.fftshift(_power(x))


def log_magnitude(image: torch.Tensor) -> torch.Tensor:
    """``log(1 + |F|)`` of one image ``(C, H, W)`` (channels averaged), shifted so that frequency 0 is in the middle: ``(H, W)``."""
    if image.ndim != 3:
        raise ValueError(f"image must be (C, H, W), got shape {tuple(image.shape)}")
    f = torch.fft.fft2(image.double()).abs().mean(0)
    return torch.fft.fftshift(torch.log1p(f))
