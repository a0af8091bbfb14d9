"""Toy diffusion: the live trainer lowers the loss, sampling has the right shapes, seeds reproduce."""

import math

import pytest
import torch

from core.diffusion import make_schedule
from core.evaluation import loss_by_t
from core.live.toy_diffusion import (
    TOY_BOX,
    ToyConfig,
    new_toy_model,
    sample_toy_model,
    train_toy,
)
from core.nets import MLP, MLPConfig
from core.training import diffusion_objective

SMALL = dict(hidden=32, depth=2, batch_size=64)


def test_a_short_training_lowers_the_loss():
    model = train_toy(ToyConfig(dataset="8gaussians", steps=300, **SMALL))
    assert model.steps_done == 300
    first, last = sum(model.losses[:30]) / 30, sum(model.losses[-30:]) / 30
    assert last < 0.9 * first
    assert not model.net.training


def test_same_seed_same_run_and_another_seed_another_run():
    a = train_toy(ToyConfig(steps=20, seed=3, **SMALL))
    b = train_toy(ToyConfig(steps=20, seed=3, **SMALL))
    c = train_toy(ToyConfig(steps=20, seed=4, **SMALL))
    assert a.losses == b.losses
    assert a.losses != c.losses
    for p, q in zip(a.net.parameters(), b.net.parameters()):
        assert torch.equal(p, q)


def test_initial_weights_do_not_touch_the_global_generator():
    torch.manual_seed(0)
    before = torch.rand(3)
    torch.manual_seed(0)
    new_toy_model(ToyConfig(**SMALL))
    assert torch.equal(torch.rand(3), before)


def test_on_step_can_stop_early_and_snapshots_are_taken():
    seen, snaps = [], []
    model = train_toy(ToyConfig(steps=100, **SMALL), on_step=lambda info: seen.append(info.step) or info.step >= 25,
                      on_snapshot=lambda m: snaps.append(m.steps_done), snapshot_every=10)
    assert seen == list(range(1, 26)) and model.steps_done == 25
    assert snaps == [10, 20, 25]  # every 10 steps, and once at the end


def test_the_toy_objective_is_the_noise_regression():
    # With I_0 = 0, I_t = sqrt(1 - abar_t) eps: the oracle x / sqrt(1 - abar_t) scores 0, predicting 0 scores E eps^2 = 1.
    sch = make_schedule("cosine", 1000)

    def oracle(x, t_float):
        ab = sch.alpha_bars[(t_float * sch.T).round().long()].float()[:, None]
        return x / (1 - ab).sqrt()

    x0 = torch.zeros(4096, 2)
    eps_loss = diffusion_objective(sch, "eps")
    assert eps_loss(oracle, (x0, None), torch.Generator().manual_seed(0)) < 1e-10
    zero = eps_loss(lambda x, t: torch.zeros_like(x), (x0, None), torch.Generator().manual_seed(0))
    assert abs(float(zero) - 1.0) < 0.05


def test_sampling_shapes_and_reproducibility():
    model = train_toy(ToyConfig(steps=10, **SMALL))
    tr = sample_toy_model(model, 50, steps=10, seed=1)
    assert tr.states.shape == (11, 50, 2) and tr.x0_hats.shape == (10, 50, 2)
    assert tr.times[0] == 1000 and tr.times[-1] == 0 and len(tr.times) == 11
    assert len(tr.sigmas) == 10 and tr.sigmas[-1] == 0.0
    assert tr.x0_hats.abs().max() <= TOY_BOX
    assert torch.equal(tr.samples, tr.states[-1])
    again = sample_toy_model(model, 50, steps=10, seed=1)
    other = sample_toy_model(model, 50, steps=10, seed=2)
    assert torch.equal(tr.states, again.states)
    assert not torch.equal(tr.states, other.states)


def test_loss_by_t_of_the_exact_noise_oracle_is_zero_and_of_zero_is_one():
    sch = make_schedule("cosine", 100)
    x0 = torch.zeros(32, 2)  # with I_0 = 0, I_t / sqrt(1 - abar_t) is exactly eps

    class Oracle(torch.nn.Module):
        def forward(self, x, t):
            ab = sch.alpha_bars[(t * sch.T).round().long()].float()[:, None]
            return x / (1 - ab).sqrt()

    res = loss_by_t(Oracle(), x0, sch, [1, 50, 100])
    assert res.ts == [1, 50, 100]
    assert max(res.eps_mse) < 1e-10 and max(res.x0_mse) < 1e-8
    zero = loss_by_t(lambda x, t: torch.zeros_like(x), x0, sch, [10, 90], seed=1)
    assert all(abs(m - 1) < 0.5 for m in zero.eps_mse)  # E||eps||^2 per coordinate = 1 (64 draws)
    ab = sch.alpha_bars
    for t, m, x in zip(zero.ts, zero.eps_mse, zero.x0_mse):
        assert x == pytest.approx(m * float((1 - ab[t]) / ab[t]))


def test_loss_by_t_passes_labels_and_checks_t():
    sch = make_schedule("cosine", 10)
    got = []

    def net(x, t, y):
        got.append(y.clone())
        return torch.zeros_like(x)

    loss_by_t(net, torch.zeros(5, 2), sch, [3], labels=torch.arange(5), batch_size=2)
    assert torch.equal(torch.cat(got), torch.arange(5))
    with pytest.raises(ValueError):
        loss_by_t(net, torch.zeros(5, 2), sch, [0])


def test_bad_configs_are_refused():
    with pytest.raises(ValueError):
        ToyConfig(dataset="mnist")
    with pytest.raises(ValueError):
        ToyConfig(steps=0)


def test_the_mlp_is_the_shared_one():
    assert isinstance(new_toy_model(ToyConfig(**SMALL)).net, MLP)
    assert MLPConfig(dim=2, hidden=32, depth=2) == new_toy_model(ToyConfig(**SMALL)).net.cfg
    assert math.isfinite(train_toy(ToyConfig(steps=1, **SMALL)).losses[0])


def test_the_lessons_formula_is_the_objective_that_runs():
    """lessons/training.md: L = 1/(B D) sum_b ||eps_hat(I_t^b, t_b / T) - eps^b||^2, on the objective's own draws."""
    from core.diffusion import q_sample
    from core.live.toy_diffusion import new_toy_model

    model = new_toy_model(ToyConfig(**SMALL))
    sch, x0 = model.schedule, torch.randn(64, 2, generator=torch.Generator().manual_seed(1))
    code = diffusion_objective(sch, "eps")(model.net, (x0, None), torch.Generator().manual_seed(7))
    g = torch.Generator().manual_seed(7)  # the same draws, in the objective's order: t, then eps
    t = torch.randint(1, sch.T + 1, (64,), generator=g)
    eps = torch.randn(x0.shape, generator=g)
    err = model.net(q_sample(x0, t, sch, eps), t.float() / sch.T) - eps
    B, D = x0.shape
    on_screen = err.pow(2).sum(dim=1).sum() / (B * D)
    assert code.item() == pytest.approx(on_screen.item(), rel=1e-6)
