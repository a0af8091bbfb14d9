"""Training: named recipes, one loss per objective, a quiet ``train`` loop, and a CLI.

    python -m core.train RECIPE [--steps N] [--resume] [--device cpu|cuda] [--threads K]

``train`` prints nothing and knows nothing of Streamlit: it calls ``on_step`` after
every optimiser step. The CLI wraps it with a progress bar, periodic resume
checkpoints (``runs/RECIPE/resume.safetensors``) and, at the end, writes the EMA
weights to ``assets/checkpoints/RECIPE`` and records the run in the manifest.
"""

from __future__ import annotations

import argparse
import copy
import math
import platform
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from core import data as datasets
from core.checkpoints import load_state, save_checkpoint, save_state
from core.diffusion import q_sample, training_target
from core.flow import flow_matching_loss, ot_permutation
from core.nets import build, count_params, vae_loss
from core.schedules import make_schedule

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINTS = ROOT / "assets" / "checkpoints"
OBJECTIVES = ("diffusion", "flow", "autoencoder", "vae", "classifier")


@dataclass(frozen=True)
class Recipe:
    """Everything needed to reproduce a shipped model; recorded in its checkpoint."""

    name: str
    description: str
    data: str  # "mnist", "cifar10", or "latent:VAE_CHECKPOINT" (a VAE's latents of its data)
    objective: str  # one of OBJECTIVES
    net: str  # a kind in core.nets.NETWORKS
    net_config: Mapping[str, Any] = field(default_factory=dict)
    prediction: str = "eps"  # diffusion: what the net outputs (eps | x0 | v)
    schedule: str = "cosine"  # diffusion
    T: int = 1000  # diffusion
    pairing: str = "random"  # flow: random | ot
    conditional: bool = False  # class-conditional net (labels dropped with p_uncond for guidance)
    p_uncond: float = 0.1
    kl_weight: float = 1.0  # vae
    hflip: bool = False  # classifier: flip half of each batch left-right (augmentation)
    steps: int = 4000
    batch_size: int = 128
    lr: float = 2e-3
    warmup: int = 200
    ema_decay: float = 0.999
    grad_clip: float = 1.0
    train_fraction: float = 0.8  # the rest of the data set is held out for evaluation
    seed: int = 0


_MNIST_UNET = {"base_channels": 16, "channel_mults": (1, 2, 4), "attention": True, "num_classes": 10}

RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in [
        Recipe("mnist-classifier", "Small CNN that judges generated digits.", "mnist", "classifier", "classifier",
               steps=1500, lr=2e-3, ema_decay=0.99),
        Recipe("mnist-autoencoder", "Conv auto-encoder, 16-D code.", "mnist", "autoencoder", "autoencoder",
               {"channels": (16, 32), "code_dim": 16}, steps=2000, ema_decay=0.995),
        Recipe("mnist-vae-2d", "VAE with a 2-D latent (the latent map).", "mnist", "vae", "vae",
               {"channels": (16, 32), "latent": "flat", "latent_dim": 2}, steps=2000, ema_decay=0.995),
        Recipe("mnist-vae-spatial", "VAE with a 7x7x4 latent, for latent diffusion.", "mnist", "vae", "vae",
               {"channels": (16, 32), "latent": "spatial", "latent_channels": 4}, kl_weight=0.1, steps=2000, ema_decay=0.995),
        Recipe("mnist-ddpm-eps", "Noise-prediction DDPM, cosine schedule, class-conditional.", "mnist", "diffusion", "unet",
               _MNIST_UNET, prediction="eps", conditional=True, steps=4500),
        Recipe("mnist-ddpm-x0", "Image-prediction diffusion, cosine schedule, class-conditional.", "mnist", "diffusion", "unet",
               _MNIST_UNET, prediction="x0", conditional=True, steps=4500),
        Recipe("mnist-flow-random", "Flow matching, random pairing, class-conditional.", "mnist", "flow", "unet",
               _MNIST_UNET, pairing="random", conditional=True, steps=4500),
        Recipe("mnist-flow-ot", "Flow matching, mini-batch OT pairing, class-conditional.", "mnist", "flow", "unet",
               _MNIST_UNET, pairing="ot", conditional=True, steps=4500),
        Recipe("mnist-latent-flow", "Flow matching (OT pairing) in the 4x7x7 latent of mnist-vae-spatial.",
               "latent:mnist-vae-spatial", "flow", "unet",
               {"base_channels": 64, "channel_mults": (1,), "num_res_blocks": 2, "attention": True, "num_classes": 10},
               pairing="ot", conditional=True, steps=5000),
        Recipe("cifar10-autoencoder", "Conv auto-encoder for CIFAR-10, 128-D code.", "cifar10", "autoencoder", "autoencoder",
               {"channels": (32, 64), "code_dim": 128}, steps=3000, ema_decay=0.995),
        Recipe("cifar10-flow-ot", "Flow matching (OT pairing) on CIFAR-10, class-conditional.", "cifar10", "flow", "unet",
               _MNIST_UNET, pairing="ot", conditional=True, steps=4000),
        Recipe("cifar10-classifier", "Small CNN that judges generated CIFAR-10 images.", "cifar10", "classifier",
               "classifier", {"channels": (32, 64, 128), "dropout": 0.3}, hflip=True, steps=1500, lr=2e-3, ema_decay=0.99),
        Recipe("tiny-test", "A few steps on tiny data, for the tests.", "mnist", "diffusion", "unet",
               {"base_channels": 8, "channel_mults": (1, 2), "attention": False}, steps=20, batch_size=16, warmup=2),
    ]
}


# ---------------------------------------------------------------- losses

LossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor | None, torch.Generator], torch.Tensor]


def _labels(recipe: Recipe, y: torch.Tensor | None, num_classes: int, g: torch.Generator) -> torch.Tensor | None:
    """Class labels for a conditional net, replaced by the null label ``num_classes`` with probability ``p_uncond``."""
    if not recipe.conditional or y is None:
        return None
    drop = torch.rand(y.shape, generator=g) < recipe.p_uncond
    return torch.where(drop, torch.full_like(y, num_classes), y).to(y.device)


def make_loss(recipe: Recipe) -> LossFn:
    """The training loss of ``recipe.objective``: ``loss(model, x, y, generator) -> scalar``."""
    if recipe.objective == "diffusion":
        schedule = make_schedule(recipe.schedule, recipe.T)

        def diffusion_loss(model, x, y, g):
            # t ~ U{1..T}, eps ~ N(0, I), I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps, loss ||net(I_t, t) - target||^2
            t = torch.randint(1, recipe.T + 1, (len(x),), generator=g)
            eps = torch.randn(x.shape, generator=g).to(x.device)
            x_t = q_sample(x, t, schedule, eps)
            out = model(x_t, (t.float() / recipe.T).to(x.device), _labels(recipe, y, _num_classes(model), g))
            return F.mse_loss(out, training_target(x, eps, t, schedule, recipe.prediction))

        return diffusion_loss
    if recipe.objective == "flow":

        def flow_loss(model, x, y, g):
            # noise X, images Y (re-paired), t ~ U[0, 1], loss ||v(I_t, t) - (Y - X)||^2
            noise = torch.randn(x.shape, generator=g).to(x.device)
            # the mini-batch is already a random draw, so "random" pairing keeps it as it is
            perm = ot_permutation(noise, x).cpu() if recipe.pairing == "ot" else torch.arange(len(x))
            x_paired = x[perm.to(x.device)]
            labels = _labels(recipe, None if y is None else y[perm.to(y.device)], _num_classes(model), g)
            t = torch.rand(len(x), generator=g).to(x.device)
            return flow_matching_loss(lambda xt, tt: model(xt, tt, labels), noise, x_paired, t)

        return flow_loss
    if recipe.objective == "autoencoder":
        return lambda model, x, y, g: F.mse_loss(model(x), x)
    if recipe.objective == "vae":
        return lambda model, x, y, g: vae_loss(model(x, generator=g), x, recipe.kl_weight).total
    if recipe.objective == "classifier":

        def classifier_loss(model, x, y, g):
            if recipe.hflip:
                flip = (torch.rand(len(x), generator=g) < 0.5).to(x.device)
                x = torch.where(flip[:, None, None, None], x.flip(-1), x)
            return F.cross_entropy(model(x), y)

        return classifier_loss
    raise ValueError(f"unknown objective {recipe.objective!r}; choose one of {', '.join(OBJECTIVES)}")


def _num_classes(model: nn.Module) -> int:
    return int(getattr(getattr(model, "cfg", None), "num_classes", 0) or 0)


# ---------------------------------------------------------------- the loop


@dataclass
class TrainState:
    """What a run carries from step to step (and what resume restores)."""

    model: nn.Module
    ema: nn.Module
    optimizer: torch.optim.Optimizer
    step: int = 0
    losses: list[float] = field(default_factory=list)


def lr_at(step: int, recipe: Recipe, total: int) -> float:
    """Linear warm-up over ``recipe.warmup`` steps, then cosine decay to 5 % of ``recipe.lr``."""
    if step < recipe.warmup:
        return recipe.lr * (step + 1) / recipe.warmup
    progress = min(1.0, (step - recipe.warmup) / max(1, total - recipe.warmup))
    return recipe.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def new_state(model: nn.Module, recipe: Recipe) -> TrainState:
    """A fresh run: AdamW and an EMA copy of the weights."""
    ema = copy.deepcopy(model).eval().requires_grad_(False)
    return TrainState(model, ema, torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=0.0))


@torch.no_grad()
def _update_ema(ema: nn.Module, model: nn.Module, decay: float) -> None:
    for e, p in zip(ema.parameters(), model.parameters()):
        e.lerp_(p, 1 - decay)
    for e, b in zip(ema.buffers(), model.buffers()):
        e.copy_(b)


def train(
    state: TrainState,
    loss_fn: LossFn,
    batches: Iterator[tuple[torch.Tensor, torch.Tensor | None]],
    recipe: Recipe,
    *,
    steps: int,
    generator: torch.Generator,
    on_step: Callable[[TrainState, float], bool | None] | None = None,
) -> TrainState:
    """Run optimiser steps until ``state.step == steps``; ``on_step(state, loss)`` may return True to stop early.

    Each step: a mini-batch, the recipe's loss, backprop, gradient clipping, AdamW with
    the warm-up + cosine learning rate, then ``ema <- decay * ema + (1 - decay) * weights``.
    """
    state.model.train()
    while state.step < steps:
        x, y = next(batches)
        for group in state.optimizer.param_groups:
            group["lr"] = lr_at(state.step, recipe, steps)
        loss = loss_fn(state.model, x, y, generator)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"the loss became {loss.item()} at step {state.step}; lower the learning rate")
        state.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(state.model.parameters(), recipe.grad_clip)
        state.optimizer.step()
        decay = min(recipe.ema_decay, (1 + state.step) / (10 + state.step))  # short warm-up of the EMA
        _update_ema(state.ema, state.model, decay)
        state.step += 1
        state.losses.append(loss.item())
        if on_step is not None and on_step(state, state.losses[-1]):
            break
    state.model.eval()
    return state


# ---------------------------------------------------------------- data and models of a recipe


def training_data(recipe: Recipe, device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor | None]:
    """The recipe's training images in ``[-1, 1]`` (or latents) and labels, on ``device``."""
    if recipe.data.startswith("latent:"):
        from core.latent import encode_dataset

        z, y = encode_dataset(recipe.data.split(":", 1)[1], recipe.train_fraction, recipe.seed)
        return z.to(device), y.to(device)
    ds = {"mnist": datasets.load_mnist, "cifar10": datasets.load_cifar10}[recipe.data]()
    train_part, _ = datasets.split(ds, recipe.train_fraction, seed=recipe.seed)
    return datasets.to_model_range(train_part.images).to(device), train_part.labels.to(device)


def batch_at(step: int, n: int, batch_size: int, seed: int) -> torch.Tensor:
    """Indices of mini-batch ``step``: epoch ``e`` is a permutation seeded by ``(seed, e)``.

    A pure function of the step, so a resumed run sees exactly the batches it would have seen.
    """
    per_epoch = n // batch_size
    if per_epoch < 1:
        raise ValueError(f"batch size {batch_size} is larger than the data ({n} samples)")
    epoch, k = divmod(step, per_epoch)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch))
    return perm[k * batch_size : (k + 1) * batch_size]


def batches_from(x: torch.Tensor, y: torch.Tensor | None, batch_size: int, seed: int, start: int = 0):
    """Mini-batches ``(x, y)`` for steps ``start, start + 1, ...`` (see :func:`batch_at`)."""
    step = start
    while True:
        idx = batch_at(step, len(x), batch_size, seed).to(x.device)
        yield x[idx], (None if y is None else y[idx])
        step += 1


def build_model(recipe: Recipe, sample_shape: tuple[int, ...]) -> nn.Module:
    """The recipe's network; channels follow the data (``sample_shape`` is ``(C, H, W)``)."""
    cfg = dict(recipe.net_config)
    if recipe.net == "unet":
        cfg["in_channels"] = sample_shape[0]
        if not recipe.conditional:
            cfg["num_classes"] = 0
    if recipe.net in ("autoencoder", "vae", "classifier"):
        cfg["in_channels"], cfg["image_size"] = sample_shape[0], sample_shape[-1]
    return build(recipe.net, cfg)


def _latent_record(recipe: Recipe) -> dict[str, Any]:
    """For a latent model: which VAE decodes its samples, and the latent scale."""
    if not recipe.data.startswith("latent:"):
        return {}
    from core.latent import latent_scale

    vae = recipe.data.split(":", 1)[1]
    return {"latent": {"vae": vae, "scale": latent_scale(vae, recipe.train_fraction, recipe.seed)}}


def recipe_record(recipe: Recipe) -> dict[str, Any]:
    """The recipe as plain JSON (stored in the checkpoint)."""
    rec = asdict(recipe)
    rec["net_config"] = {k: list(v) if isinstance(v, tuple) else v for k, v in dict(recipe.net_config).items()}
    return rec


# ---------------------------------------------------------------- CLI


def save_resume(path: Path, state: TrainState, generator: torch.Generator, recipe: Recipe, wall: float) -> None:
    """Everything needed to continue a run exactly: weights, EMA, optimiser, RNG, losses, step (no pickle)."""
    save_state(
        path,
        {"model": state.model.state_dict(), "ema": state.ema.state_dict(), "optimizer": state.optimizer.state_dict(),
         "rng": generator.get_state(), "losses": torch.tensor(state.losses)},
        {"step": state.step, "recipe": recipe.name, "wall_seconds": wall},
    )


def load_resume(path: Path, state: TrainState, generator: torch.Generator, recipe: Recipe, device: str = "cpu") -> float:
    """Restore what :func:`save_resume` wrote into ``state`` and ``generator``; returns the wall time so far."""
    saved, meta = load_state(path, map_location=device)
    if meta.get("recipe") != recipe.name:
        raise ValueError(f"{path} holds a run of {meta.get('recipe')!r}, not {recipe.name!r}")
    state.model.load_state_dict(saved["model"])
    state.ema.load_state_dict(saved["ema"])
    state.optimizer.load_state_dict(saved["optimizer"])
    generator.set_state(saved["rng"])
    state.step, state.losses = int(meta["step"]), saved["losses"].tolist()
    return float(meta.get("wall_seconds", 0.0))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.train", description="Train a named recipe.")
    parser.add_argument("recipe", choices=sorted(RECIPES))
    parser.add_argument("--steps", type=int, help="total optimiser steps (default: the recipe's)")
    parser.add_argument("--resume", action="store_true", help="continue from runs/RECIPE/resume.safetensors")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=1, help="torch threads on the CPU (default 1)")
    parser.add_argument("--every", type=int, default=250, help="save resume state every N steps")
    parser.add_argument("--out", type=Path, default=CHECKPOINTS, help="where the final checkpoint goes")
    parser.add_argument("--runs", type=Path, default=ROOT / "runs", help="where resume state goes")
    args = parser.parse_args(argv)

    from tqdm import tqdm

    torch.set_num_threads(args.threads)
    recipe = RECIPES[args.recipe]
    steps = args.steps or recipe.steps
    torch.manual_seed(recipe.seed)
    generator = torch.Generator().manual_seed(recipe.seed)
    x, y = training_data(recipe, args.device)
    state = new_state(build_model(recipe, tuple(x.shape[1:])).to(args.device), recipe)
    resume = args.runs / recipe.name / "resume"
    wall_before = 0.0
    if args.resume and resume.with_suffix(".safetensors").exists():
        wall_before = load_resume(resume, state, generator, recipe, args.device)
    batches = batches_from(x, y, recipe.batch_size, recipe.seed, start=state.step)
    loss_fn = make_loss(recipe)
    start = time.time()
    bar = tqdm(total=steps, initial=state.step, desc=recipe.name, unit="step")

    def on_step(s: TrainState, loss: float) -> None:
        bar.update(1)
        if s.step % 25 == 0:
            bar.set_postfix(loss=f"{sum(s.losses[-25:]) / 25:.4f}")
        if s.step % args.every == 0:
            save_resume(resume, s, generator, recipe, wall_before + time.time() - start)

    train(state, loss_fn, batches, recipe, steps=steps, generator=generator, on_step=on_step)
    bar.close()
    wall = wall_before + time.time() - start
    save_resume(resume, state, generator, recipe, wall)
    images_per_second = state.step * recipe.batch_size / max(wall, 1e-9)
    device = torch.cuda.get_device_name() if args.device == "cuda" else f"{platform.processor() or platform.machine()} CPU, {args.threads} thread(s)"
    path = save_checkpoint(
        args.out / recipe.name, state.ema, kind=recipe.net,
        extra={"recipe": recipe_record(recipe), "steps": state.step, "wall_seconds": round(wall, 1),
               "hardware": device, "images_per_second": round(images_per_second, 1),
               "final_loss": sum(state.losses[-100:]) / max(1, len(state.losses[-100:])),
               "num_params": count_params(state.ema), **_latent_record(recipe)},
    )
    print(f"saved {path} after {state.step} steps in {wall / 60:.1f} min ({images_per_second:.0f} images/s)")


if __name__ == "__main__":
    main()
