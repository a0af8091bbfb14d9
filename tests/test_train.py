"""Training: the one loop lowers the loss, resume continues a run exactly, the CLIs write what they say."""

import json
import threading
from dataclasses import replace

import pytest
import torch

from core import paths
from core.data import batch_at, batches_from
from core.io import load, load_checkpoint
from core.sample import main as sample_main
from core.sampling import generate
from core.train import main as train_main
from core.training import StepInfo, new_state, train
from core.training.recipes import (
    RECIPES,
    build_model,
    make_loss,
    num_classes,
    training_data,
)
from core.training.resume import load_resume, save_resume


def _setup(recipe, n=64):
    x, y = training_data(recipe)
    x, y = x[:n], y[:n]
    model = build_model(recipe, tuple(x.shape[1:]), generator=torch.Generator().manual_seed(recipe.seed))
    return new_state(model, recipe.optimisation()), x, y, torch.Generator().manual_seed(recipe.seed)


def _loss(recipe, state):
    return make_loss(recipe, num_classes(state.model))


@pytest.mark.parametrize("name", ["mnist-autoencoder", "tiny-test"])
def test_a_few_steps_on_tiny_data_lower_the_loss(name):
    recipe = replace(RECIPES[name], batch_size=16, warmup=5, lr=2e-3, steps=80)
    state, x, y, g = _setup(recipe)
    train(state, _loss(recipe, state), batches_from(x, y, 16, recipe.seed), recipe.optimisation(), generator=g)
    first, last = sum(state.losses[:10]) / 10, sum(state.losses[-10:]) / 10
    assert last < 0.7 * first


@pytest.mark.parametrize("name", ["mnist-flow-ot", "mnist-ddpm-v", "mnist-vae-2d", "mnist-classifier"])
def test_every_objective_runs_and_stays_finite(name):
    net_config = {**RECIPES[name].net_config, **({"base_channels": 8} if RECIPES[name].net == "unet" else {})}
    recipe = replace(RECIPES[name], net_config=net_config, steps=2)
    state, x, y, g = _setup(recipe, n=32)
    train(state, _loss(recipe, state), batches_from(x, y, 16, 0), recipe.optimisation(), generator=g)
    assert len(state.losses) == 2 and all(map(torch.isfinite, torch.tensor(state.losses)))


def test_resume_after_interruption_continues_exactly(tmp_path):
    recipe = replace(RECIPES["tiny-test"], steps=12)
    opt = recipe.optimisation()

    full, x, y, g = _setup(recipe)
    train(full, _loss(recipe, full), batches_from(x, y, 16, 0), opt, generator=g)

    cut, x, y, g = _setup(recipe)
    train(cut, _loss(recipe, cut), batches_from(x, y, 16, 0), opt, generator=g, on_step=lambda info: info.step == 6)
    assert cut.step == 6
    save_resume(tmp_path / "resume", cut, g, recipe.name, wall=1.0)

    other = build_model(recipe, tuple(x.shape[1:]), generator=torch.Generator().manual_seed(123))  # other weights
    resumed, g2 = new_state(other, opt), torch.Generator()
    assert load_resume(tmp_path / "resume", resumed, g2, recipe.name) == 1.0
    train(resumed, _loss(recipe, resumed), batches_from(x, y, 16, 0, start=6), opt, generator=g2)

    assert resumed.losses == full.losses  # bit for bit
    for a, b in zip(full.ema.state_dict().values(), resumed.ema.state_dict().values()):
        assert torch.equal(a, b)


def test_resume_refuses_another_recipes_state_and_a_model_it_does_not_fit(tmp_path):
    recipe = RECIPES["tiny-test"]
    state, x, y, g = _setup(recipe, n=16)
    save_resume(tmp_path / "resume", state, g, recipe.name, wall=0.0)
    with pytest.raises(ValueError, match="holds a run of 'tiny-test'"):
        load_resume(tmp_path / "resume", state, g, "mnist-ddpm-eps")
    bigger = replace(recipe, net_config={**recipe.net_config, "base_channels": 16})
    other = new_state(build_model(bigger, tuple(x.shape[1:]), generator=torch.Generator()), bigger.optimisation())
    with pytest.raises(ValueError, match="does not fit"):
        load_resume(tmp_path / "resume", other, g, recipe.name)


def test_the_loop_reports_each_step_and_stops_when_asked():
    recipe = replace(RECIPES["tiny-test"], steps=10, warmup=2)
    state, x, y, g = _setup(recipe, n=32)
    seen: list[StepInfo] = []
    train(state, _loss(recipe, state), batches_from(x, y, 16, 0), recipe.optimisation(), generator=g,
          on_step=lambda info: seen.append(info) or info.step == 3)
    assert [i.step for i in seen] == [1, 2, 3] and all(i.total == 10 for i in seen)
    assert seen[0].lr == pytest.approx(recipe.lr / 2) and seen[1].lr == pytest.approx(recipe.lr)  # linear warm-up
    assert [i.loss for i in seen] == state.losses and not state.model.training


def _live_runs_in_threads(n: int) -> list[dict[str, torch.Tensor]]:
    """``n`` live toy-diffusion runs with the same seed, at the same time, in threads (as on a shared server)."""
    from core.live.toy_diffusion import ToyConfig, train_toy

    out: list = [None] * n

    def run(k: int) -> None:
        out[k] = train_toy(ToyConfig(steps=60, seed=3)).net.state_dict()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_live_runs_leave_the_global_rng_alone_and_concurrent_runs_with_one_seed_agree():
    torch.manual_seed(2024)
    before = torch.get_rng_state()
    a, b = _live_runs_in_threads(2)
    assert torch.equal(torch.get_rng_state(), before)  # no student's run moves the server's random state
    assert all(torch.equal(a[k], b[k]) for k in a)  # same seed, same weights, even side by side


def test_batches_are_a_pure_function_of_the_step():
    assert torch.equal(batch_at(7, 100, 10, 0), batch_at(7, 100, 10, 0))
    epoch = torch.cat([batch_at(s, 100, 10, 0) for s in range(10)])
    assert sorted(epoch.tolist()) == list(range(100))  # one epoch covers every sample once
    with pytest.raises(ValueError, match="larger than the data"):
        batch_at(0, 5, 10, 0)


def test_cli_trains_saves_and_samples(tmp_path, capsys):
    ck, runs = str(tmp_path / "ck"), str(tmp_path / "runs")
    assert train_main(["tiny-test", "--steps", "4", "--every", "2", "--out", ck, "--runs", runs]) == 0
    side = json.loads((tmp_path / "ck" / "tiny-test.json").read_text())
    assert side["extra"]["steps"] == 4 and side["extra"]["recipe"]["name"] == "tiny-test"
    assert (tmp_path / "runs" / "tiny-test" / "resume.safetensors").exists()
    with pytest.raises(SystemExit):  # an existing checkpoint is never replaced silently
        train_main(["tiny-test", "--steps", "6", "--resume", "--out", ck, "--runs", runs])
    assert "--overwrite" in capsys.readouterr().err
    assert train_main(["tiny-test", "--steps", "6", "--resume", "--overwrite", "--out", ck, "--runs", runs]) == 0
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


def test_cli_keeps_half_precision_snapshots_that_load_back_as_the_weights_of_that_step(tmp_path):
    ck, runs = tmp_path / "ck", tmp_path / "runs"
    assert train_main(["tiny-test", "--steps", "4", "--snapshots", "4,2", "--out", str(ck), "--runs", str(runs)]) == 0
    snaps = runs / "tiny-test" / "snapshots"
    assert sorted(p.name for p in snaps.glob("*.safetensors")) == ["tiny-test-step2.safetensors", "tiny-test-step4.safetensors"]
    final, step4 = load(ck / "tiny-test"), load(snaps / "tiny-test-step4")
    assert step4.meta["steps"] == 4 and load(snaps / "tiny-test-step2").meta["steps"] == 2
    for a, b in zip(final.model.state_dict().values(), step4.model.state_dict().values()):
        assert b.dtype == a.dtype  # stored in float16, loaded in float32
        assert torch.allclose(a, b, rtol=1e-3, atol=1e-4)
    assert (snaps / "tiny-test-step4.safetensors").stat().st_size < 0.6 * (ck / "tiny-test.safetensors").stat().st_size


@pytest.mark.parametrize("argv", [["tiny-test", "--steps", "-1"], ["tiny-test", "--steps", "0"], ["tiny-test", "--threads", "0"],
                                  ["tiny-test", "--every", "0"], ["no-such-recipe"], ["tiny-test", "--snapshots", "0,5"],
                                  ["tiny-test", "--snapshots", "ten"]])
def test_cli_refuses_bad_arguments_before_touching_anything(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        train_main([*argv, "--out", str(tmp_path / "ck"), "--runs", str(tmp_path / "runs")])
    assert info.value.code == 2 and not (tmp_path / "ck").exists()


def test_cli_refuses_an_out_folder_it_cannot_write_before_training(tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(SystemExit) as info:
        train_main(["tiny-test", "--out", str(tmp_path / "file" / "ck"), "--runs", str(tmp_path / "runs")])
    assert info.value.code == 2 and "--out" in capsys.readouterr().err and not (tmp_path / "runs").exists()


def test_latent_flow_trains_in_a_vae_latent_and_decodes_to_images(tmp_path, monkeypatch):
    from core.sampling.latent import _encoded

    ck = tmp_path / "ck"
    monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(ck))
    _encoded.cache_clear()
    train_main(["mnist-vae-spatial", "--steps", "2", "--runs", str(tmp_path / "runs")])
    train_main(["mnist-latent-flow", "--steps", "2", "--runs", str(tmp_path / "runs")])
    ckpt = load(ck / "mnist-latent-flow.safetensors")
    assert ckpt.meta["latent"]["vae"] == "mnist-vae-spatial" and ckpt.meta["latent"]["scale"] > 0
    gen = generate(ckpt, 2, steps=2, label=3, guidance=2.0)
    assert gen.images.shape == (2, 1, 28, 28) and gen.frames.shape == (3, 2, 1, 28, 28)
    assert gen.images.min() >= -1 and gen.images.max() <= 1
    _encoded.cache_clear()


@pytest.mark.parametrize("argv", [["--n", "0"], ["--n", "100000000"], ["--guidance", "nan"], ["--scale", "-2"],
                                  ["--steps", "0"], ["--threads", "0"], ["--out", "grid.txt"], ["--frames", "steps.png"],
                                  ["--out", "/no/such/folder/grid.png"]])
def test_sample_cli_refuses_bad_arguments_with_one_line(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        sample_main(["mnist-ddpm-eps", *argv])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("python -m core.sample: error:") and "Traceback" not in "\n".join(err)
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("name", ["mnist-ddpm-eps", "mnist-flow-random", "mnist-vae-spatial", "mnist-ddpm-v-uncond"])
def test_objectives_draw_from_the_runs_generator_and_compute_where_the_model_lives(name):
    # a GPU run keeps its generator on the CPU and the model and data on the GPU; the "meta" device stands in for the GPU
    # here: mixing a CPU tensor into a meta computation fails the same way (labels dropped on the CPU once did)
    recipe = RECIPES[name]
    model = build_model(recipe, (1, 28, 28)).to("meta")
    x, y = torch.empty(8, 1, 28, 28, device="meta"), torch.zeros(8, dtype=torch.long, device="meta")
    loss = make_loss(recipe, num_classes(model))(model, (x, y), torch.Generator().manual_seed(0))
    assert loss.device.type == "meta" and loss.shape == ()


def test_cli_fits_the_steps_to_a_time_budget_and_records_them(tmp_path):
    ck, runs = tmp_path / "ck", tmp_path / "runs"
    # a budget far too short: the timed warm-up steps (2 for tiny-test), then one more; a generous one: the cap
    assert train_main(["tiny-test", "--minutes", "0.0001", "--steps", "500", "--batch-size", "8",
                       "--out", str(ck), "--runs", str(runs)]) == 0
    extra = json.loads((ck / "tiny-test.json").read_text())["extra"]
    assert extra["steps"] == extra["recipe"]["steps"] == 3 and extra["recipe"]["batch_size"] == 8
    assert train_main(["tiny-test", "--minutes", "60", "--steps", "5", "--overwrite", "--out", str(ck), "--runs",
                       str(tmp_path / "runs2")]) == 0
    assert json.loads((ck / "tiny-test.json").read_text())["extra"]["recipe"]["steps"] == 5
    # resumed after its total was chosen: --minutes would choose again, so it says how to resume instead
    assert train_main(["tiny-test", "--minutes", "60", "--resume", "--overwrite", "--out", str(ck), "--runs",
                       str(tmp_path / "runs2")]) == 2
    with pytest.raises(SystemExit):
        train_main(["tiny-test", "--minutes", "-1"])
    assert train_main(["tiny-test", "--batch-size", "100000", "--out", str(tmp_path / "big")]) == 2  # more than the data
    assert not (tmp_path / "big").exists()
