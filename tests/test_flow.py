import math

import pytest
import torch

from core.flow import (
    count_crossings,
    diffusion_to_flow,
    flow_matching_loss,
    flow_to_diffusion,
    ot_permutation,
    pair,
    straight_path,
    straightness,
    total_cost,
)
from core.solvers import solve

M = torch.tensor([2.0, -1.0], dtype=torch.float64)
S = 0.3


def gaussian_velocity(x, t):
    """Exact marginal velocity E[Y - X | I_t = x] for X ~ N(0, I), Y ~ N(M, S^2 I) paired independently."""
    t = t[:, None]
    var = (1 - t) ** 2 + t**2 * S**2
    return M + (t * S**2 - (1 - t)) * (x - t * M) / var


def test_straight_path_endpoints_and_target():
    x, y = torch.randn(5, 3), torch.randn(5, 3)
    p0 = straight_path(x, y, torch.zeros(5))
    p1 = straight_path(x, y, torch.ones(5))
    torch.testing.assert_close(p0.x_t, x)
    torch.testing.assert_close(p1.x_t, y)
    torch.testing.assert_close(p0.target, y - x)
    mid = straight_path(x, y, torch.full((5,), 0.25))
    torch.testing.assert_close(mid.x_t, 0.75 * x + 0.25 * y)


def test_loss_is_zero_for_the_true_velocity_of_one_pair():
    x, y = torch.randn(4, 2), torch.randn(4, 2)
    assert flow_matching_loss(lambda xt, t: y - x, x, y, torch.rand(4)).item() == 0.0
    assert flow_matching_loss(lambda xt, t: torch.zeros_like(xt), x, y, torch.rand(4)).item() == pytest.approx(((y - x) ** 2).mean().item())


@pytest.mark.parametrize("method, steps", [("euler", 400), ("rk4", 20), ("dopri5", 2)])
def test_ode_with_exact_velocity_lands_on_the_target(method, steps):
    x = torch.randn(20000, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    out = solve(gaussian_velocity, x, method, steps=steps).final
    torch.testing.assert_close(out.mean(0), M, atol=0.02, rtol=0)
    torch.testing.assert_close(out.std(0), torch.full((2,), S, dtype=torch.float64), atol=0.01, rtol=0)
    if method != "euler":  # the flow of two isotropic Gaussians is the affine map x -> M + S x
        # dopri5 controls the RMS error over the whole batch, so single points may stray a little more
        torch.testing.assert_close(out, M + S * x, atol=1e-4 if method == "rk4" else 1e-3, rtol=0)


def test_ot_pairing_is_a_permutation_that_never_costs_more():
    g = torch.Generator().manual_seed(1)
    for n in (2, 17, 128):
        x, y = torch.randn(n, 5, generator=g), torch.randn(n, 5, generator=g) + 1
        perm = ot_permutation(x, y)
        assert sorted(perm.tolist()) == list(range(n))
        _, y_ot = pair(x, y, "ot")
        _, y_rand = pair(x, y, "random", generator=g)
        assert total_cost(x, y_ot) <= total_cost(x, y_rand) + 1e-9
        assert total_cost(x, y_ot) <= total_cost(x, y) + 1e-9


def test_ot_recovers_a_shuffled_copy():
    x = torch.randn(200, 784, generator=torch.Generator().manual_seed(2))
    shuffle = torch.randperm(200, generator=torch.Generator().manual_seed(3))
    y = x[shuffle]
    _, y_ot = pair(x, y, "ot")
    assert torch.equal(y_ot, x)


def test_random_pairing_is_seeded():
    x, y = torch.randn(30, 2), torch.randn(30, 2)
    a = pair(x, y, "random", generator=torch.Generator().manual_seed(7))[1]
    b = pair(x, y, "random", generator=torch.Generator().manual_seed(7))[1]
    assert torch.equal(a, b)


def test_count_crossings():
    # an X: two crossing segments; a pair of parallel ones; one segment alone
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0]])
    assert count_crossings(x, torch.tensor([[1.0, 1.0], [1.0, 0.0]])) == 1
    assert count_crossings(x, torch.tensor([[1.0, 0.0], [1.0, 1.0]])) == 0
    assert count_crossings(x[:1], x[:1] + 1) == 0
    # OT pairs cross far less often than random pairs
    g = torch.Generator().manual_seed(4)
    for shift in (0.0, 3.0):
        a, b = torch.randn(100, 2, generator=g), torch.randn(100, 2, generator=g) + shift
        assert count_crossings(*pair(a, b, "ot")) < 0.25 * count_crossings(*pair(a, b, "random", generator=g))


def test_straightness():
    line = torch.linspace(0, 1, 11)[:, None, None] * torch.tensor([[3.0, 4.0]])  # (11, 1, 2)
    assert straightness(line).item() == pytest.approx(1.0)
    angle = torch.tensor([[[0.0, 0.0]], [[1.0, 0.0]], [[1.0, 1.0]]])
    assert straightness(angle).item() == pytest.approx(math.sqrt(2) / 2)


def test_diffusion_and_flow_conventions_meet_at_equal_snr():
    x0, eps = torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    for abar in (0.999, 0.5, 0.01):
        abar = torch.tensor(abar, dtype=torch.float64)
        x_t = abar.sqrt() * x0 + (1 - abar).sqrt() * eps
        x_tau, tau = diffusion_to_flow(x_t, abar)
        torch.testing.assert_close(x_tau, (1 - tau) * eps + tau * x0)
        back, abar_back = flow_to_diffusion(x_tau, tau)
        torch.testing.assert_close(back, x_t)
        torch.testing.assert_close(abar_back, abar)


def test_bad_arguments():
    with pytest.raises(ValueError, match="shapes differ"):
        straight_path(torch.zeros(2, 3), torch.zeros(2, 4), torch.zeros(2))
    with pytest.raises(ValueError, match="t must have shape"):
        straight_path(torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(3))
    with pytest.raises(ValueError, match="unknown pairing 'greedy'"):
        pair(torch.zeros(2, 3), torch.zeros(2, 3), "greedy")
    with pytest.raises(ValueError, match="equal batch sizes"):
        ot_permutation(torch.zeros(2, 3), torch.zeros(3, 3))
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        count_crossings(torch.zeros(2, 3), torch.zeros(2, 3))
