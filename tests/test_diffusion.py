import pytest
import torch

from core.diffusion import (
    PREDICTIONS,
    SCHEDULES,
    convert_prediction,
    make_schedule,
    posterior,
    q_sample,
    q_sample_iterative,
    q_step,
    training_target,
)


@pytest.mark.parametrize("name", SCHEDULES)
def test_iterative_and_closed_form_agree_in_distribution(name):
    sch = make_schedule(name, 200)
    g = torch.Generator().manual_seed(0)
    x0 = torch.tensor([0.8, -0.3, 0.1]).repeat(20000, 1).double()  # (N, 3)
    for t in (1, 17, 60, 200):
        it = q_sample_iterative(x0, t, sch, generator=g)
        cf = q_sample(x0, t, sch, torch.randn(x0.shape, generator=g, dtype=x0.dtype))
        ab = sch.alpha_bars[t]
        # both have mean sqrt(abar) x0 and variance 1 - abar
        torch.testing.assert_close(it.mean(0), cf.mean(0), atol=0.03, rtol=0)
        torch.testing.assert_close(it.mean(0), ab.sqrt() * x0[0], atol=0.03, rtol=0)
        assert it.var(0).mean().item() == pytest.approx((1 - ab).item(), abs=0.03)
        assert cf.var(0).mean().item() == pytest.approx((1 - ab).item(), abs=0.03)


def test_q_step_is_one_step_of_closed_form():
    sch = make_schedule("linear", 1000)
    x0 = torch.randn(4, 5, dtype=torch.float64)
    eps = torch.randn(4, 5, dtype=torch.float64)
    torch.testing.assert_close(q_step(x0, 0, sch, eps), q_sample(x0, 1, sch, eps))
    torch.testing.assert_close(q_sample(x0, 0, sch, eps), x0)


def test_iterative_returns_the_whole_path():
    sch = make_schedule("cosine", 10)
    x0 = torch.zeros(3, 2)
    path = q_sample_iterative(x0, 5, sch, generator=torch.Generator().manual_seed(1), return_all=True)
    assert path.shape == (6, 3, 2) and torch.equal(path[0], x0)


def test_per_sample_time_steps():
    sch = make_schedule("cosine", 1000)
    x0, eps = torch.ones(3, 1, 2, 2), torch.zeros(3, 1, 2, 2)
    t = torch.tensor([0, 500, 1000])
    out = q_sample(x0, t, sch, eps)
    want = sch.alpha_bars[t].sqrt().float()
    torch.testing.assert_close(out[:, 0, 0, 0], want)


@pytest.mark.parametrize("kind", PREDICTIONS)
@pytest.mark.parametrize("name", SCHEDULES)
def test_predictions_round_trip_in_float64(kind, name):
    sch = make_schedule(name, 1000)
    g = torch.Generator().manual_seed(3)
    x0 = torch.randn(6, 1, 4, 4, generator=g, dtype=torch.float64)
    eps = torch.randn(6, 1, 4, 4, generator=g, dtype=torch.float64)
    t = torch.tensor([1, 10, 250, 500, 750, 999])
    x_t = q_sample(x0, t, sch, eps)
    pred = convert_prediction(training_target(x0, eps, t, sch, kind), x_t, t, sch, kind)
    torch.testing.assert_close(pred.x0, x0, rtol=1e-8, atol=1e-8)
    torch.testing.assert_close(pred.eps, eps, rtol=1e-8, atol=1e-8)
    torch.testing.assert_close(pred.v, training_target(x0, eps, t, sch, "v"), rtol=1e-8, atol=1e-8)


def test_posterior_matches_the_lecture_formula_at_s_equals_t_minus_1():
    sch = make_schedule("linear", 1000)
    a, ab = sch.alphas, sch.alpha_bars
    x0, x_t = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 3, dtype=torch.float64)
    t = 400
    post = posterior(x0, x_t, t, sch)
    beta = 1 - a[t - 1]  # the step t-1 -> t
    mean = (ab[t - 1].sqrt() * beta / (1 - ab[t])) * x0 + (a[t - 1].sqrt() * (1 - ab[t - 1]) / (1 - ab[t])) * x_t
    var = (1 - ab[t - 1]) / (1 - ab[t]) * beta
    torch.testing.assert_close(post.mean, mean)
    assert post.sigma.item() == pytest.approx(var.sqrt().item(), rel=1e-12)


def test_posterior_is_bayes_rule_for_gaussians():
    """Empirical check: among pairs (I_s, I_t) from one I_0, I_s given I_t has the posterior's mean and variance."""
    sch = make_schedule("cosine", 100)
    g = torch.Generator().manual_seed(0)
    n, s, t = 400000, 30, 60
    x0 = torch.full((n, 1), 0.7, dtype=torch.float64)
    x_s = q_sample(x0, s, sch, torch.randn(n, 1, generator=g, dtype=torch.float64))
    a_ts = sch.alpha_bars[t] / sch.alpha_bars[s]
    x_t = a_ts.sqrt() * x_s + (1 - a_ts).sqrt() * torch.randn(n, 1, generator=g, dtype=torch.float64)
    post = posterior(x0, x_t, t, sch, s)
    resid = x_s - post.mean
    assert resid.mean().item() == pytest.approx(0.0, abs=3e-3)
    assert resid.std().item() == pytest.approx(post.sigma.item(), rel=0.01)
    assert abs(torch.corrcoef(torch.cat([resid, x_t], 1).T)[0, 1].item()) < 0.01


def test_posterior_at_zero_returns_the_estimate():
    sch = make_schedule("cosine", 50)
    x0, x1 = torch.randn(3, 2, dtype=torch.float64), torch.randn(3, 2, dtype=torch.float64)
    post = posterior(x0, x1, 1, sch)
    torch.testing.assert_close(post.mean, x0)
    assert post.sigma.item() == 0.0


def test_bad_arguments_raise_clear_errors():
    sch = make_schedule("linear", 100)
    x = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="shapes must match"):
        q_sample(x, 5, sch, torch.zeros(2, 4))
    with pytest.raises(ValueError, match="out of range"):
        q_sample(x, 101, sch, x)
    with pytest.raises(ValueError, match="time steps for a batch"):
        q_sample(x, torch.tensor([1, 2, 3]), sch, x)
    with pytest.raises(ValueError, match="unknown prediction 'score'"):
        convert_prediction(x, x, 5, sch, "score")
    with pytest.raises(ValueError, match="0 <= s < t"):
        posterior(x, x, 5, sch, 7)


@pytest.mark.parametrize("name", SCHEDULES)
@pytest.mark.parametrize("t, s", [(1, 0), (500, 499), (1000, 980), (700, 300)])
def test_the_posterior_mean_from_the_estimate_is_the_lectures_noise_form_update(name, t, s):
    """The reverse page's bridge: with I_0 estimated from the predicted noise, the DDPM posterior mean (our posterior
    form) is the lecture's update (I_t - (1 - a_{t|s}) / sqrt(1 - abar_t) eps) / sqrt(a_{t|s}), a_{t|s} = abar_t/abar_s."""
    schedule = make_schedule(name, 1000)
    g = torch.Generator().manual_seed(t)
    x_t, eps = torch.randn(4, 3, generator=g, dtype=torch.float64), torch.randn(4, 3, generator=g, dtype=torch.float64)
    ab_t, ab_s = schedule.alpha_bars[t].double(), schedule.alpha_bars[s].double()
    x0 = (x_t - (1 - ab_t).sqrt() * eps) / ab_t.sqrt()
    a_ts = ab_t / ab_s
    lecture = (x_t - (1 - a_ts) / (1 - ab_t).sqrt() * eps) / a_ts.sqrt()
    ours = posterior(x0, x_t, t, schedule, s).mean
    torch.testing.assert_close(ours.double(), lecture, rtol=1e-6, atol=1e-6 * float(1 / a_ts.sqrt()))
