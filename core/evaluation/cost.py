"""What a generator costs: numbers per sample, parameters, and sampling time measured on this machine."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from core.io.checkpoints import Checkpoint, load
from core.nets import count_params
from core.sampling.generate import generate, sample_shape

__all__ = ["SamplingCost", "sampling_cost"]


@dataclass(frozen=True)
class SamplingCost:
    """``numbers``: numbers per sample the generator works on (pixels, or latent numbers); ``params``: the
    generator's parameters; ``decoder_params``: a latent model's VAE decoder (0 for pixels);
    ``seconds``: wall time of ``n`` samples in ``steps`` steps, decoding included (best of ``repeats``)."""

    numbers: int
    params: int
    decoder_params: int
    n: int
    steps: int
    seconds: float

    @property
    def seconds_per_step(self) -> float:
        return self.seconds / self.steps


def sampling_cost(ckpt: Checkpoint, *, n: int = 64, steps: int = 20, repeats: int = 3, warmup: bool = True) -> SamplingCost:
    """Time ``generate(ckpt, n, steps=steps)`` (the default sampler; a latent model's samples decoded).

    The best of ``repeats`` timed calls, after one untimed call if ``warmup`` (skip it when the model
    has just been used).
    """
    latent = ckpt.meta.get("latent")
    decoder = count_params(load(latent["vae"]).model.decoder) if latent else 0
    best = math.inf
    for k in range(repeats + int(warmup)):
        start = time.perf_counter()
        generate(ckpt, n, steps=steps, seed=k)
        if k >= int(warmup):
            best = min(best, time.perf_counter() - start)
    return SamplingCost(math.prod(sample_shape(ckpt)), count_params(ckpt.model), decoder, n, steps, best)
