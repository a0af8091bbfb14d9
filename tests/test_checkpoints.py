"""Checkpoints: safetensors + JSON round trips, refusals with readable reasons, atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch

from core.io import (
    CheckpointError,
    atomic,
    checkpoints,
    load_checkpoint,
    load_state,
    read_sidecar,
    save_checkpoint,
    save_state,
)
from core.nets import (
    MLP,
    VAE,
    Classifier,
    ClassifierConfig,
    ConvAutoencoder,
    ConvAutoencoderConfig,
    MLPConfig,
    UNet,
    UNetConfig,
    VAEConfig,
)

SMALL = {
    "unet": UNet(UNetConfig(base_channels=8, num_classes=10, dropout=0.1)),
    "autoencoder": ConvAutoencoder(ConvAutoencoderConfig(channels=(4, 8), code_dim=4)),
    "vae": VAE(VAEConfig(channels=(4, 8), latent="spatial")),
    "mlp": MLP(MLPConfig(hidden=32, depth=2)),
    "classifier": Classifier(ClassifierConfig(channels=(4, 8), feature_dim=16)),
}


def _run(kind: str, model: torch.nn.Module) -> torch.Tensor:
    """A deterministic forward pass of ``model``."""
    g = torch.Generator().manual_seed(0)
    t = torch.rand(2, generator=g)
    with torch.no_grad():
        if kind == "mlp":
            return model(torch.randn(2, 2, generator=g), t)
        x = torch.rand(2, 1, 28, 28, generator=g) * 2 - 1
        if kind == "unet":
            return model(x, t, torch.tensor([1, 10]))
        if kind == "vae":
            return model(x, generator=torch.Generator().manual_seed(1)).recon
        return model(x)


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """A small UNet checkpoint; returns its .safetensors path."""
    torch.manual_seed(0)
    return save_checkpoint(tmp_path / "unet-small", SMALL["unet"], kind="unet", extra={"steps": 3})


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("kind", sorted(SMALL))
def test_round_trip_gives_identical_outputs(tmp_path: Path, kind: str) -> None:
    model = SMALL[kind].eval()
    path = save_checkpoint(tmp_path / kind, model, kind=kind, extra={"recipe": "test", "ema": 0.999})
    assert path == tmp_path / f"{kind}.safetensors" and path.with_suffix(".json").is_file()
    ckpt = load_checkpoint(path)
    assert ckpt.kind == kind and ckpt.config == model.cfg and ckpt.model.cfg == model.cfg
    assert ckpt.meta == {"recipe": "test", "ema": 0.999}
    assert not ckpt.model.training
    assert torch.equal(_run(kind, ckpt.model), _run(kind, model))


def test_sidecar_contents_and_path_forms(tmp_path: Path, saved: Path) -> None:
    meta = json.loads(saved.with_suffix(".json").read_text())
    assert meta["format_version"] == checkpoints.FORMAT_VERSION and meta["kind"] == "unet"
    assert meta["config"]["channel_mults"] == [1, 2, 4] and meta["config"]["num_classes"] == 10
    assert meta["extra"] == {"steps": 3}
    assert read_sidecar(saved)["sha256"] == meta["sha256"]
    stem = saved.with_suffix("")
    for form in (stem, saved, saved.with_suffix(".json"), str(stem)):
        assert load_checkpoint(form).sha256 == meta["sha256"]
    # An existing directory: NAME is DIR/KIND.
    assert save_checkpoint(tmp_path, SMALL["mlp"], kind="mlp") == tmp_path / "mlp.safetensors"


def test_load_never_calls_torch_load(monkeypatch: pytest.MonkeyPatch, saved: Path) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("torch.load must never be called")

    monkeypatch.setattr(torch, "load", forbidden)
    load_checkpoint(saved)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("name", ["model.pt", "model.pth", "model.safetensors"])
def test_refuses_pickle_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    torch.save(SMALL["mlp"].state_dict(), path)
    with pytest.raises(CheckpointError, match="looks like a pickle file.*only loads .safetensors"):
        load_checkpoint(path)
    with pytest.raises(CheckpointError, match="looks like a pickle file"):
        load_state(path)


def test_refuses_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.safetensors").write_text("hello, I am not a tensor file")
    with pytest.raises(CheckpointError, match="not a .safetensors file"):
        load_checkpoint(tmp_path / "notes.safetensors")
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "missing")
    with pytest.raises(CheckpointError, match="is a directory"):
        load_checkpoint(tmp_path)


def test_refuses_truncated_weights(saved: Path) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated"):
        load_checkpoint(saved)
    saved.write_bytes(data[:20])  # not even the whole header
    with pytest.raises(CheckpointError, match="truncated"):
        load_checkpoint(saved)


def test_refuses_sha_mismatch(saved: Path) -> None:
    data = bytearray(saved.read_bytes())
    data[-1] ^= 0xFF  # flip bits of the last weight, same size
    saved.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="does not match its JSON sidecar.*sha256"):
        load_checkpoint(saved)


def test_refuses_missing_or_malformed_sidecar(saved: Path) -> None:
    sidecar = saved.with_suffix(".json")
    text = sidecar.read_text()
    sidecar.write_text(text[: len(text) // 2])
    with pytest.raises(CheckpointError, match="malformed JSON sidecar"):
        load_checkpoint(saved)
    meta = json.loads(text)
    del meta["sha256"]
    sidecar.write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="'sha256' missing"):
        load_checkpoint(saved)
    sidecar.unlink()
    with pytest.raises(CheckpointError, match="missing JSON sidecar"):
        load_checkpoint(saved)


def _edit_sidecar(weights: Path, **changes: object) -> None:
    sidecar = weights.with_suffix(".json")
    meta = json.loads(sidecar.read_text())
    for key, value in changes.items():
        if key == "config":
            meta["config"].update(value)  # type: ignore[arg-type]
        else:
            meta[key] = value
    sidecar.write_text(json.dumps(meta))


def test_refuses_weights_that_do_not_fit_the_config(saved: Path) -> None:
    _edit_sidecar(saved, config={"base_channels": 16})
    shape_msg = r"does not fit.*shape mismatches.*conv1\.weight \(8, 8, 3, 3\) vs \(16, 16, 3, 3\)"
    with pytest.raises(CheckpointError, match=shape_msg) as e:
        load_checkpoint(saved)
    assert "more)" in str(e.value)  # a few keys are listed, not hundreds
    _edit_sidecar(saved, config={"base_channels": 8, "num_classes": 0})
    with pytest.raises(CheckpointError, match=r"unexpected keys: class_emb\.weight"):
        load_checkpoint(saved)
    _edit_sidecar(saved, config={"num_classes": 10, "bogus": 1})
    with pytest.raises(CheckpointError, match="cannot build 'unet'.*bogus"):
        load_checkpoint(saved)


def test_unknown_kind(tmp_path: Path, saved: Path) -> None:
    with pytest.raises(ValueError, match="unknown network kind 'gan'"):
        save_checkpoint(tmp_path / "x", SMALL["mlp"], kind="gan")
    with pytest.raises(ValueError, match="expects a UNet, got MLP"):
        save_checkpoint(tmp_path / "x", SMALL["mlp"], kind="unet")
    assert not list(tmp_path.glob("x*"))
    _edit_sidecar(saved, kind="gan")
    with pytest.raises(CheckpointError, match="unknown network kind 'gan'"):
        load_checkpoint(saved)


def test_extra_must_be_json(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="JSON-serialisable"):
        save_checkpoint(tmp_path / "x", SMALL["mlp"], kind="mlp", extra={"when": object()})
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- atomic writes


def test_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)  # fails after bytes were written
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(tmp_path / "new", SMALL["mlp"], kind="mlp")
    assert list(tmp_path.iterdir()) == []  # no final file, no temporary left behind


@pytest.mark.parametrize("fail_on", ["json", "first_replace"])
def test_failed_overwrite_keeps_old_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str
) -> None:
    old_model = SMALL["mlp"]
    path = save_checkpoint(tmp_path / "toy", old_model, kind="mlp", extra={"version": "old"})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    if fail_on == "json":  # killed while writing the sidecar's temporary file
        real_write_temp = atomic._write_temp

        def write_temp(directory: Path, name: str, data: bytes) -> Path:
            if name.endswith(".json"):
                real_write_temp(directory, name, data[: len(data) // 2])
                raise KeyboardInterrupt
            return real_write_temp(directory, name, data)

        monkeypatch.setattr(atomic, "_write_temp", write_temp)
    else:  # the first rename fails

        def replace(src: object, dst: object) -> None:
            raise OSError("rename refused")

        monkeypatch.setattr(atomic.os, "replace", replace)

    torch.manual_seed(1)
    with pytest.raises((KeyboardInterrupt, OSError)):
        save_checkpoint(path, MLP(MLPConfig(hidden=32, depth=2)), kind="mlp", extra={"version": "new"})
    monkeypatch.undo()
    # A process killed mid-write may leave a hidden ".NAME.*.tmp" behind, never a final file.
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if not p.name.endswith(".tmp")}
    assert after == before
    if fail_on == "first_replace":  # an ordinary exception cleans its temporaries up
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before)
    ckpt = load_checkpoint(path)
    assert ckpt.meta == {"version": "old"}
    assert torch.equal(_run("mlp", ckpt.model), _run("mlp", old_model.eval()))


# --------------------------------------------------------------------------- training state


def test_training_state_round_trip_resumes_exactly(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = MLP(MLPConfig(hidden=16, depth=2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.8, 0.9))
    x, t = torch.randn(8, 2), torch.rand(8)

    def step(m: torch.nn.Module, o: torch.optim.Optimizer) -> None:
        o.zero_grad()
        m(x, t).square().mean().backward()
        o.step()

    step(model, opt)
    step(model, opt)
    path = save_state(
        tmp_path / "resume",
        {"model": model.state_dict(), "optimizer": opt.state_dict(), "rng": torch.get_rng_state()},
        {"step": 2, "loss": float("nan")},
    )
    assert path == tmp_path / "resume.safetensors"

    state, meta = load_state(tmp_path / "resume")
    assert meta["step"] == 2
    assert state["optimizer"]["param_groups"][0]["betas"] == (0.8, 0.9)  # tuples survive
    assert sorted(state["optimizer"]["state"]) == list(range(len(list(model.parameters()))))  # int keys
    assert torch.equal(state["rng"], torch.get_rng_state())

    torch.manual_seed(5)
    model2 = MLP(MLPConfig(hidden=16, depth=2))
    opt2 = torch.optim.Adam(model2.parameters(), lr=0.5)
    model2.load_state_dict(state["model"])
    opt2.load_state_dict(state["optimizer"])
    step(model, opt)
    step(model2, opt2)
    for p, q in zip(model.parameters(), model2.parameters()):
        assert torch.equal(p, q)


def test_load_state_refuses_a_model_checkpoint(saved: Path) -> None:
    with pytest.raises(CheckpointError, match="not a Diffusion Playground training state"):
        load_state(saved)
    with pytest.raises(TypeError, match="cannot store a object"):
        save_state(saved.parent / "bad", {"x": object()}, {})


def test_every_shipped_checkpoint_has_a_manifest_entry_that_describes_its_file():
    import json

    from core import paths
    from core.io.checkpoints import read_sidecar

    folder = paths.checkpoints()
    manifest = json.loads(paths.manifest().read_text())
    weights = sorted([*folder.glob("*.safetensors"), *folder.glob("*/*.safetensors")])
    names = {w.relative_to(folder).with_suffix("").as_posix() for w in weights}
    assert names == set(manifest), names ^ set(manifest)
    for w in weights:
        entry = manifest[w.relative_to(folder).with_suffix("").as_posix()]
        assert entry["sha256"] == read_sidecar(w)["sha256"] and entry["bytes"] == w.stat().st_size
        assert entry["recipe"] and entry["steps"]


def test_the_manifest_drops_quality_measured_on_other_weights(tmp_path, monkeypatch):
    import json

    from core import paths
    from core.evaluation.manifest import refresh_manifest
    from core.io import save_checkpoint
    from core.nets import build

    monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(tmp_path))
    net = build("unet", {"base_channels": 8, "channel_mults": (1,), "attention": False}, generator=torch.Generator().manual_seed(0))
    save_checkpoint(tmp_path / "m", net, kind="unet", extra={"recipe": {"name": "m"}, "steps": 1})
    refresh_manifest({"m": {"ddim-20-uncond-w1": {"confident_share": 0.9}}})
    assert refresh_manifest()["m"]["quality"]  # kept for the same weights
    retrained = build("unet", {"base_channels": 8, "channel_mults": (1,), "attention": False}, generator=torch.Generator().manual_seed(1))
    save_checkpoint(tmp_path / "m", retrained, kind="unet", extra={"recipe": {"name": "m"}, "steps": 2})
    assert refresh_manifest()["m"]["quality"] == {}  # retrained: the old figures describe other weights
    assert json.loads(paths.manifest().read_text())["m"]["steps"] == 2
