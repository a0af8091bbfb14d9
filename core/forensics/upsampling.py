"""Up-sampling, three ways, and the traces each leaves in the spectrum (lecture, part 9: "upsampling by AI").

``nearest`` repeats each pixel (blocky: energy at the harmonics of the block size), ``bilinear``
interpolates (smooth: high frequencies damped), ``transposed`` is a stride-2 transposed convolution as
generators use: its kernel overlaps unevenly, which prints a periodic **checkerboard** on the image and
a peak at the Nyquist frequency of the output (Odena et al., 2016, "Deconvolution and checkerboard artifacts").
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["UPSAMPLERS", "upsample"]

UPSAMPLERS = ("nearest", "bilinear", "transposed")


def _transposed_kernel(channels: int, generator: torch.Generator) -> torch.Tensor:
    """A 3x3 stride-2 transposed-convolution kernel that copies each channel (a positive random blur):
    ``(C, 1, 3, 3)``, grouped by channel, weights summing to 4 so that brightness is kept on average."""
    k = torch.rand((channels, 1, 3, 3), generator=generator, dtype=torch.float64) + 0.5
    return k / k.sum(dim=(-2, -1), keepdim=True) * 4


def upsample(images: torch.Tensor, method: str, *, seed: int = 0) -> torch.Tensor:
    """Images ``(B, C, H, W)`` to ``(B, C, 2H, 2W)`` by ``method`` (one of :data:`UPSAMPLERS`)."""
    if method not in UPSAMPLERS:
        raise ValueError(f"unknown up-sampling {method!r}; choose one of {', '.join(UPSAMPLERS)}")
    if images.ndim != 4:
        raise ValueError(f"images must be (B, C, H, W), got shape {tuple(images.shape)}")
    x = images.double()
    if method == "nearest":
        out = F.interpolate(x, scale_factor=2, mode="nearest")
    elif method == "bilinear":
        out = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    else:
        kernel = _transposed_kernel(x.shape[1], torch.Generator().manual_seed(seed))
        out = F.conv_transpose2d(x, kernel, stride=2, padding=1, output_padding=1, groups=x.shape[1])
    return out.to(images.dtype)
