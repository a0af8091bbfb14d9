"""The 2-pixel view's math against closed forms."""

import math

import pytest
import torch

from core.diffusion import SCHEDULES, make_schedule, q_sample
from core.diffusion.twopixel import (
    correlation,
    frame_steps,
    mass_inside,
    noise_cloud,
    pixel_marginal_density,
    pixel_pair,
    sigma_circle,
)


def test_pixel_pair_reads_the_two_pixels_of_every_image():
    images = torch.arange(2 * 3 * 4 * 5, dtype=torch.float32).reshape(2, 3, 4, 5)
    pts = pixel_pair(images, (1, 2), (3, 4), channel=2)
    assert pts.shape == (2, 2)
    assert pts[0].tolist() == [images[0, 2, 1, 2].item(), images[0, 2, 3, 4].item()]
    assert pts[1].tolist() == [images[1, 2, 1, 2].item(), images[1, 2, 3, 4].item()]


@pytest.mark.parametrize("a, b, channel", [((4, 0), (0, 0), 0), ((0, 0), (0, 5), 0), ((0, 0), (1, 1), 3), ((-1, 0), (0, 0), 0)])
def test_pixel_pair_rejects_pixels_outside_the_image(a, b, channel):
    with pytest.raises(ValueError):
        pixel_pair(torch.zeros(2, 3, 4, 5), a, b, channel)


@pytest.mark.parametrize("T, frames", [(1000, 41), (10, 41), (1, 2), (37, 5)])
def test_frame_steps_run_from_0_to_T_without_repeats(T, frames):
    ts = frame_steps(T, frames)
    assert ts[0] == 0 and ts[-1] == T
    assert bool((ts[1:] > ts[:-1]).all())
    assert len(ts) == min(frames, T + 1)


@pytest.mark.parametrize("name", SCHEDULES)
def test_noise_cloud_is_the_closed_form_with_one_eps(name):
    sch = make_schedule(name, 100)
    g = torch.Generator().manual_seed(0)
    x0, eps = torch.randn(50, 2, generator=g, dtype=torch.float64), torch.randn(50, 2, generator=g, dtype=torch.float64)
    ts = frame_steps(100, 11)
    cloud = noise_cloud(x0, sch, ts, eps)
    assert cloud.points.shape == (11, 50, 2)
    torch.testing.assert_close(cloud.points[0], x0)  # t = 0 is the data
    for k, t in enumerate(ts.tolist()):
        torch.testing.assert_close(cloud.points[k], q_sample(x0, t, sch, eps))
        assert cloud.alpha_bars[k] == sch.alpha_bars[t]


def test_the_cloud_of_one_point_has_mean_sqrt_abar_mu_and_covariance_1_minus_abar():
    sch = make_schedule("cosine", 1000)
    n = 200_000
    mu = torch.tensor([0.8, -0.5], dtype=torch.float64)
    eps = torch.randn(n, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    cloud = noise_cloud(mu.expand(n, 2), sch, torch.tensor([500]), eps)
    ab = float(sch.alpha_bars[500])
    pts = cloud.points[0]
    torch.testing.assert_close(pts.mean(0), math.sqrt(ab) * mu, atol=0.01, rtol=0)
    torch.testing.assert_close(torch.cov(pts.T), (1 - ab) * torch.eye(2, dtype=torch.float64), atol=0.01, rtol=0)


def test_at_t_equal_T_the_cosine_cloud_is_the_noise_itself():
    sch = make_schedule("cosine", 1000)
    x0 = torch.ones(10, 2, dtype=torch.float64)
    eps = torch.randn(10, 2, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    cloud = noise_cloud(x0, sch, torch.tensor([1000]), eps)
    torch.testing.assert_close(cloud.points[0], eps, atol=1e-3, rtol=0)  # abar_T ~ 1e-9 after clipping


@pytest.mark.parametrize("r, mass", [(1, 0.3935), (2, 0.8647), (3, 0.9889)])
def test_sigma_circles_and_the_mass_they_hold(r, mass):
    c = sigma_circle(r, 61)
    torch.testing.assert_close(c.norm(dim=1), torch.full((61,), float(r), dtype=torch.float64))
    torch.testing.assert_close(c[0], c[-1])
    assert mass_inside(r) == pytest.approx(mass, abs=1e-4)
    # Monte Carlo check of the same mass
    z = torch.randn(400_000, 2, generator=torch.Generator().manual_seed(3))
    assert float((z.norm(dim=1) < r).double().mean()) == pytest.approx(mass, abs=0.003)


def test_pixel_density_of_one_pixel_is_the_normal_density():
    grid = torch.linspace(-3, 3, 13, dtype=torch.float64)
    ab, mu = 0.36, torch.tensor([0.5])
    expected = torch.exp(-((grid - 0.6 * 0.5) ** 2) / (2 * 0.64)) / math.sqrt(2 * math.pi * 0.64)
    torch.testing.assert_close(pixel_marginal_density(mu, ab, grid), expected)


@pytest.mark.parametrize("ab", [0.0, 0.2, 0.9, 0.999])
def test_pixel_density_integrates_to_one(ab):
    x0 = torch.rand(3, 8, 8, generator=torch.Generator().manual_seed(4)) * 2 - 1
    grid = torch.linspace(-8, 8, 16001, dtype=torch.float64)
    assert float(torch.trapezoid(pixel_marginal_density(x0, ab, grid), grid)) == pytest.approx(1.0, abs=1e-6)


def test_pixel_density_matches_a_histogram_of_noised_pixels():
    sch = make_schedule("linear", 1000)
    x0 = torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(5)) * 2 - 1
    g = torch.Generator().manual_seed(6)
    draws = torch.cat([q_sample(x0, 300, sch, torch.randn(x0.shape, generator=g)) for _ in range(200)]).reshape(-1)
    edges = torch.linspace(-3, 3, 31)
    hist = torch.histogram(draws.float(), bins=edges).hist / (len(draws) * 0.2)
    centres = (edges[1:] + edges[:-1]) / 2
    density = pixel_marginal_density(x0, float(sch.alpha_bars[300]), centres.double())
    assert float((hist.double() - density).abs().max()) < 0.02


def test_pixel_density_rejects_t_zero():
    with pytest.raises(ValueError):
        pixel_marginal_density(torch.zeros(4), 1.0, torch.zeros(3))


def test_correlation():
    x = torch.linspace(-1, 1, 20)
    assert correlation(torch.stack([x, 2 * x + 1], 1)) == pytest.approx(1.0)
    assert correlation(torch.stack([x, -x], 1)) == pytest.approx(-1.0)
    assert correlation(torch.stack([x, torch.zeros(20)], 1)) == 0.0
