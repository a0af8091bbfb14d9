"""From a trained checkpoint to images: the glue between networks, samplers and solvers.

A diffusion checkpoint's net takes ``t / T`` in ``[0, 1]``; a flow checkpoint's net takes
the flow time ``t`` (0 = noise, 1 = image). Class-conditional nets use classifier-free
guidance (Ho and Salimans, 2022): ``out = out(null) + w (out(y) - out(null))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from core import progress
from core.data import IMAGE_SHAPES
from core.diffusion.process import Prediction, convert_prediction
from core.diffusion.samplers import SAMPLERS, DiffusionStep
from core.diffusion.schedules import Schedule, make_schedule
from core.io.checkpoints import Checkpoint, CheckpointError, load
from core.sampling.latent import decode_latents
from core.solvers import SOLVERS, solve

DIFFUSION_SAMPLERS = tuple(SAMPLERS)
FLOW_SOLVERS = SOLVERS


def recipe_of(ckpt: Checkpoint) -> dict:
    """The training recipe recorded in a checkpoint (``CheckpointError`` if there is none)."""
    recipe = ckpt.meta.get("recipe")
    if not recipe:
        raise CheckpointError(f"{ckpt.path.name} records no training recipe, so it cannot be sampled")
    return recipe


def schedule_of(ckpt: Checkpoint) -> Schedule:
    r = recipe_of(ckpt)
    return make_schedule(r["schedule"], r["T"])


def passes(label: int | None, guidance: float) -> int:
    """Network passes per evaluation of the guided model: 2 with classifier-free guidance (the unconditional and the
    conditional prediction, in one batched call), else 1. The one NFE rule: a generation's ``nfe`` counts network
    passes per image, evaluations x passes, for diffusion samplers and ODE solvers alike."""
    return 2 if label is not None and guidance != 1.0 else 1


def _guided(net: torch.nn.Module, label: int | None, guidance: float) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """``f(x, t_float)`` for the net, with classifier-free guidance toward ``label`` (``None``: unconditional)."""
    num_classes = int(getattr(net.cfg, "num_classes", 0) or 0)
    if label is not None and not num_classes:
        raise ValueError("this model is not class-conditional; leave the label empty")
    if label is not None and not 0 <= label < num_classes:
        raise ValueError(f"label must be in 0..{num_classes - 1}, got {label}")

    def f(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        if not num_classes:
            return net(x, t)
        null = torch.full((len(x),), num_classes, dtype=torch.long, device=x.device)
        if label is None:
            return net(x, t, null)
        y = torch.full_like(null, label)
        if guidance == 1.0:
            return net(x, t, y)
        both = net(torch.cat([x, x]), torch.cat([t, t]), torch.cat([null, y]))  # one batched call
        uncond, cond = both.chunk(2)
        return uncond + guidance * (cond - uncond)

    return f


def denoiser(ckpt: Checkpoint, label: int | None = None, guidance: float = 1.0):
    """The diffusion model as the samplers want it: ``model(x_t, t)`` with integer ``t`` in ``1..T``."""
    T = recipe_of(ckpt)["T"]
    f = _guided(ckpt.model, label, guidance)
    return lambda x, t: f(x, t.to(x.dtype) / T)


@torch.no_grad()
def read_prediction(ckpt: Checkpoint, x_t: torch.Tensor, t: int, label: int | None = None) -> Prediction:
    """What a diffusion checkpoint says at ``I_t``: its output read as ``eps_hat``, ``I0_hat`` and ``v_hat``.

    The network outputs the target it was trained on (``recipe["prediction"]``);
    :func:`core.diffusion.convert_prediction` turns it into the other two. x_t: ``(B, C, H, W)``.
    """
    recipe = recipe_of(ckpt)
    if recipe["objective"] != "diffusion":
        raise CheckpointError(f"{ckpt.path.name} is a {recipe['objective']} model, not a diffusion one")
    t_b = torch.full((len(x_t),), int(t), dtype=torch.long)
    out = denoiser(ckpt, label)(x_t, t_b)
    return convert_prediction(out, x_t, t_b, schedule_of(ckpt), recipe["prediction"])


def velocity(ckpt: Checkpoint, label: int | None = None, guidance: float = 1.0):
    """The flow model as the solvers want it: ``v(x, t)`` with ``t`` in ``[0, 1]``."""
    return _guided(ckpt.model, label, guidance)


def sample_shape(ckpt: Checkpoint, vae: Checkpoint | None = None) -> tuple[int, ...]:
    """``(C, H, W)`` of one sample: from the recipe's data (a latent model's: its VAE's latent, ``vae`` if loaded)."""
    data = recipe_of(ckpt)["data"]
    if data.startswith("latent:"):
        return tuple((vae or load(ckpt.meta["latent"]["vae"])).model.latent_shape)
    if data in IMAGE_SHAPES:
        return IMAGE_SHAPES[data]
    raise CheckpointError(f"cannot tell the sample shape of data {data!r}")


def image_data(ckpt: Checkpoint) -> str:
    """The image data set (``mnist``, ``cifar10``) a checkpoint's samples look like (a latent model: its VAE's)."""
    data = recipe_of(ckpt)["data"]
    return image_data(load(data.split(":", 1)[1])) if data.startswith("latent:") else data


@dataclass(frozen=True)
class Generation:
    """Generated samples (``(N, C, H, W)`` in ``[-1, 1]``), the states along the way and the NFE.

    For a latent model, ``frames`` are the states decoded by its VAE and ``latents`` the states
    themselves (scaled latents, ``(K + 1, N, *latent_shape)``); ``None`` for a pixel model.
    """

    images: torch.Tensor
    frames: torch.Tensor  # (K + 1, N, C, H, W): from noise to images
    nfe: int
    times: list[float]
    latents: torch.Tensor | None = None


def _decoded(ckpt: Checkpoint, gen: Generation, vae: Checkpoint | None = None) -> Generation:
    """Pixels stay as they are (clamped to [-1, 1]); a latent model's states are decoded by its VAE (``vae``, loaded
    by the caller, or read from disk here)."""
    latent = ckpt.meta.get("latent")
    if not latent:
        return Generation(gen.images.clamp(-1, 1), gen.frames, gen.nfe, gen.times)
    vae, scale = vae or load(latent["vae"]), latent["scale"]
    frames = torch.stack([decode_latents(vae, f, scale) for f in gen.frames])
    return Generation(frames[-1], frames, gen.nfe, gen.times, latents=gen.frames)


@torch.no_grad()
def generate(
    ckpt: Checkpoint,
    n: int = 16,
    *,
    steps: int = 20,
    method: str | None = None,
    seed: int = 0,
    label: int | None = None,
    guidance: float = 1.0,
    eta: float = 0.0,
    shape: tuple[int, ...] | None = None,
    on_diffusion_step: Callable[[DiffusionStep], None] | None = None,
    vae: Checkpoint | None = None,
) -> Generation:
    """Draw ``n`` samples from a diffusion or flow checkpoint with ``steps`` steps of ``method``.

    ``method``: ``ddpm`` or ``ddim`` for diffusion (default ``ddim``); ``euler``, ``heun``,
    ``rk4`` or ``dopri5`` for flow (default ``euler``). The same ``seed`` gives the same images. A latent model's
    images are decoded by ``vae``, the VAE it was trained in, already loaded (a page's); without it, read from disk.
    """
    recipe = recipe_of(ckpt)
    if n < 1 or steps < 1:
        raise ValueError("n and steps must be at least 1")
    shape = shape or sample_shape(ckpt, vae)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((n, *shape), generator=g)
    if recipe["objective"] == "diffusion":
        method = method or "ddim"
        if method not in SAMPLERS:
            raise ValueError(f"unknown diffusion sampler {method!r}; choose one of {', '.join(SAMPLERS)}")
        sch = schedule_of(ckpt)
        frames, times = [x], [float(sch.T)]

        def keep(step: DiffusionStep) -> None:
            frames.append(step.x_s)
            times.append(float(step.s))
            if on_diffusion_step is not None:
                on_diffusion_step(step)

        kw = {"eta": eta} if method == "ddim" else {}
        net, calls = denoiser(ckpt, label, guidance), [0]

        def counted(*args: object) -> torch.Tensor:  # one network call per step: the share of the run done
            calls[0] += 1
            progress.report(calls[0] / steps)
            return net(*args)

        out = SAMPLERS[method](counted, x, sch, steps=steps, prediction=recipe["prediction"],
                               generator=g, callback=keep, **kw)
        return _decoded(ckpt, Generation(out, torch.stack(frames), steps * passes(label, guidance), times), vae)
    if recipe["objective"] == "flow":
        method = method or "euler"
        if method not in SOLVERS:
            raise ValueError(f"unknown ODE solver {method!r}; choose one of {', '.join(SOLVERS)}")
        kw = {"rtol": 1e-3, "atol": 1e-3} if method == "dopri5" else {}  # image-level tolerance
        field = velocity(ckpt, label, guidance)

        def timed(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:  # the flow's time t in [0, 1]: the share done
            progress.report(float(torch.as_tensor(t).max()))
            return field(x, t)

        sol = solve(timed, x, method, steps=steps, **kw)
        return _decoded(ckpt, Generation(sol.final, sol.trajectory, sol.nfe * passes(label, guidance), sol.times.tolist()),
                        vae)
    raise CheckpointError(f"{ckpt.path.name} is a {recipe['objective']} model, not a generative one")
