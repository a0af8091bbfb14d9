"""Part 5. Reverse denoising: from pure noise back to an image, one DDPM step at a time."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from core.data import TOY_DATASETS, sample_toy, to_uint8
from core.diffusion import DiffusionStep, posterior, sample_ddpm
from core.export import gif_bytes, png_bytes
from core.images import grid, signed_to_uint8, to_pil
from core.live.toy_diffusion import ToyModel, sample_toy_model
from core.sampling import generate
from ui import jobs, keys
from ui.code import show_code
from ui.export import download_gif, download_png, slug
from ui.fig_reverse import MODELS, reverse_steps_figure, toy_reverse_figure
from ui.i18n import language, number, tr
from ui.lessons import lesson
from ui.models import shipped
from ui.predict import ask
from ui.present import chart
from ui.share import URL
from ui.warm import reference_toy_model

LABELS = ["any", *range(10)]
TOY_POINTS = 500
TOY_STEPS = 50
NOISE_RANGE = 3.0  # the predicted noise is drawn with -3 as black and +3 as white


@st.cache_data(show_spinner=False, max_entries=32)  # the page shows a spinner around mnist_figure()
def mnist_steps(sha256: str, _ckpt, label: int | None, guidance: float, seed: int, steps: int, n: int) -> dict:
    """Every DDPM step of ``n`` samples, as pictures: ``panels`` ``(K, n, 5, C, H, W)`` uint8, plus t, s, sigma."""
    kept: list[DiffusionStep] = []
    gen = generate(_ckpt, n, steps=steps, method="ddpm", seed=seed, label=label, guidance=guidance,
                   on_diffusion_step=kept.append)
    panels = np.stack([
        torch.stack([to_uint8(k.x_t), signed_to_uint8(k.eps, NOISE_RANGE), to_uint8(k.x0), to_uint8(k.mean),
                     to_uint8(k.x_s)], dim=1).numpy()  # (n, 5, C, H, W)
        for k in kept
    ])
    return {"panels": panels, "ts": [k.t for k in kept], "ss": [k.s for k in kept],
            "sigmas": [float(k.sigma) for k in kept], "final": to_uint8(gen.images).numpy()}


@st.cache_data(show_spinner=False, max_entries=32)
def mnist_figure(sha256: str, _ckpt, label: int | None, guidance: float, seed: int, steps: int, n: int, lang: str):
    """The step-through figure and the film strip for these settings, its text in ``lang`` (built once, then reused)."""
    run = mnist_steps(sha256, _ckpt, label, guidance, seed, steps, n)
    rows = [tr("reverse.sample", i=i + 1) for i in range(run["panels"].shape[1])]
    fig = reverse_steps_figure(run["panels"], run["ts"], run["ss"], run["sigmas"], rows)
    image, picks = strip(run["panels"])
    return fig, image, [run["ts"][k] for k in picks]


@st.cache_data(show_spinner=False, max_entries=8)
def steps_gif(sha256: str, _ckpt, label: int | None, guidance: float, seed: int, steps: int, n: int) -> bytes:
    """The step-through grid as an animated GIF: one frame per DDPM step, the same five columns."""
    run = mnist_steps(sha256, _ckpt, label, guidance, seed, steps, n)
    frames = [grid(torch.from_numpy(p.reshape(-1, *p.shape[2:])), 5, pad=2) for p in run["panels"]]
    return gif_bytes([f[..., 0] if f.shape[-1] == 1 else f for f in frames], duration_ms=120, scale=3)


@st.cache_data(show_spinner=False, max_entries=16)
def toy_figure(dataset: str, seed: int, lang: str):
    """The toy cloud going back to the data under the reference model, its text in ``lang``."""
    traj = toy_steps(dataset, seed)
    return toy_reverse_figure(traj["states"], traj["x0_hats"], traj["times"], toy_data(dataset))


def strip(panels: np.ndarray, columns: int = 10):
    """Sample 0's I_t (top row) and one-shot estimate (bottom row) at ``columns`` evenly spaced steps."""
    K = len(panels)
    picks = np.linspace(0, K - 1, columns).round().astype(int)
    cells = np.concatenate([panels[picks, 0, 0], panels[picks, 0, 2]])  # (2 * columns, C, H, W)
    return to_pil(grid(torch.from_numpy(cells), columns, pad=2), scale=3), picks


@st.cache_data(show_spinner=False, max_entries=16)  # the page shows a spinner around toy_figure()
def toy_steps(dataset: str, seed: int) -> dict:
    path = sample_toy_model(reference_toy_model(dataset), TOY_POINTS, steps=TOY_STEPS, seed=seed)
    return {"states": path.states.numpy(), "x0_hats": path.x0_hats.numpy(), "times": path.times}


@st.cache_data(show_spinner=False)
def toy_data(dataset: str) -> np.ndarray:
    return sample_toy(dataset, 1000, seed=12345).numpy()


def own_toy_model(dataset: str) -> ToyModel | None:
    """The model this student trained in Part 4, if it finished (or was stopped) on ``dataset``."""
    job = jobs.get(keys.TOY_DIFFUSION_JOB)
    if job is None or job.running or not isinstance(job.result, ToyModel):
        return None
    return job.result if job.result.cfg.dataset == dataset and job.result.steps_done >= 200 else None


def own_toy_figure(model: ToyModel, seed: int):
    """Like :func:`toy_figure` for the student's own model, kept in the session."""
    key = (id(model), model.steps_done, seed, language())
    memo = st.session_state.setdefault("rev_own_toy", {})
    if key not in memo:
        memo.clear()
        path = sample_toy_model(model, TOY_POINTS, steps=TOY_STEPS, seed=seed)
        memo[key] = toy_reverse_figure(path.states.numpy(), path.x0_hats.numpy(), path.times, toy_data(model.cfg.dataset))
    return memo[key]


@st.fragment  # moving one of its controls reruns and redraws this section only
def mnist_section() -> None:
    c1, c2, c3, c4, c5 = st.columns([1.5, 1, 1.5, 1.5, 1.2], gap="medium")  # the first holds "n'importe lequel" at 1280 px
    digits = {v: tr("reverse.digit.any") if v == "any" else str(v) for v in LABELS}
    c1.selectbox(tr("reverse.digit"), LABELS, index=0, key="rev_label", bind=URL, format_func=digits.get)
    c2.number_input(tr("common.seed"), 0, 9999, 0, key="rev_seed", bind=URL)
    c3.slider(tr("reverse.guidance"), 0.0, 5.0, 2.0, step=0.5, key="rev_guidance", bind=URL,
              disabled=st.session_state.get("rev_label", "any") == "any",
              help=tr("reverse.guidance.help"))
    c4.select_slider(tr("reverse.steps"), [10, 20, 25, 50, 100, 200], value=50, key="rev_steps", bind=URL)
    c5.slider(tr("reverse.samples"), 1, 4, 3, key="rev_n", bind=URL)

    left, right = st.columns([1, 2], gap="large")
    with left:
        lesson("reverse", "columns")
        with st.container(border=True):
            lesson("reverse", "posterior")
        ask("rev_oneshot")
    with right:
        label = st.session_state.get("rev_label", "any")
        label = None if label == "any" else int(label)
        ckpt = shipped(MODELS["any" if label is None else "digit"])
        if ckpt is not None:
            guidance = float(st.session_state.get("rev_guidance", 2.0)) if label is not None else 1.0
            settings = (ckpt.sha256, ckpt, label, guidance, int(st.session_state.get("rev_seed", 0)),
                        int(st.session_state.get("rev_steps", 50)), int(st.session_state.get("rev_n", 3)))
            with st.spinner(tr("reverse.running")):  # shown only if it takes a moment
                fig, image, strip_ts = mnist_figure(*settings, language())
            chart(fig, width="stretch", key="rev_mnist_chart")
            st.image(image, width="stretch", caption=tr("reverse.strip.caption", ts=", ".join(map(str, strip_ts))))
            name = slug("reverse-ddpm", f"{settings[5]}steps", f"seed{settings[4]}", "any" if label is None else f"digit{label}-w{guidance:g}")
            d1, d2 = st.columns(2)
            with d1:
                download_gif(tr("reverse.download.gif"), f"{name}.gif", lambda: steps_gif(*settings), key="rev_gif")
            with d2:
                download_png(tr("reverse.download.png"), f"{name}-strip.png", lambda: png_bytes(image), key="rev_png")
            show_code(sample_ddpm, posterior)


@st.fragment
def toy_section() -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        c1, c2 = st.columns(2)
        toys = {toy: tr(f"toy.{toy}") for toy in TOY_DATASETS[1:]}
        c1.selectbox(tr("reverse.toy.data"), list(toys), index=list(toys).index("moons"), key="rev_toy_dataset", bind=URL,
                     format_func=toys.get)
        c2.number_input(tr("common.seed"), 0, 9999, 0, key="rev_toy_seed", bind=URL)
        lesson("reverse", "toy")
    with right:
        dataset = st.session_state.get("rev_toy_dataset", "moons")
        seed = int(st.session_state.get("rev_toy_seed", 0))
        mine = own_toy_model(dataset)
        if mine is not None:
            fig = own_toy_figure(mine, seed)
        else:
            with st.spinner(tr("reverse.toy.preparing")):  # the reference model, the first time (shown only if it takes a moment)
                fig = toy_figure(dataset, seed, language())
        chart(fig, width="stretch", key="rev_toy_chart")
        if mine is not None:
            steps = number(mine.steps_done)
            st.caption(tr("reverse.toy.own", steps=steps, dataset=toys[dataset], points=TOY_POINTS, ddpm=TOY_STEPS))
        else:
            st.caption(tr("reverse.toy.reference", dataset=toys[dataset], points=TOY_POINTS, ddpm=TOY_STEPS))


st.title(f"5. {tr('part.5')}")
lesson("reverse")

mnist_section()
with st.container(border=True):
    lesson("reverse", "why")

st.divider()
st.subheader(tr("reverse.toy"))
toy_section()
