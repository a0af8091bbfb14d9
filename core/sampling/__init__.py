"""From a trained checkpoint to images: :mod:`~core.sampling.generate` (diffusion samplers and flow
solvers, classifier-free guidance, latent models decoded by their VAE) and
:mod:`~core.sampling.latent` (a VAE's scaled latents)."""

from core.sampling.generate import (
    DIFFUSION_SAMPLERS,
    FLOW_SOLVERS,
    Generation,
    denoiser,
    generate,
    image_data,
    read_prediction,
    recipe_of,
    sample_shape,
    schedule_of,
    velocity,
)
from core.sampling.latent import decode_latents, encode_dataset, encode_latents, interpolate, latent_scale

__all__ = [
    "DIFFUSION_SAMPLERS",
    "FLOW_SOLVERS",
    "Generation",
    "decode_latents",
    "denoiser",
    "encode_dataset",
    "encode_latents",
    "generate",
    "image_data",
    "interpolate",
    "latent_scale",
    "read_prediction",
    "recipe_of",
    "sample_shape",
    "schedule_of",
    "velocity",
]
