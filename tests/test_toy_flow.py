"""core.flow's W2 and block OT against closed forms, and core.live.toy_flow's live 2-D training."""

import math

import pytest
import torch

from core.flow import (
    block_ot_permutation,
    block_pair,
    count_crossings,
    ot_permutation,
    total_cost,
    wasserstein2,
)
from core.flow.toy import error_curve, flow_samples, sample_pairs, solve_report, vector_field
from core.live.toy_flow import ToyFlowConfig, train_both, train_toy_flow


def g(seed=0):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- W2


@pytest.mark.parametrize("shift", [(0.0, 0.0), (1.0, 0.0), (3.0, -4.0)])
def test_w2_of_a_translated_set_is_the_length_of_the_shift(shift):
    # a translation is the optimal map for the squared cost, so W2(a, a + s) = |s| exactly
    a = torch.randn(300, 2, generator=g(1), dtype=torch.float64)
    s = torch.tensor(shift, dtype=torch.float64)
    b = (a + s)[torch.randperm(300, generator=g(2))]  # the order of the points does not matter
    assert wasserstein2(a, b) == pytest.approx(math.hypot(*shift), abs=1e-9)


def test_w2_of_two_points_and_symmetry():
    a = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    b = torch.tensor([[1.0, 1.0], [0.0, 1.0]])  # best pairing: straight up, cost 1 each
    assert wasserstein2(a, b) == pytest.approx(1.0)
    x, y = torch.randn(50, 3, generator=g(3)), torch.randn(50, 3, generator=g(4))
    assert wasserstein2(x, y) == pytest.approx(wasserstein2(y, x))
    assert wasserstein2(x, y) <= math.sqrt(total_cost(x, y) / 50) + 1e-12  # the identity pairing is an upper bound


def test_w2_rejects_mismatched_sets():
    with pytest.raises(ValueError):
        wasserstein2(torch.zeros(3, 2), torch.zeros(4, 2))


# ---------------------------------------------------------------- block OT


@pytest.mark.parametrize("n, block", [(256, 64), (200, 64), (10, 4), (7, 16), (32, 1)])
def test_block_ot_is_ot_permutation_on_each_block(n, block):
    x, y = torch.randn(n, 2, generator=g(5)), torch.randn(n, 2, generator=g(6))
    perm = block_ot_permutation(x, y, block)
    assert sorted(perm.tolist()) == list(range(n))
    expected = torch.cat([ot_permutation(x[i : i + block], y[i : i + block]) + i for i in range(0, n, block)])
    assert torch.equal(perm, expected)


def test_block_pair_costs_no_more_than_random_and_whole_batch_ot_costs_least():
    x, y = torch.randn(256, 2, generator=g(7)), torch.randn(256, 2, generator=g(8))
    random = total_cost(*block_pair(x, y, "random", 64, generator=g(9)))
    blocks = total_cost(*block_pair(x, y, "ot", 64))
    whole = total_cost(*block_pair(x, y, "ot", 256))
    assert whole <= blocks < random
    with pytest.raises(ValueError):
        block_pair(x, y, "sinkhorn", 64)


def test_sample_pairs_same_points_fewer_crossings_with_ot():
    r, o = sample_pairs("8gaussians", "moons", 64, "random", seed=3), sample_pairs("8gaussians", "moons", 64, "ot", seed=3)
    assert torch.equal(r.x, o.x)
    assert sorted(map(tuple, r.y.tolist())) == sorted(map(tuple, o.y.tolist()))  # the same targets, re-ordered
    assert o.cost < r.cost
    assert o.crossings < 0.25 * r.crossings
    assert o.crossings == count_crossings(o.x, o.y)


# ---------------------------------------------------------------- training


def test_training_is_reproducible_and_stoppable():
    cfg = ToyFlowConfig(steps=20, batch_size=64, ot_batch=16)
    a, b = train_toy_flow(cfg), train_toy_flow(cfg)
    assert a.losses == b.losses and a.steps_done == 20 and not a.stopped
    seen = []
    c = train_toy_flow(cfg, lambda info: seen.append(info.step) or info.step == 5)
    assert c.stopped and c.steps_done == 5 and seen == [1, 2, 3, 4, 5]


def test_train_both_counts_steps_across_runs_and_stops_early():
    cfg = ToyFlowConfig(steps=10, batch_size=32)
    steps = []
    out = train_both(cfg, lambda info: steps.append(info.step) or False)
    assert list(out) == ["random", "ot"] and steps == list(range(1, 21))
    assert out["random"].config.pairing == "random" and out["ot"].config.pairing == "ot"
    out = train_both(cfg, lambda info: info.step == 4)
    assert list(out) == ["random"] and out["random"].steps_done == 4


def test_config_rejects_bad_values():
    for bad in ({"source": "cats"}, {"pairing": "greedy"}, {"steps": 0}, {"lr": 0.0}):
        with pytest.raises(ValueError):
            ToyFlowConfig(**bad)


def test_default_training_reaches_the_target_and_ot_is_straighter():
    # the page's default settings (noise N(0, I) -> moons): W2 well under 0.6, OT paths nearly straight
    out = train_both(ToyFlowConfig())
    reports = {k: solve_report(r.model, ToyFlowConfig().source, "moons", "rk4", 10, n=1000, seed=1) for k, r in out.items()}
    for k, rep in reports.items():
        assert rep.w2 < 0.6, k
    assert reports["ot"].straightness > 0.97 > reports["random"].straightness
    euler1 = {k: solve_report(r.model, ToyFlowConfig().source, "moons", "euler", 1, n=1000, seed=1).w2 for k, r in out.items()}
    assert euler1["ot"] < 0.6 < euler1["random"]  # one Euler step suffices only on straight paths


# ---------------------------------------------------------------- fields and solvers


def rotation(x, t):
    """A known field: rotation about the origin, dx/dt = (-x2, x1)."""
    return torch.stack([-x[:, 1], x[:, 0]], dim=1)


@pytest.mark.parametrize("method, order, steps", [("euler", 1, (8, 16, 32)), ("heun", 2, (4, 8, 16)), ("rk4", 4, (2, 4, 8))])
def test_error_curve_shows_the_order_of_each_solver(method, order, steps):
    nfe, err = error_curve(rotation, "gaussian", method, steps=steps, n=200)
    assert nfe == [k * {"euler": 1, "heun": 2, "rk4": 4}[method] for k in steps]
    rate = math.log2(err[1] / err[2])
    assert rate == pytest.approx(order, abs=0.3)


def test_dopri5_error_curve_runs_over_tolerances():
    nfe, err = error_curve(rotation, "gaussian", "dopri5", n=100)
    assert len(nfe) == len(err) == 5
    assert err[-1] < err[0] and nfe[-1] > nfe[0]


def test_solve_report_of_a_constant_field_is_exact_and_straight():
    shift = torch.tensor([1.0, -2.0])
    rep = solve_report(lambda x, t: shift.expand_as(x), "gaussian", "gaussian", "euler", 3, n=200, seed=0)
    assert rep.nfe == 3
    assert rep.straightness == pytest.approx(1.0, abs=1e-6)
    assert rep.ref_error == pytest.approx(0.0, abs=1e-4)
    x0 = flow_samples(lambda x, t: shift.expand_as(x), "gaussian", 200, "euler", 3, seed=0).trajectory[0]
    torch.testing.assert_close(rep.solution.final, x0 + shift)


def test_vector_field_grid():
    f = vector_field(lambda x, t: x * t[:, None], 0.5, lim=2.0, size=5)
    assert f.points.shape == (25, 2) and f.velocity.shape == (25, 2)
    torch.testing.assert_close(f.velocity, 0.5 * f.points)
    assert f.points.min() == -2.0 and f.points.max() == 2.0
    with pytest.raises(ValueError):
        vector_field(lambda x, t: x, 1.5)


def test_one_step_reports_no_straightness():
    """A single Euler step is a straight segment whatever the field: the report says nothing (NaN), not 1.000."""
    import math

    from ui.figures.flow_matching import straightness_text

    curl = lambda x, t: torch.stack([-x[:, 1], x[:, 0]], dim=1)  # a rotation: curved paths
    one = solve_report(curl, "gaussian", "gaussian", "euler", 1, n=100, seed=0)
    many = solve_report(curl, "gaussian", "gaussian", "euler", 8, n=100, seed=0)
    assert math.isnan(one.straightness) and many.straightness < 0.99
    assert straightness_text(one.straightness) == "— (one step)" and straightness_text(0.98765) == "0.988"
