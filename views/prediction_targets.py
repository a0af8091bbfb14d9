"""Part 6. Prediction targets: predict the noise, the image or the velocity? In high dimension, the image wins.

Each section is a fragment: moving one of its widgets reruns that section only.
"""

from __future__ import annotations

import streamlit as st

from core.diffusion import convert_prediction
from core.flow import velocity_from
from core.live.targets import DIMS, GridCell, TargetToyConfig, sample_target_toy, train_target_toy
from core.training import flow_objective
from ui import jobs
from ui.code import show_code
from ui.fig_targets import (
    DEFAULT_VIEW,
    MODELS,
    N_SAMPLES,
    STEPS,
    TARGETS,
    TOY_NAMES,
    TOY_TARGETS,
    heldout,
    manifest_mtime,
    oneshot_chart,
    outputs_chart,
    quality_chart,
    sample_rows,
    toy_data,
    toy_floor,
    toy_grid_chart,
    toy_grid_figure,
)
from ui.lessons import lesson
from ui.models import shipped
from ui.predict import ask
from ui.present import chart
from ui.share import URL

JOB = "pt_job"
LABELS = ["any", *range(10)]

st.title("6. Prediction targets")
lesson("prediction_targets")

ckpts = tuple(shipped(name) for name in MODELS.values())
ready = all(c is not None for c in ckpts)
shas = tuple(c.sha256 for c in ckpts) if ready else ()


@st.fragment
def outputs_section() -> None:
    """Three networks read at one noisy digit, at the student's t."""
    left, right = st.columns([2, 3], gap="large")
    with left:
        lesson("prediction_targets", "equations")
        c1, c2 = st.columns(2)
        t = c1.select_slider("Step t", [1, 50, 100, 200, 400, 600, 800, 900, 950, 990, 1000], value=DEFAULT_VIEW["t"],
                             key="pt_t", bind=URL)
        digit = c2.number_input("Held-out example #", 0, len(heldout()) - 1, DEFAULT_VIEW["digit"], key="pt_digit", bind=URL,
                                help="Which of the held-out digits (never seen in training) to noise.")
    with right:
        if ready:
            chart(outputs_chart(shas, ckpts, int(digit), int(t), DEFAULT_VIEW["seed"]), width="stretch",
                            key="pt_outputs")
            show_code(convert_prediction, label="The code: reading one output as all three targets")
            st.caption("Framed: what each network outputs. The other two columns follow from it and Iₜ by the "
                       "conversions on the left. Noise and velocity are drawn from −3 (black) to +3 (white); images from "
                       "−1 to 1. \"Î₀ error\": root-mean-square error of the one-shot estimate, pixels in [−1, 1].")


@st.fragment
def samples_section() -> None:
    """The three MNIST models at 1 to 50 DDIM steps, from the same noise."""
    c1, c2, _ = st.columns([1, 1, 3])
    label = c1.selectbox("Digit", LABELS, index=0, key="pt_label", bind=URL,
                         format_func=lambda v: "any digit" if v == "any" else str(v))
    seed = c2.number_input("Seed", 0, 9999, DEFAULT_VIEW["sample_seed"], key="pt_seed", bind=URL)
    rows = sample_rows(shas, ckpts, None if label == "any" else int(label), int(seed))
    head = st.columns([1.3] + [1] * len(STEPS))
    head[0].markdown("**DDIM steps →**")
    for col, k in zip(head[1:], STEPS):
        col.markdown(f"**{k}**")
    for kind in MODELS:
        cols = st.columns([1.3] + [1] * len(STEPS), vertical_alignment="center")
        cols[0].markdown(f"predicts the **{TARGETS[kind]}**  \n`{MODELS[kind]}`")
        for col, image in zip(cols[1:], rows[kind]):
            col.image(image, width="stretch")
    st.caption(f"{N_SAMPLES} samples per cell, drawn from the same starting noise in every cell: only the target and "
               "the number of steps change.")


st.subheader("Three networks, one noisy digit")
outputs_section()
with st.container(border=True):
    lesson("prediction_targets", "reading")

# ------------------------------------------------------------------ MNIST: same everything but the target
st.subheader("MNIST: the same network, schedule and training, only the target differs")
lesson("prediction_targets", "mnist")
if ready:
    samples_section()
    mtime = manifest_mtime()
    left, right = st.columns(2, gap="large")
    with left:
        chart(quality_chart(shas, mtime), width="stretch", key="pt_quality")
        st.caption("Measured offline by `python -m core.evaluate` on 1,000 class-conditional samples (100 per digit), "
                   "judged by the shipped MNIST classifier. Confident: the classifier gives one digit at least 90 % "
                   "probability. Fréchet / floor: distance to real digits in the classifier's features, divided by "
                   "that between two sets of real digits (1 = as close as real digits get).")
    with right:
        chart(oneshot_chart(shas, mtime), width="stretch", key="pt_oneshot")
        st.caption("The one-shot estimate Î₀ made from Iₜ, on 64 held-out digits, one noise draw each, "
                   "at 40 values of t (`python -m core.evaluate --loss-curve`).")
    with st.container(border=True):
        lesson("prediction_targets", "mnist-reading")

# ------------------------------------------------------------------ the paper's toy
st.subheader("Why: the toy of “Back to Basics”, live")
base = TargetToyConfig()
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("prediction_targets", "toy")
    ask("pt_dim")
with right:
    chart(toy_grid_chart(), width="stretch", key="pt_toy_grid")
    st.caption(f"Dark grey: the data ({base.dataset}). Colour: 1,000 samples (50 Euler steps) projected back to the plane. "
               f"W₂: exact 2-Wasserstein distance to 1,000 fresh data points (two sets of 1,000 real points: "
               f"{toy_floor(base.dataset):.2f}). "
               f"Each network: {base.depth + 1} linear layers, {base.hidden} wide, ReLU, {base.steps:,} training steps.")
    show_code(velocity_from, flow_objective, label="The code: the v-loss for every target")


def toy_run_view() -> None:
    """The student's cell: progress while it trains, then its samples next to the data."""
    job = jobs.get(JOB)
    if job is None:
        st.info("Pick a target and a dimension and press **Train**: a fresh network trains in the background "
                "(about 10-30 s on one core) and its samples appear here.", icon=":material/model_training:")
        return
    p = job.progress
    if job.running:
        st.progress(min(1.0, p.step / max(1, p.total)), text=f"training: step {p.step} of {p.total}")
        return
    if st.session_state.get("pt_job_seen") is not job:  # it just ended: one full rerun stops the polling
        st.session_state["pt_job_seen"] = job
        st.rerun()
    if job.status == "failed" or job.result is None:
        st.error(f"Training failed: {job.error}")
        return
    run, samples = job.result
    cell = {(run.cfg.prediction, run.cfg.dim): GridCell(run.cfg, samples.points, samples.w2, run.losses, run.seconds)}
    chart(toy_grid_figure(cell, toy_data(run.cfg.dataset), height=380), width="stretch", key="pt_toy_mine")
    st.caption(f"Your {TOY_NAMES[run.cfg.prediction]} network in D = {run.cfg.dim} ({len(run.losses):,} steps, "
               f"width {run.cfg.hidden}, {run.seconds:.1f} s): W₂ = {samples.w2:.2f}.")


@st.fragment
def toy_section() -> None:
    """Train one cell of the grid live, in the background."""
    left, right = st.columns([2, 3], gap="large")
    with left:
        c1, c2 = st.columns(2)
        prediction = c1.selectbox("Target", TOY_TARGETS, format_func=TOY_NAMES.get, key="pt_toy_target", bind=URL)
        dim = c2.select_slider("Dimension D", [*DIMS, 128, 256, 1024], value=512, key="pt_toy_dim", bind=URL)
        c3, c4 = st.columns(2)
        steps = c3.select_slider("Training steps", [500, 1000, 2000, 4000], value=TargetToyConfig().steps,
                                 key="pt_toy_steps", bind=URL)
        hidden = c4.select_slider("Width", [64, 128, 256, 512], value=256, key="pt_toy_hidden", bind=URL)
        b1, b2 = st.columns(2)
        if b1.button("Train", type="primary", icon=":material/play_arrow:", key="pt_toy_train", width="stretch"):
            cfg = TargetToyConfig(prediction=prediction, dim=int(dim), steps=int(steps), hidden=int(hidden))

            def run(progress, cfg=cfg):
                result = train_target_toy(cfg, progress.report)
                return result, sample_target_toy(result)

            jobs.launch(JOB, run, cfg.steps)
        job = jobs.get(JOB)
        if b2.button("Stop", icon=":material/stop:", key="pt_toy_stop", width="stretch",
                     disabled=job is None or not job.running) and job is not None:
            job.progress.stop.set()
    with right:
        running = job is not None and job.running
        st.fragment(toy_run_view, run_every=0.5 if running else None)()


st.markdown("##### Train one cell yourself")
toy_section()
