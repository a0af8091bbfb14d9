"""Prediction targets: the flow conversions against closed forms, the toy of "Back to Basics", the errors by t."""

import pytest
import torch

from core.data import embed_toy, sample_toy
from core.diffusion import make_schedule, velocity
from core.evaluation import loss_by_t
from core.flow import GAP, straight_path, velocity_from
from core.live.targets import EMBED_SEED, TargetToyConfig, load_grid, sample_target_toy, save_grid, train_target_toy
from core.training import flow_objective


def test_each_flow_target_converts_to_the_true_velocity():
    g = torch.Generator().manual_seed(0)
    x, y, t = torch.randn(64, 5, generator=g), torch.randn(64, 5, generator=g), torch.rand(64, generator=g) * 0.9 + 0.05
    p = straight_path(x, y, t)  # I_t = (1 - t) X + t Y, v = Y - X
    torch.testing.assert_close(velocity_from(y, p.x_t, t, "x"), p.target)
    torch.testing.assert_close(velocity_from(x, p.x_t, t, "eps"), p.target)
    assert torch.equal(velocity_from(p.target, p.x_t, t, "v"), p.target)
    with pytest.raises(ValueError, match="unknown flow prediction"):
        velocity_from(y, p.x_t, t, "x0")


def test_the_conversions_never_divide_by_less_than_the_gap():
    z, out = torch.ones(2, 3), torch.zeros(2, 3)
    ends = torch.tensor([0.0, 1.0])
    assert velocity_from(out, z, ends, "eps").abs().max() == pytest.approx(1 / GAP)
    assert velocity_from(out, z, ends, "x").abs().max() == pytest.approx(1 / GAP)


@pytest.mark.parametrize("prediction", ["x", "eps", "v"])
def test_the_v_loss_of_an_exact_network_is_zero_where_nothing_is_clamped(prediction):
    """flow_objective(prediction=...) converts the output to v_hat before the loss (the v-loss of Li and He)."""
    y1 = torch.randn(256, 4, generator=torch.Generator().manual_seed(1))
    draws = torch.Generator().manual_seed(2)
    x0 = torch.randn(y1.shape, generator=draws)  # the objective's draws, in its order: the noise, then t
    t = torch.rand(256, generator=draws)
    truth = {"x": y1, "eps": x0, "v": y1 - x0}[prediction]
    loss = flow_objective("random", prediction=prediction)(lambda z, tt: truth, (y1, None), torch.Generator().manual_seed(2))
    p = straight_path(x0, y1, t)
    per_row = (velocity_from(truth, p.x_t, t, prediction) - p.target).pow(2).mean(1)
    assert float(loss) == pytest.approx(float(per_row.mean()), rel=1e-5)
    free = (t >= GAP) & (t <= 1 - GAP)  # where no denominator is clamped, the exact target gives the exact v
    assert free.sum() > 200 and float(per_row[free].max()) < 1e-10
    assert (float(loss) > 0) == (prediction != "v")  # clamping near t = 0 or 1 costs the x and eps targets a little


def test_a_short_toy_run_is_reproducible_and_lands_on_the_plane():
    cfg = TargetToyConfig(prediction="x", dim=8, steps=40, hidden=32)
    a, b = train_target_toy(cfg), train_target_toy(cfg)
    assert a.losses == b.losses and len(a.losses) == 40
    s = sample_target_toy(a, 200, steps=5)
    assert s.points.shape == (200, 2) and s.w2 > 0
    assert torch.equal(s.points, sample_target_toy(a, 200, steps=5).points)


def test_the_embedding_keeps_the_data_on_a_plane():
    x = embed_toy(sample_toy("spiral", 100, seed=0), 64, seed=EMBED_SEED)
    assert torch.linalg.matrix_rank(x.double(), rtol=1e-5) == 2


def test_the_grid_round_trips_and_is_refused_for_other_settings(tmp_path):
    run = train_target_toy(TargetToyConfig(dim=2, steps=5, hidden=16))
    s = sample_target_toy(run, 50, steps=2)
    from core.live.targets import GridCell

    grid = {("x", 2): GridCell(run.cfg, s.points, s.w2, run.losses, run.seconds)}
    save_grid(grid, tmp_path / "g")
    back = load_grid(TargetToyConfig(steps=5, hidden=16), tmp_path / "g")
    assert back is not None and torch.equal(back["x", 2].points, s.points) and back["x", 2].w2 == s.w2
    assert load_grid(TargetToyConfig(), tmp_path / "g") is None  # other settings: compute, do not serve
    assert load_grid(TargetToyConfig(), tmp_path / "missing") is None


@pytest.mark.parametrize("prediction", ["eps", "x", "v"])
def test_errors_by_t_of_an_exact_network_are_zero_for_every_target(prediction):
    sch = make_schedule("cosine", 100)
    x0 = torch.randn(16, 3, generator=torch.Generator().manual_seed(0)).clamp(-1, 1)
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(5))  # loss_by_t's own draw for seed 5
    ts = [1, 50, 99]

    class Oracle(torch.nn.Module):
        def forward(self, x_t, t):
            k = int(round(float(t[0]) * sch.T))
            ab = sch.alpha_bars[k].float()
            return {"eps": eps, "x": x0, "v": velocity(x0, eps, ab)}[prediction]

    class PerT(torch.nn.Module):  # loss_by_t calls one t at a time, in batches that cover all the items
        def forward(self, x_t, t):
            return Oracle()(x_t, t)

    res = loss_by_t(PerT(), x0, sch, ts, prediction=prediction, seed=5)
    assert max(res.eps_mse) < 1e-8 and max(res.x0_mse) < 1e-8
