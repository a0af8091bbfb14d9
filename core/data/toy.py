"""2-D toy distributions, and their embedding in D dimensions.

The usual 2-D test beds of flow-matching papers (FFJORD, torchcfm): small enough to train in
seconds, and every sample can be drawn as a dot.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch

from core.data import drawn

__all__ = ["TOY_DATASETS", "check_toy", "embed_toy", "project_toy", "sample_toy", "toy_batches"]

TOY_DATASETS = ("gaussian", "8gaussians", "moons", "checkerboard", "spiral", "swissroll")
EXTENT = 4.0
"""Every toy distribution lies (almost entirely) in ``[-EXTENT, EXTENT]^2``: the box of the pages' toy figures."""
assert drawn.EXTENT == EXTENT  # a student draws in the same box


def check_toy(name: str) -> None:
    """Raise ``ValueError`` unless ``name`` is a toy distribution: one of :data:`TOY_DATASETS`, or a set of a
    student's drawing (``drawn:CODE``, :mod:`core.data.drawn`)."""
    if drawn.is_drawn(name):
        drawn.drawn_points(name)  # raises on a code that is not one
    elif name not in TOY_DATASETS:
        raise ValueError(f"unknown toy dataset {name[:40]!r}; choose one of {', '.join(TOY_DATASETS)} or a drawing")


def sample_toy(
    name: str,
    n: int,
    *,
    generator: torch.Generator | None = None,
    seed: int | None = None,
) -> torch.Tensor:
    """Draw ``n`` points, shape ``(n, 2)`` float32, from a 2-D toy distribution.

    Scales follow FFJORD (Grathwohl et al. 2019) and torchcfm, so that every
    distribution lies roughly in ``[-4, 4]^2`` with a per-coordinate standard
    deviation between about 1 and 2.3, comparable to the ``N(0, I)`` source:

    * ``gaussian``: the standard normal ``N(0, I)``, the usual noise end.
    * ``8gaussians``: 8 equally likely blobs (std 0.35) on a circle of radius 2.83.
    * ``moons``: sklearn's two interleaving half circles (noise 0.1), scaled
      by 2 and shifted by ``(-1, -0.5)`` so that the mean is 0.
    * ``checkerboard``: uniform on the 8 dark squares of a 4x4 board on ``[-4, 4]^2``
      (squares of side 2; the bottom-left one is dark).
    * ``spiral``: two interleaved arms, ``±(-t cos t, t sin t) / 3`` with
      ``t = 3 pi sqrt(u)``, plus noise 0.1.
    * ``swissroll``: sklearn's swiss roll seen from above,
      ``(t cos t, t sin t) / 5`` with ``t`` uniform in ``[1.5 pi, 4.5 pi]``, plus noise 0.2.
    * ``drawn:CODE``: a student's drawing (:mod:`core.data.drawn`), a drawn point chosen uniformly plus noise 0.1.

    Randomness: pass a ``generator`` or a ``seed`` (same seed, same points);
    with neither, torch's global generator is used.
    """
    check_toy(name)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if generator is not None and seed is not None:
        raise ValueError("pass a generator or a seed, not both")
    if seed is not None:
        generator = torch.Generator().manual_seed(seed)

    g = generator
    if drawn.is_drawn(name):
        return drawn.sample_drawn(name, n, g)

    def uniform(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=g)

    def normal(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g)

    def polar(r: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
        return torch.stack([r * torch.cos(angle), r * torch.sin(angle)], dim=1)  # (n, 2)

    if name == "gaussian":
        return normal(n, 2)
    if name == "8gaussians":
        blob = torch.randint(0, 8, (n,), generator=g)
        centres = polar(torch.full((n,), 4 / math.sqrt(2)), blob * (math.pi / 4))
        return centres + 0.5 / math.sqrt(2) * normal(n, 2)
    if name == "moons":
        upper = torch.randint(0, 2, (n, 1), generator=g).bool()
        t = math.pi * uniform(n)
        outer = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
        inner = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
        points = torch.where(upper, outer, inner) + 0.1 * normal(n, 2)
        return 2 * points + torch.tensor([-1.0, -0.5])
    if name == "checkerboard":
        x = 4 * uniform(n) - 2  # column in [-2, 2)
        y = uniform(n) - 2 * torch.randint(0, 2, (n,), generator=g)  # [0, 1) or [-2, -1)
        y = y + torch.floor(x) % 2  # shift every other column by one square
        return 2 * torch.stack([x, y], dim=1)
    if name == "spiral":
        t = 3 * math.pi * torch.sqrt(uniform(n))  # sqrt: uniform density along the arm
        arm = 2 * torch.randint(0, 2, (n, 1), generator=g) - 1  # +1 or -1
        return arm * polar(t, math.pi - t) / 3 + 0.1 * normal(n, 2)  # (-t cos t, t sin t)
    t = 1.5 * math.pi * (1 + 2 * uniform(n))  # swissroll
    return polar(t, t) / 5 + 0.2 * normal(n, 2)


def _orthonormal_columns(dim: int, seed: int) -> torch.Tensor:
    """A fixed ``(dim, 2)`` matrix ``P`` with ``P^T P = I``: Q of the QR of a Gaussian matrix."""
    if dim < 2:
        raise ValueError(f"dim must be at least 2, got {dim}")
    gaussian = torch.randn(dim, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    q, r = torch.linalg.qr(gaussian)  # q: (dim, 2)
    return q * torch.sign(torch.diagonal(r))  # fix the signs: the same P on every platform


def embed_toy(x2d: torch.Tensor, dim: int, *, seed: int) -> torch.Tensor:
    """Embed 2-D points in ``dim`` dimensions: ``x_D = x_2 P^T``, shape ``(n, 2) -> (n, dim)``.

    ``P`` (``dim x 2``, orthonormal columns, fixed by ``seed``) spans a random
    plane, so the data lie on a 2-D subspace of a high-dimensional space: the
    setting of "Back to Basics" (Li & He, 2025), where predicting the clean
    ``x`` keeps working as ``dim`` grows while predicting the noise ``eps``
    does not. Undo with :func:`project_toy`.
    """
    p = _orthonormal_columns(dim, seed).to(x2d.dtype)
    return x2d @ p.T


def project_toy(xD: torch.Tensor, dim: int, *, seed: int) -> torch.Tensor:
    """Back to the plane of :func:`embed_toy`: ``x_2 = x_D P``, shape ``(n, dim) -> (n, 2)``.

    Exact inverse on embedded points (``P^T P = I``); for any other point it is
    the orthogonal projection onto the plane, in the plane's coordinates.
    """
    if xD.shape[-1] != dim:
        raise ValueError(f"expected points of dimension {dim}, got shape {tuple(xD.shape)}")
    p = _orthonormal_columns(dim, seed).to(xD.dtype)
    return xD @ p


def toy_batches(name: str, batch_size: int, *, generator: torch.Generator) -> Iterator[tuple[torch.Tensor, None]]:
    """Endless mini-batches ``(x, None)`` of ``batch_size`` fresh points of toy distribution ``name``."""
    while True:
        yield sample_toy(name, batch_size, generator=generator), None
