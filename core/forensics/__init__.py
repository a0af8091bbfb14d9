"""Forensics: what gives a generated image away (lecture, part 9). :mod:`~core.forensics.spectrum`
(power spectra: too smooth, or extra high-frequency energy) and :mod:`~core.forensics.upsampling`
(the checkerboard traces of up-sampling)."""

from core.forensics.spectrum import RadialSpectrum, log_magnitude, power_2d, radial_spectrum
from core.forensics.upsampling import UPSAMPLERS, upsample

__all__ = ["UPSAMPLERS", "RadialSpectrum", "log_magnitude", "power_2d", "radial_spectrum", "upsample"]
