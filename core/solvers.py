"""ODE solvers for ``dx/dt = f(x, t)``: fixed-step Euler, Heun, RK4 and adaptive Dopri5.

Every solver is a pure function ``(field, x, times, ...)`` with ``field(x, t)``
taking ``x`` of shape ``(B, ...)`` and ``t`` of shape ``(B,)``. It returns an
:class:`ODESolution` with the states at ``times`` and the number of function
evaluations (NFE), the cost that matters when ``f`` is a neural network.

Local errors per step of size ``h``: Euler ``O(h^2)`` (global order 1), Heun
``O(h^3)`` (order 2), RK4 ``O(h^5)`` (order 4). Dopri5 (Dormand and Prince, 1980)
picks its own steps so that an embedded error estimate stays under
``atol + rtol |x|``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

Field = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
FIXED_STEP = ("euler", "heun", "rk4")
SOLVERS = FIXED_STEP + ("dopri5",)


@dataclass(frozen=True)
class ODESolution:
    """States along the solve. ``times``: ``(K + 1,)``; ``trajectory``: ``(K + 1, B, ...)``; ``nfe``: evaluations of ``f``."""

    times: torch.Tensor
    trajectory: torch.Tensor
    nfe: int

    @property
    def final(self) -> torch.Tensor:
        """The state at the last time, ``(B, ...)``."""
        return self.trajectory[-1]


def uniform_times(steps: int, t0: float = 0.0, t1: float = 1.0) -> torch.Tensor:
    """``steps + 1`` evenly spaced times from ``t0`` to ``t1`` (float64)."""
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    return torch.linspace(t0, t1, steps + 1, dtype=torch.float64)


class _Counted:
    """Wraps a field to count its evaluations and feed it ``t`` as a ``(B,)`` tensor."""

    def __init__(self, field: Field):
        self.field, self.nfe = field, 0

    def __call__(self, x: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
        self.nfe += 1
        tb = torch.as_tensor(t, dtype=x.dtype, device=x.device).expand(x.shape[0])
        return self.field(x, tb)


def _euler_step(f, x, t, h):
    return x + h * f(x, t)


def _heun_step(f, x, t, h):
    k1 = f(x, t)
    k2 = f(x + h * k1, t + h)
    return x + h / 2 * (k1 + k2)


def _rk4_step(f, x, t, h):
    k1 = f(x, t)
    k2 = f(x + h / 2 * k1, t + h / 2)
    k3 = f(x + h / 2 * k2, t + h / 2)
    k4 = f(x + h * k3, t + h)
    return x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


_STEPS = {"euler": _euler_step, "heun": _heun_step, "rk4": _rk4_step}


def _check(x: torch.Tensor, times: torch.Tensor) -> torch.Tensor:
    times = torch.as_tensor(times, dtype=torch.float64)
    if times.ndim != 1 or len(times) < 2:
        raise ValueError("times must be a 1-D tensor with at least two entries")
    d = times.diff()
    if not (bool((d > 0).all()) or bool((d < 0).all())):
        raise ValueError("times must be strictly monotone")
    if x.ndim < 1:
        raise ValueError("x must have a batch dimension")
    return times


@torch.no_grad()
def solve_fixed(
    field: Field,
    x: torch.Tensor,
    times: torch.Tensor,
    method: str = "euler",
    *,
    callback: Callable[[int, float, torch.Tensor], None] | None = None,
) -> ODESolution:
    """Integrate with one ``method`` step (``euler``, ``heun`` or ``rk4``) between consecutive ``times``.

    ``callback(i, t, x)`` receives each new state. Does not modify ``x``.
    """
    if method not in _STEPS:
        raise ValueError(f"unknown fixed-step method {method!r}; choose one of {', '.join(FIXED_STEP)}")
    times = _check(x, times)
    step, f = _STEPS[method], _Counted(field)
    states = [x]
    for i, (t, t_next) in enumerate(zip(times[:-1].tolist(), times[1:].tolist())):
        x = step(f, x, t, t_next - t)
        states.append(x)
        if callback is not None:
            callback(i + 1, t_next, x)
    return ODESolution(times, torch.stack(states), f.nfe)


def euler(field: Field, x: torch.Tensor, times: torch.Tensor, **kw) -> ODESolution:
    """Euler's method: ``x_{k+1} = x_k + h f(x_k, t_k)`` (order 1, 1 NFE per step)."""
    return solve_fixed(field, x, times, "euler", **kw)


def heun(field: Field, x: torch.Tensor, times: torch.Tensor, **kw) -> ODESolution:
    """Heun's method (explicit trapezoid): an Euler guess, then the average slope (order 2, 2 NFE per step)."""
    return solve_fixed(field, x, times, "heun", **kw)


def rk4(field: Field, x: torch.Tensor, times: torch.Tensor, **kw) -> ODESolution:
    """Classical Runge-Kutta: four slopes weighted 1, 2, 2, 1 (order 4, 4 NFE per step)."""
    return solve_fixed(field, x, times, "rk4", **kw)


@torch.no_grad()
def dopri5(
    field: Field,
    x: torch.Tensor,
    times: torch.Tensor,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-5,
) -> ODESolution:
    """Adaptive Dormand-Prince 5(4) (via ``torchdiffeq``); states reported at ``times`` by dense output."""
    from torchdiffeq import odeint

    times = _check(x, times)
    f = _Counted(field)
    traj = odeint(lambda t, y: f(y, t), x, times.to(x.dtype), method="dopri5", rtol=rtol, atol=atol)
    return ODESolution(times, traj, f.nfe)


def solver(method: str) -> Callable[..., ODESolution]:
    """The function that runs ``method`` (one of ``SOLVERS``): :func:`solve_fixed` (Euler, Heun, RK4) or :func:`dopri5`.
    What :func:`solve` calls, and what a page shows as the code of the solve."""
    if method not in SOLVERS:
        raise ValueError(f"unknown solver {method!r}; choose one of {SOLVERS}")
    return dopri5 if method == "dopri5" else solve_fixed


def solve(field: Field, x: torch.Tensor, method: str, steps: int = 20, *, t0: float = 0.0, t1: float = 1.0, **kw) -> ODESolution:
    """One entry point: ``method`` in ``SOLVERS``; ``steps`` fixed steps (or output points for ``dopri5``)."""
    times = uniform_times(steps, t0, t1)
    run = solver(method)
    return run(field, x, times, **kw) if run is dopri5 else run(field, x, times, method, **kw)
