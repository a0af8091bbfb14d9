import math

import pytest
import torch

from core.solvers import FIXED_STEP, SOLVERS, dopri5, solve, solve_fixed, uniform_times


def field(x, t):
    """dx/dt = cos(t) x, solved by x(t) = x(0) exp(sin t)."""
    return torch.cos(t)[:, None] * x


def exact(x0, t):
    return x0 * math.exp(math.sin(t))


X0 = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)
T1 = 3.0


def error(method, steps):
    sol = solve_fixed(field, X0, uniform_times(steps, 0, T1), method)
    return (sol.final - exact(X0, T1)).abs().max().item(), sol.nfe


@pytest.mark.parametrize("method, order", [("euler", 1), ("heun", 2), ("rk4", 4)])
def test_order_of_convergence(method, order):
    e1, _ = error(method, 40)
    e2, _ = error(method, 80)
    assert math.log2(e1 / e2) == pytest.approx(order, abs=0.25)


@pytest.mark.parametrize("method, per_step", [("euler", 1), ("heun", 2), ("rk4", 4)])
def test_nfe_counts(method, per_step):
    assert error(method, 10)[1] == 10 * per_step


def test_dopri5_meets_its_tolerance_with_fewer_nfe_than_rk4():
    sol = dopri5(field, X0, torch.tensor([0.0, T1], dtype=torch.float64), rtol=1e-9, atol=1e-9)
    err = (sol.final - exact(X0, T1)).abs().max().item()
    assert err < 1e-7
    steps = 1
    while error("rk4", steps)[0] > err:
        steps += 1
    assert sol.nfe < error("rk4", steps)[1]


def test_trajectory_shapes_and_callback():
    seen = []
    sol = solve(field, X0, "heun", steps=5, callback=lambda i, t, x: seen.append((i, t)))
    assert sol.trajectory.shape == (6, 2, 2) and sol.times.shape == (6,)
    assert torch.equal(sol.trajectory[0], X0)
    assert [i for i, _ in seen] == [1, 2, 3, 4, 5] and seen[-1][1] == pytest.approx(1.0)
    sol = solve(field, X0, "dopri5", steps=4)
    assert sol.trajectory.shape == (5, 2, 2)


@pytest.mark.parametrize("method", SOLVERS)
def test_backwards_in_time(method):
    sol = solve(field, exact(X0, 1.0), method, steps=200, t0=1.0, t1=0.0)
    torch.testing.assert_close(sol.final, X0, atol={"euler": 2e-2, "heun": 1e-4}.get(method, 1e-4), rtol=0)


def test_inputs_are_not_modified():
    x = X0.clone()
    for m in FIXED_STEP:
        solve(field, x, m, steps=3)
    assert torch.equal(x, X0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown fixed-step method 'midpoint'"):
        solve_fixed(field, X0, uniform_times(3), "midpoint")
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        uniform_times(0)
    with pytest.raises(ValueError, match="strictly monotone"):
        solve_fixed(field, X0, torch.tensor([0.0, 0.5, 0.2]), "euler")


def test_solver_names_the_function_that_solve_runs():
    from core.solvers import SOLVERS, dopri5, solver

    assert [solver(m) for m in SOLVERS] == [solve_fixed, solve_fixed, solve_fixed, dopri5]
    with pytest.raises(ValueError, match="unknown solver 'midpoint'"):
        solver("midpoint")
