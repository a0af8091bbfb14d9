"""Mini-batches: endless shuffled epochs, and a step-indexed form that a resumed run replays exactly."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from core.data.images import ImageSet, to_model_range

__all__ = ["batch_at", "batches", "batches_from"]


def batches(
    ds_or_tensor: ImageSet | torch.Tensor,
    batch_size: int,
    *,
    generator: torch.Generator,
    drop_last: bool = True,
) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
    """Endless random mini-batches ``(x, y)``, one shuffled epoch after another.

    ``x`` is float32 in ``[-1, 1]`` (uint8 images are converted batch by batch,
    so the whole set is never held as floats); a float tensor (e.g. toy
    samples, shape ``(N, 2)``) is passed through as is. ``y`` holds the labels
    of an ``ImageSet`` and is ``None`` for a bare tensor. With ``drop_last``,
    every batch has exactly ``batch_size`` rows. Batches live on the CPU;
    move them to your device yourself.
    """
    if isinstance(ds_or_tensor, ImageSet):
        data, labels = ds_or_tensor.images, ds_or_tensor.labels
    else:
        data, labels = ds_or_tensor, None
    n = data.shape[0]
    if batch_size < 1 or (drop_last and batch_size > n):
        raise ValueError(f"batch_size must be between 1 and {n} (the data size), got {batch_size}")
    while True:
        order = torch.randperm(n, generator=generator)
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            idx = order[start : start + batch_size]
            x = data[idx]
            yield (to_model_range(x) if x.dtype == torch.uint8 else x), (None if labels is None else labels[idx])


def batch_at(step: int, n: int, batch_size: int, seed: int) -> torch.Tensor:
    """Indices of mini-batch ``step``: epoch ``e`` is a permutation seeded by ``(seed, e)``.

    A pure function of the step, so a resumed run sees exactly the batches it would have seen.
    """
    per_epoch = n // batch_size
    if per_epoch < 1:
        raise ValueError(f"batch size {batch_size} is larger than the data ({n} samples)")
    epoch, k = divmod(step, per_epoch)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch))
    return perm[k * batch_size : (k + 1) * batch_size]


def batches_from(x: torch.Tensor, y: torch.Tensor | None, batch_size: int, seed: int, start: int = 0):
    """Mini-batches ``(x, y)`` for steps ``start, start + 1, ...`` (see :func:`batch_at`)."""
    step = start
    while True:
        idx = batch_at(step, len(x), batch_size, seed).to(x.device)
        yield x[idx], (None if y is None else y[idx])
        step += 1
