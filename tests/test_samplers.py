import pytest
import torch

from core.diffusion import (
    DiffusionStep,
    make_schedule,
    sample_ddim,
    sample_ddpm,
    timesteps,
    training_target,
)

MU = torch.tensor([1.5, -0.5], dtype=torch.float64)
STD = 0.5


def exact_denoiser(schedule, prediction="eps"):
    """Optimal prediction for data N(MU, STD^2 I): E[eps | I_t] = sqrt(1-abar)(I_t - sqrt(abar) MU) / (abar STD^2 + 1 - abar)."""

    def model(x, t):
        ab = schedule.alpha_bars[t].reshape(-1, 1).to(x.dtype)
        eps = (1 - ab).sqrt() * (x - ab.sqrt() * MU) / (ab * STD**2 + 1 - ab)
        x0 = (x - (1 - ab).sqrt() * eps) / ab.sqrt()
        return training_target(x0, eps, t, schedule, prediction)

    return model


def _noise(n=20000, seed=0):
    return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@pytest.mark.parametrize("name", ["linear", "cosine"])
def test_ddpm_with_exact_denoiser_recovers_the_data(name):
    sch = make_schedule(name, 1000)
    out = sample_ddpm(exact_denoiser(sch), _noise(), sch, clip_x0=None, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(out.mean(0), MU, atol=0.03, rtol=0)
    torch.testing.assert_close(out.std(0), torch.full((2,), STD, dtype=torch.float64), atol=0.03, rtol=0)


def test_strided_ddpm_under_disperses_as_expected():
    """With few steps the posterior variance misses the uncertainty of I_0 given I_t: samples come out too tight."""
    sch = make_schedule("linear", 1000)
    stds = []
    for steps in (50, 100, 1000):
        out = sample_ddpm(exact_denoiser(sch), _noise(), sch, steps=steps, clip_x0=None, generator=torch.Generator().manual_seed(1))
        torch.testing.assert_close(out.mean(0), MU, atol=0.03, rtol=0)
        stds.append(out.std(0).mean().item())
    assert stds[0] < stds[1] < stds[2] and 0.85 * STD < stds[0] < 0.95 * STD


@pytest.mark.parametrize("prediction", ["eps", "x", "v"])
def test_ddim_with_exact_denoiser_recovers_the_data(prediction):
    sch = make_schedule("cosine", 1000)
    out = sample_ddim(exact_denoiser(sch, prediction), _noise(), sch, steps=50, prediction=prediction, clip_x0=None)
    torch.testing.assert_close(out.mean(0), MU, atol=0.03, rtol=0)
    torch.testing.assert_close(out.std(0), torch.full((2,), STD, dtype=torch.float64), atol=0.03, rtol=0)


def test_ddim_eta_one_is_ddpm():
    sch = make_schedule("linear", 1000)
    model = exact_denoiser(sch)
    a = sample_ddpm(model, _noise(50), sch, steps=20, clip_x0=None, generator=torch.Generator().manual_seed(5))
    b = sample_ddim(model, _noise(50), sch, steps=20, eta=1.0, clip_x0=None, generator=torch.Generator().manual_seed(5))
    torch.testing.assert_close(a, b)


def test_callback_sees_every_step_and_same_seed_same_result():
    sch = make_schedule("cosine", 1000)
    seen: list[DiffusionStep] = []
    a = sample_ddpm(exact_denoiser(sch), _noise(8), sch, steps=25, generator=torch.Generator().manual_seed(2), callback=seen.append)
    b = sample_ddpm(exact_denoiser(sch), _noise(8), sch, steps=25, generator=torch.Generator().manual_seed(2))
    assert torch.equal(a, b)
    assert [s.index for s in seen] == list(range(25))
    assert seen[0].t == 1000 and seen[-1].s == 0 and seen[-1].sigma.item() == 0.0
    for prev, nxt in zip(seen, seen[1:]):
        assert torch.equal(prev.x_s, nxt.x_t) and prev.s == nxt.t
    assert torch.equal(seen[-1].x_s, a)


def test_the_one_shot_estimate_at_t_max_is_poor_and_improves():
    """The lecture's point: I_0 estimated in one shot from pure noise is the blurry mean; later estimates are sharp."""
    sch = make_schedule("cosine", 1000)
    seen: list[DiffusionStep] = []
    sample_ddpm(exact_denoiser(sch), _noise(4000), sch, clip_x0=None, generator=torch.Generator().manual_seed(0), callback=seen.append)
    first, last = seen[0].x0.std(0).mean().item(), seen[-1].x0.std(0).mean().item()
    assert first < 0.1 * STD  # collapses towards the mean
    assert last == pytest.approx(STD, abs=0.03)


def test_timesteps_and_bad_arguments():
    sch = make_schedule("linear", 1000)
    assert timesteps(sch, 4) == [1000, 750, 500, 250, 0]
    assert timesteps(sch)[:3] == [1000, 999, 998] and len(timesteps(sch)) == 1001
    with pytest.raises(ValueError, match="steps must be in 1..1000"):
        timesteps(sch, 0)
    with pytest.raises(ValueError, match="unknown prediction"):
        sample_ddim(exact_denoiser(sch), _noise(4), sch, steps=2, prediction="score")


def test_the_noise_a_step_shows_is_recomputed_from_the_clipped_estimate():
    """lessons/reverse.md, column 2: eps_hat = (I_t - sqrt(abar_t) I0_hat) / sqrt(1 - abar_t) once I0_hat is clipped,
    equal to the network's own prediction wherever clipping changed nothing."""
    sch = make_schedule("cosine", 100)
    raws = []

    def model(x, t):
        raws.append(3.0 * torch.sin(x * 7))  # some prediction, large enough that I0_hat gets clipped in places
        return raws[-1]

    steps = []
    x = torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    sample_ddpm(model, x, sch, steps=5, generator=torch.Generator().manual_seed(1), callback=steps.append)
    mixed = 0
    for step, raw in zip(steps, raws):
        ab = sch.alpha_bars[step.t].float()
        torch.testing.assert_close(step.eps, (step.x_t - ab.sqrt() * step.x0) / (1 - ab).sqrt())
        unclipped = step.x0.abs() < 1
        torch.testing.assert_close(step.eps[unclipped], raw[unclipped])
        if unclipped.any() and (~unclipped).any():
            mixed += 1
            assert not torch.allclose(step.eps, raw)  # where I0_hat was clipped, the step's noise is not the net's
    assert mixed >= 1


def test_the_linear_schedule_is_rescaled_and_capped_as_the_lesson_says():
    """lessons/schedules.md: for another T both ends are multiplied by 1000 / T, and beta is capped at 0.999."""
    b = make_schedule("linear", 10).betas
    assert float(b[0]) == pytest.approx(0.01) and float(b[-1]) == pytest.approx(0.999)
    b = make_schedule("linear", 500).betas
    assert float(b[0]) == pytest.approx(2e-4) and float(b[-1]) == pytest.approx(0.04)


@pytest.mark.parametrize("name, method", [("mnist-ddpm-eps", "ddim"), ("mnist-flow-random", "euler"), ("mnist-flow-random", "heun")])
def test_one_nfe_rule_network_passes_per_image_guidance_counting_two(name, method):
    """A generation's NFE counts network passes, for diffusion samplers and ODE solvers alike: classifier-free guidance
    makes two per evaluation (conditional and unconditional), a plain label or none one."""
    from core.io import load
    from core.sampling import generate

    ckpt = load(name)
    per_step = 2 if method == "heun" else 1
    assert generate(ckpt, 1, steps=3, method=method, label=None).nfe == 3 * per_step
    assert generate(ckpt, 1, steps=3, method=method, label=4).nfe == 3 * per_step
    assert generate(ckpt, 1, steps=3, method=method, label=4, guidance=2.0).nfe == 2 * 3 * per_step


def test_a_latent_model_is_decoded_by_the_vae_it_is_given_without_reading_it_again(monkeypatch):
    import importlib

    from core.io import load

    gen = importlib.import_module("core.sampling.generate")  # the module (core.sampling.generate is also its function)

    latent, vae = load("mnist-latent-flow"), load("mnist-vae-spatial")
    expected = gen.generate(latent, 2, steps=2, seed=3, vae=vae).images
    monkeypatch.setattr(gen, "load", lambda name: (_ for _ in ()).throw(AssertionError(f"{name} read from disk again")))
    assert torch.equal(gen.generate(latent, 2, steps=2, seed=3, vae=vae).images, expected)
