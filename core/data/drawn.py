"""A student's own 2-D data: points drawn on a canvas, written as a short code, sampled like a toy distribution.

A drawing is two sets of points (either may be empty) in the toy box ``[-EXTENT, EXTENT]^2`` (the canvas shows that box). Each
point is stored on a 63 x 63 grid of the box (the centre on it), one URL-safe base-64 character per coordinate, so a set of ``m`` points
is a code of ``2 m`` characters and two sets are joined by a dot::

    code = "set_1" or "set_1.set_2" ("." when nothing is drawn)        x_index, y_index = 0..62,   x = -EXTENT + x_index * 2 EXTENT / 62

The code is what a shared link carries (``?draw=...``). A drawn data set is named ``drawn:CODE`` (its first set) or
``drawn2:CODE`` (its second), and :func:`core.data.sample_toy` samples it: a drawn point chosen uniformly, plus a
little Gaussian noise (:data:`JITTER`), so that a stroke becomes a thin band of density, as the moons are.
"""

from __future__ import annotations

import math
import re

import torch

__all__ = ["EXAMPLE", "GRID", "JITTER", "MAX_POINTS", "STEP", "decode", "drawn_name", "drawn_points", "encode", "is_drawn"]

EXTENT = 4.0  # the toy box (core.data.toy.EXTENT: imported there from here would be circular)
GRID = 63
"""Positions per axis (odd: the centre is one): a step of ``2 EXTENT / 62`` (about 0.13), near the jitter."""
MAX_POINTS = 400
"""At most this many points in one set (800 characters in the address)."""
JITTER = 0.1
"""The standard deviation of the noise added to a drawn point when it is sampled."""
SETS = ("drawn", "drawn2")
"""The names of a drawing's sets, as data sets: ``drawn:CODE`` is the first set of the drawing ``CODE``."""

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_SET = re.compile(f"(?:[A-Za-z0-9_-]{{2}}){{1,{MAX_POINTS}}}")
_VALID = set(_ALPHABET[:GRID])


STEP = 2 * EXTENT / (GRID - 1)
"""The grid's step (about 0.13): a stroke drawn with a dot every ``STEP`` stays an unbroken line on the grid."""


def _step() -> float:
    return STEP


def encode(sets: list[torch.Tensor]) -> str:
    """The code of one or two sets of points, each ``(m, 2)`` with ``0 <= m <= MAX_POINTS`` (clipped to the box,
    rounded to the grid). An empty set is an empty part (``"."``: nothing drawn yet); an empty second set is left out."""
    if not 1 <= len(sets) <= 2:
        raise ValueError(f"a drawing has one or two sets, got {len(sets)}")
    parts = []
    for points in sets:
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"a set of points has shape (m, 2), got {tuple(points.shape)}")
        if len(points) > MAX_POINTS:
            raise ValueError(f"a set holds at most {MAX_POINTS} points, got {len(points)}")
        index = torch.round((points.double().clamp(-EXTENT, EXTENT) + EXTENT) / _step()).long()  # (m, 2) in 0..62
        parts.append("".join(_ALPHABET[i] for i in index.reshape(-1).tolist()))
    if len(parts) == 2 and not parts[1]:
        parts.pop()
    return ".".join(parts) if any(parts) else "."


def decode(code: str) -> list[torch.Tensor]:
    """The two sets of a code, each ``(m, 2)`` float32 in the box (``m = 0``: an empty set, or no second set). Raises
    ``ValueError`` on anything that is not a code (a character outside the alphabet, an odd length, too many points,
    more than two sets)."""
    if not isinstance(code, str):
        raise ValueError(f"a drawing's code is text, got {type(code).__name__}")
    parts = code.split(".")
    if not 1 <= len(parts) <= 2 or not all(p == "" or (_SET.fullmatch(p) and set(p) <= _VALID) for p in parts) \
            or code == "":
        raise ValueError("not a drawing's code: one or two sets of up to "
                         f"{MAX_POINTS} points, two characters of A-Z a-z 0-9 - each, joined by a dot")
    sets = []
    for part in (*parts, "")[:2]:
        index = torch.tensor([_INDEX[c] for c in part], dtype=torch.float64).reshape(-1, 2)
        sets.append((index * _step() - EXTENT).float())
    return sets


def drawn_name(code: str, which: int = 0) -> str:
    """The data-set name of set ``which`` (0 or 1) of the drawing ``code``: ``drawn:CODE`` or ``drawn2:CODE``."""
    return f"{SETS[which]}:{code}"


def is_drawn(name: str) -> bool:
    """Whether ``name`` names a set of a drawing (a valid one or not: :func:`drawn_points` checks)."""
    return name.partition(":")[0] in SETS and ":" in name


def drawn_points(name: str) -> torch.Tensor:
    """The drawn points, ``(m, 2)`` with ``m >= 1``, of the data set ``name`` (``drawn:CODE`` or ``drawn2:CODE``).
    Raises ``ValueError`` if the code is not one, or that set is empty (nothing to sample)."""
    kind, _, code = name.partition(":")
    if kind not in SETS:
        raise ValueError(f"not a drawn data set: {name[:40]!r}")
    points = decode(code)[SETS.index(kind)]
    if len(points) == 0:
        raise ValueError(f"the drawing's {'first' if kind == SETS[0] else 'second'} set is empty")
    return points


def sample_drawn(name: str, n: int, generator: torch.Generator | None) -> torch.Tensor:
    """``n`` points, ``(n, 2)``: drawn points chosen uniformly (with replacement), each plus ``N(0, JITTER^2 I)``."""
    anchors = drawn_points(name)
    pick = torch.randint(0, len(anchors), (n,), generator=generator)
    return anchors[pick] + JITTER * torch.randn(n, 2, generator=generator)


def _example() -> str:
    """The drawing a canvas starts with: a smiling face (set 1) and a heart (set 2), both in the box."""
    turn = torch.linspace(0, 2 * math.pi, 61)[:-1]
    face = torch.stack([3 * torch.cos(turn), 3 * torch.sin(turn)], 1)  # a circle of radius 3
    eyes = torch.tensor([[-1.1, 1.0], [-1.1, 1.3], [1.1, 1.0], [1.1, 1.3]])
    arc = torch.linspace(math.radians(205), math.radians(335), 17)
    smile = torch.stack([1.8 * torch.cos(arc), 1.8 * torch.sin(arc) + 0.2], 1)
    t = torch.linspace(0, 2 * math.pi, 51)[:-1]  # the heart curve of Taubin's (x = 16 sin^3 t, ...), scaled
    heart = 0.19 * torch.stack([16 * torch.sin(t) ** 3,
                                13 * torch.cos(t) - 5 * torch.cos(2 * t) - 2 * torch.cos(3 * t) - torch.cos(4 * t)], 1)
    return encode([torch.cat([face, eyes, smile]), heart + torch.tensor([0.0, 0.6])])


EXAMPLE = _example()
"""The code of the drawing a canvas starts with (:func:`_example`)."""
