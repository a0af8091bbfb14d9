"""The pages' default toy models, shipped so that a cold server shows them at once.

The reverse-denoising page shows a DDPM toy model trained with ``ToyConfig()``; the flow-matching
page shows the random- and OT-pairing models trained with ``ToyFlowConfig()``. Each trains in a
few seconds, which is too long for a first page load, so their weights are shipped in
``assets/toys/`` (a few hundred kB). A shipped model is used only if its recorded config equals
the current default config; otherwise it is trained again, exactly as before.

    python -m core.live.defaults      # re-train and write assets/toys/
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

from core import paths
from core.data import is_drawn
from core.diffusion import make_schedule
from core.flow import PAIRINGS
from core.io import CheckpointError, load_checkpoint, save_checkpoint
from core.live.toy_diffusion import ToyConfig, ToyModel, train_toy
from core.live.toy_flow import ToyFlowConfig, ToyFlowResult, train_both


def _config_of(path: Path) -> tuple[dict, object] | None:
    try:
        ckpt = load_checkpoint(path)
    except CheckpointError:
        return None
    return ckpt.meta, ckpt.model


def shipped_reference(cfg: ToyConfig) -> ToyModel | None:
    """The shipped DDPM toy model for ``cfg``, or ``None`` when none was shipped for exactly this config (never for a
    student's drawing)."""
    if is_drawn(cfg.dataset):
        return None
    found = _config_of(paths.TOYS / f"ddpm-{cfg.dataset}.safetensors")
    if found is None or found[0].get("toy_config") != asdict(cfg):
        return None
    meta, net = found
    return ToyModel(net, make_schedule(cfg.schedule, cfg.T), cfg, list(meta.get("losses", [])))


def shipped_flows(cfg: ToyFlowConfig) -> dict[str, ToyFlowResult] | None:
    """The shipped random and OT flow models for ``cfg`` (its pairing is ignored), or ``None`` (always for a drawing)."""
    if is_drawn(cfg.source) or is_drawn(cfg.target):
        return None
    out = {}
    for how in PAIRINGS:
        run = replace(cfg, pairing=how)
        found = _config_of(paths.TOYS / f"flow-{cfg.source}-{cfg.target}-{how}.safetensors")
        if found is None or found[0].get("toy_config") != asdict(run):
            return None
        meta, net = found
        out[how] = ToyFlowResult(net, run, list(meta.get("losses", [])), float(meta.get("seconds", 0.0)))
    return out


def main() -> None:
    import torch

    torch.set_num_threads(1)
    paths.TOYS.mkdir(parents=True, exist_ok=True)
    cfg = ToyConfig()
    model = train_toy(cfg)
    save_checkpoint(paths.TOYS / f"ddpm-{cfg.dataset}", model.net, kind="mlp",
                    extra={"toy_config": asdict(cfg), "losses": model.losses})
    flow = ToyFlowConfig()
    for how, res in train_both(flow).items():
        save_checkpoint(paths.TOYS / f"flow-{flow.source}-{flow.target}-{how}", res.model, kind="mlp",
                        extra={"toy_config": asdict(res.config), "losses": res.losses, "seconds": res.seconds})
    print(f"wrote {sorted(p.name for p in paths.TOYS.iterdir())}")


if __name__ == "__main__":
    main()
