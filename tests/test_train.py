"""Training: the loop lowers the loss, resume continues a run exactly, the CLIs write what they say."""

import json
from dataclasses import replace

import pytest
import torch

from core import train as T
from core.checkpoints import load_checkpoint
from core.generate import generate, load
from core.sample import main as sample_main


def _setup(recipe, n=64):
    torch.manual_seed(recipe.seed)
    x, y = T.training_data(recipe)
    x, y = x[:n], y[:n]
    state = T.new_state(T.build_model(recipe, tuple(x.shape[1:])), recipe)
    return state, x, y, torch.Generator().manual_seed(recipe.seed)


@pytest.mark.parametrize("name", ["mnist-autoencoder", "tiny-test"])
def test_a_few_steps_on_tiny_data_lower_the_loss(name):
    recipe = replace(T.RECIPES[name], batch_size=16, warmup=5, lr=2e-3)
    state, x, y, g = _setup(recipe)
    T.train(state, T.make_loss(recipe), T.batches_from(x, y, 16, recipe.seed), recipe, steps=80, generator=g)
    first, last = sum(state.losses[:10]) / 10, sum(state.losses[-10:]) / 10
    assert last < 0.7 * first


def test_flow_and_vae_and_classifier_losses_run():
    for name in ("mnist-flow-ot", "mnist-vae-2d", "mnist-classifier"):
        recipe = replace(T.RECIPES[name], net_config={**T.RECIPES[name].net_config, **({"base_channels": 8} if T.RECIPES[name].net == "unet" else {})})
        state, x, y, g = _setup(recipe, n=32)
        T.train(state, T.make_loss(recipe), T.batches_from(x, y, 16, 0), recipe, steps=2, generator=g)
        assert len(state.losses) == 2 and all(map(torch.isfinite, torch.tensor(state.losses)))


def test_resume_after_interruption_continues_exactly(tmp_path):
    recipe = T.RECIPES["tiny-test"]
    loss_fn = T.make_loss(recipe)

    full, x, y, g = _setup(recipe)
    T.train(full, loss_fn, T.batches_from(x, y, 16, 0), recipe, steps=12, generator=g)

    cut, x, y, g = _setup(recipe)
    T.train(cut, loss_fn, T.batches_from(x, y, 16, 0), recipe, steps=12, generator=g, on_step=lambda s, _: s.step == 6)
    assert cut.step == 6
    T.save_resume(tmp_path / "resume", cut, g, recipe, wall=1.0)

    torch.manual_seed(123)  # a fresh process would start from other random weights
    resumed = T.new_state(T.build_model(recipe, tuple(x.shape[1:])), recipe)
    g2 = torch.Generator()
    assert T.load_resume(tmp_path / "resume", resumed, g2, recipe) == 1.0
    T.train(resumed, loss_fn, T.batches_from(x, y, 16, 0, start=6), recipe, steps=12, generator=g2)

    assert resumed.losses == pytest.approx(full.losses, rel=1e-5)
    for a, b in zip(full.ema.state_dict().values(), resumed.ema.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_resume_refuses_another_recipes_state(tmp_path):
    recipe = T.RECIPES["tiny-test"]
    state, x, y, g = _setup(recipe, n=16)
    T.save_resume(tmp_path / "resume", state, g, recipe, wall=0.0)
    with pytest.raises(ValueError, match="holds a run of 'tiny-test'"):
        T.load_resume(tmp_path / "resume", state, g, T.RECIPES["mnist-ddpm-eps"])


def test_batches_are_a_pure_function_of_the_step():
    assert torch.equal(T.batch_at(7, 100, 10, 0), T.batch_at(7, 100, 10, 0))
    epoch = torch.cat([T.batch_at(s, 100, 10, 0) for s in range(10)])
    assert sorted(epoch.tolist()) == list(range(100))  # one epoch covers every sample once
    with pytest.raises(ValueError, match="larger than the data"):
        T.batch_at(0, 5, 10, 0)


def test_cli_trains_saves_and_samples(tmp_path, capsys):
    T.main(["tiny-test", "--steps", "4", "--every", "2", "--out", str(tmp_path / "ck"), "--runs", str(tmp_path / "runs")])
    side = json.loads((tmp_path / "ck" / "tiny-test.json").read_text())
    assert side["extra"]["steps"] == 4 and side["extra"]["recipe"]["name"] == "tiny-test"
    assert (tmp_path / "runs" / "tiny-test" / "resume.safetensors").exists()
    T.main(["tiny-test", "--steps", "6", "--resume", "--out", str(tmp_path / "ck"), "--runs", str(tmp_path / "runs")])
    assert json.loads((tmp_path / "ck" / "tiny-test.json").read_text())["extra"]["steps"] == 6

    ckpt = load(tmp_path / "ck" / "tiny-test.safetensors")
    a = generate(ckpt, 3, steps=4, seed=5)
    assert a.images.shape == (3, 1, 28, 28) and a.frames.shape == (5, 3, 1, 28, 28)
    assert torch.equal(a.images, generate(ckpt, 3, steps=4, seed=5).images)

    out = tmp_path / "grid.png"
    assert sample_main([str(tmp_path / "ck" / "tiny-test.safetensors"), "--n", "10", "--steps", "3", "--out", str(out),
                        "--frames", str(tmp_path / "steps.gif"), "--threads", "1"]) == 0
    from PIL import Image

    with Image.open(out) as im:
        assert im.size == (4 * 28, 3 * 28)  # no padding: the grid cuts back into 28x28 cells
    with Image.open(tmp_path / "steps.gif") as gif:
        assert gif.n_frames >= 4
    assert sample_main([str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "no checkpoint" in capsys.readouterr().err
    assert sample_main([str(tmp_path / "ck" / "tiny-test.safetensors"), "--label", "all", "--out", str(out)]) == 2
    assert "not class-conditional" in capsys.readouterr().err
    assert load_checkpoint(tmp_path / "ck" / "tiny-test").kind == "unet"


def test_latent_flow_trains_in_a_vae_latent_and_decodes_to_images(tmp_path, monkeypatch):
    import core.generate
    from core.latent import _encoded

    ck = tmp_path / "ck"
    monkeypatch.setattr(core.generate, "CHECKPOINTS", ck)
    _encoded.cache_clear()
    T.main(["mnist-vae-spatial", "--steps", "2", "--out", str(ck), "--runs", str(tmp_path / "runs")])
    T.main(["mnist-latent-flow", "--steps", "2", "--out", str(ck), "--runs", str(tmp_path / "runs")])
    ckpt = load(ck / "mnist-latent-flow.safetensors")
    assert ckpt.meta["latent"]["vae"] == "mnist-vae-spatial" and ckpt.meta["latent"]["scale"] > 0
    gen = generate(ckpt, 2, steps=2, label=3, guidance=2.0)
    assert gen.images.shape == (2, 1, 28, 28) and gen.frames.shape == (3, 2, 1, 28, 28)
    assert gen.images.min() >= -1 and gen.images.max() <= 1
    _encoded.cache_clear()
