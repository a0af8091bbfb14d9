"""Part 8, flow matching: pairings, live training of a 2-D velocity field, ODE solvers, and MNIST flows."""

from __future__ import annotations

import uuid

import streamlit as st

from core.data import CIFAR10_CLASSES, TOY_DATASETS
from core.export import png_bytes, side_by_side
from core.flow import block_ot_permutation
from core.live.toy_flow import ToyFlowConfig, train_both
from core.solvers import SOLVERS, solve_fixed
from core.training import flow_objective
from ui import jobs
from ui.code import show_code
from ui.export import download_gif, download_png, slug
from ui.fig_flow_matching import (
    DEFAULT_VIEW,
    MNIST_MODELS,
    PHOTO_MODEL,
    SOLVER_NAMES,
    STEP_COUNTS,
    default_model_id,
    error_chart,
    field_chart,
    loss_figure,
    pairs_chart,
    pairs_view,
    paths_chart,
    paths_gif,
    samples_row,
    sampling_noise_w2,
    solver_view,
    straightness_text,
    trained_loss_chart,
)
from ui.lessons import lesson
from ui.models import shipped
from ui.predict import ask
from ui.present import chart
from ui.share import URL
from ui.tables import markdown_table
from ui.warm import default_flows

PAGE = "flow_matching"
JOB = "fm_job"
SOURCES = {"gaussian": "noise N(0, I)", "8gaussians": "8 Gaussians"}  # the lecture starts from noise
TARGETS = {name: name for name in TOY_DATASETS}
TARGETS.update({"8gaussians": "8 Gaussians", "gaussian": "Gaussian N(0, I)"})
DEFAULT = ToyFlowConfig()


# ---------------------------------------------------------------- the student's models


def current_models(source: str, target: str):
    """The student's last trained pair if it matches the chosen data, else the default pair: ``(id, results)``."""
    mine = st.session_state.get("fm_models")
    if mine and mine["config"].source == source and mine["config"].target == target:
        return mine["id"], mine["results"]
    with st.spinner("Training the two default models (a few seconds, once per server)..."):
        return default_model_id(source, target), default_flows(source, target)


def training_config() -> ToyFlowConfig:
    s = st.session_state
    return ToyFlowConfig(
        source=s.get("fm_source", DEFAULT.source), target=s.get("fm_target", DEFAULT.target),
        steps=int(s.get("fm_steps", DEFAULT.steps)), batch_size=int(s.get("fm_batch", DEFAULT.batch_size)),
        ot_batch=int(s.get("fm_ot_block", DEFAULT.ot_batch)), hidden=int(s.get("fm_hidden", DEFAULT.hidden)),
        depth=int(s.get("fm_depth", DEFAULT.depth)), lr=float(s.get("fm_lr", DEFAULT.lr)), seed=int(s.get("fm_seed", 0)),
    )


def start_training() -> None:
    cfg = training_config()
    job = jobs.launch(JOB, lambda progress: train_both(cfg, progress.report), 2 * cfg.steps)
    if job is not None:
        st.session_state["fm_job_config"] = cfg
        st.session_state["fm_job_collected"] = False


def training_panel() -> None:
    """Progress, loss curves and a Stop button while the job runs; keeps the result when it ends."""
    job = jobs.get(JOB)
    if job is None:
        mine = st.session_state.get("fm_models")
        if mine:
            r = mine["results"]
            chart(trained_loss_chart(mine["id"], r, mine["config"].steps), width="stretch", key="fm_loss_chart")
        else:
            st.info("Press **Train both models** to watch the loss go down live. Until then the page shows two "
                    "models trained with the default settings.", icon=":material/model_training:")
        return
    cfg = st.session_state["fm_job_config"]
    p = job.progress
    losses = list(p.losses)
    st.progress(min(1.0, p.step / max(1, p.total)),
                text=f"{job.status}: step {p.step} of {p.total} (random pairing, then OT pairing)")
    chart(loss_figure({"random": losses[: cfg.steps], "ot": losses[cfg.steps :]}, cfg.steps), width="stretch", key="fm_loss_chart")
    if job.running:
        st.button("Stop", key="fm_stop", icon=":material/stop:", on_click=job.progress.stop.set)
        return
    if job.status == "failed":
        st.error(f"Training failed: {job.error}")
        return
    if not st.session_state.get("fm_job_collected"):
        st.session_state["fm_job_collected"] = True
        results = job.result or {}
        if set(results) == {"random", "ot"}:
            st.session_state["fm_models"] = {"id": uuid.uuid4().hex, "config": cfg, "results": results}
            st.rerun()  # redraw the whole page with the new models
        else:
            st.warning("Stopped before the OT model started: the models shown below are unchanged.")
    mine = st.session_state.get("fm_models")
    if mine and job.status in ("done", "stopped"):
        secs = {k: v.seconds for k, v in mine["results"].items()}
        st.caption(f"{job.status.capitalize()} in {job.seconds:.1f} s (random {secs['random']:.1f} s, OT {secs['ot']:.1f} s, "
                   f"{sum(len(v.losses) for v in mine['results'].values())} steps in all).")


# ---------------------------------------------------------------- page

st.title("8. Flow matching")
top_l, top_r = st.columns([3, 2], gap="large")
with top_l:
    lesson(PAGE)
with top_r, st.container(border=True):
    lesson(PAGE, "equations")

# 1. pairing
st.header("1. Who goes with whom?")
left, right = st.columns([1, 2], gap="large")
with left:
    lesson(PAGE, "pairing")
    source = st.selectbox("Source X (t = 0)", list(SOURCES), format_func=SOURCES.get, key="fm_source", bind=URL)
    target = st.selectbox("Target Y (t = 1)", list(TARGETS), index=list(TARGETS).index(DEFAULT.target),
                          format_func=TARGETS.get, key="fm_target", bind=URL)
    c1, c2 = st.columns(2)
    n_pairs = c1.slider("Pairs drawn", 8, 256, DEFAULT_VIEW["n_pairs"], step=8, key="fm_npairs", bind=URL)
    seed = int(c2.number_input("Seed", 0, 9999, 0, key="fm_seed", bind=URL))
with right:
    pairs = pairs_view(source, target, n_pairs, seed)
    chart(pairs_chart(source, target, n_pairs, seed), width="stretch", key="fm_pairs_chart")
    m = st.columns(2)
    m[0].metric("Crossing pairs of segments", f"{pairs['ot'].crossings} with OT",
                delta=f"{pairs['ot'].crossings - pairs['random'].crossings} vs random", delta_color="inverse")
    m[1].metric("Total cost  Σ ‖Xᵢ − Yᵢ‖²", f"{pairs['ot'].cost:.0f} with OT",
                delta=f"{pairs['ot'].cost - pairs['random'].cost:.0f} vs random", delta_color="inverse")

# 2. training
st.header("2. Train the velocity network, live")
left, right = st.columns([1, 2], gap="large")
with left:
    lesson(PAGE, "training")
    st.slider("Training steps (each model)", 100, 3000, DEFAULT.steps, step=100, key="fm_steps", bind=URL)
    with st.expander("Network and optimiser"):
        a, b = st.columns(2)
        a.select_slider("Width", [32, 64, 128, 256], DEFAULT.hidden, key="fm_hidden", bind=URL)
        b.slider("Hidden layers", 1, 6, DEFAULT.depth, key="fm_depth", bind=URL)
        a.select_slider("Batch size", [64, 128, 256, 512], DEFAULT.batch_size, key="fm_batch", bind=URL)
        b.select_slider("OT block", [16, 32, 64, 128, 256], DEFAULT.ot_batch, key="fm_ot_block", bind=URL,
                        help="Exact OT pairs the batch in blocks of this many points.")
        a.select_slider("Learning rate", [1e-3, 3e-3, 1e-2, 3e-2], DEFAULT.lr, key="fm_lr", bind=URL, format_func=lambda v: f"{v:g}")
    running = (job := jobs.get(JOB)) is not None and job.running
    st.button("Train both models (random, then OT)", key="fm_train", type="primary", icon=":material/play_arrow:",
              on_click=start_training, disabled=running)
with right:
    st.fragment(run_every=0.5 if running else None)(training_panel)()

model_id, models = current_models(source, target)
trained = st.session_state.get("fm_models")
if trained and trained["id"] == model_id:
    cfg = trained["config"]
    st.caption(f"Below: your models, {cfg.source} → {cfg.target}, {cfg.steps} steps each, width {cfg.hidden}, "
               f"{cfg.depth} hidden layers, seed {cfg.seed}.")
else:
    st.caption(f"Below: two models trained with the default settings on {SOURCES[source]} → {TARGETS[target]} "
               f"({DEFAULT.steps} steps each). Train your own above.")

# 3. field
st.header("3. The learned velocity field")
left, right = st.columns([1, 2], gap="large")
with left:
    lesson(PAGE, "field")
    t = st.slider("Time t", 0.0, 1.0, DEFAULT_VIEW["t"], step=0.05, key="fm_t", bind=URL)
with right:
    chart(field_chart(model_id, models, source, target, t, seed), width="stretch", key="fm_field_chart")

# 4. solvers
st.header("4. Solve the ODE: paths, solvers and their cost")
left, right = st.columns([1, 2], gap="large")
with left:
    lesson(PAGE, "solvers")
    a, b = st.columns(2)
    method = a.selectbox("Solver", list(SOLVERS), index=list(SOLVERS).index(DEFAULT_VIEW["method"]),
                         format_func=SOLVER_NAMES.get, key="fm_solver", bind=URL)
    steps = b.slider("Steps", 1, 50, DEFAULT_VIEW["ode_steps"], key="fm_ode_steps", bind=URL,
                     help="Dopri5 chooses its own steps (tolerance 1e-3); here this only sets how many points of each path are drawn.")
with right:
    reports, _ = solver_view(model_id, models, source, target, method, steps, seed)
    chart(paths_chart(model_id, models, source, target, method, steps, seed), width="stretch", key="fm_paths_chart")
    download_gif("Download the paths (GIF)", slug("flow-paths", source, target, method, f"{steps}steps", f"seed{seed}") + ".gif",
                 lambda: paths_gif(model_id, models, source, target, method, steps, seed), key="fm_gif")
    st.markdown(markdown_table({
        "model": ["random pairing", "OT pairing"],
        "NFE": [reports[k].nfe for k in ("random", "ot")],
        "straightness": [straightness_text(reports[k].straightness) for k in ("random", "ot")],
        "W2 to target": [f"{reports[k].w2:.3f}" for k in ("random", "ot")],
        "error vs reference": [f"{reports[k].ref_error:.4f}" for k in ("random", "ot")],
    }))
    st.caption(f"W2 floor: two independent sets of 1000 target points are W2 = {sampling_noise_w2(target, seed):.2f} apart.")
    chart(error_chart(model_id, models, source, target, method, steps, seed, SOLVER_NAMES[method]),
                    width="stretch", key="fm_error_chart")
    show_code(flow_objective, block_ot_permutation, solve_fixed, label="The code: the loss, the OT pairing, the solvers")

# 5. MNIST
st.header("5. The same on digits: MNIST with 1, 2, 5 and 10 steps")
left, right = st.columns([1, 2], gap="large")
with left:
    lesson(PAGE, "mnist")
    ask("fm_one_step")
    digit = st.selectbox("Digit", ["any"] + list(range(10)), key="fm_digit", bind=URL)
    guidance = st.slider("Guidance w", 1.0, 5.0, 2.0, step=0.5, key="fm_guidance", bind=URL, disabled=digit == "any",
                         help="Classifier-free guidance toward the chosen digit.")
    mseed = int(st.number_input("Seed", 0, 9999, 0, key="fm_mnist_seed", bind=URL))
with right:
    label = None if digit == "any" else int(digit)
    for how, name in MNIST_MODELS.items():
        ckpt = shipped(name)
        if ckpt is None:
            continue
        st.markdown(f"**{name}** ({'random' if how == 'random' else 'optimal-transport'} pairing), Euler")
        cols = st.columns(len(STEP_COUNTS))
        row = samples_row(name, ckpt, label, guidance if label is not None else 1.0, mseed)
        for col, (k, nfe, img) in zip(cols, row):
            col.image(img, caption=f"{k} step{'s' if k > 1 else ''} (NFE {nfe})", width="stretch")
        download_png("PNG of this row", slug(name, "euler", "-".join(str(k) for k, _, _ in row) + "steps",
                                             f"digit{label}" if label is not None else "any", f"seed{mseed}") + ".png",
                     lambda row=row: png_bytes(side_by_side(*[[img] for _, _, img in row])[0]), key=f"fm_png_{how}")

st.markdown("##### And on photos? The same recipe on CIFAR-10")
left, right = st.columns([1, 2], gap="large")
with left:
    lesson(PAGE, "photos")
    photo_class = st.selectbox("Class", range(len(CIFAR10_CLASSES)), index=DEFAULT_VIEW["photo_class"],
                               format_func=CIFAR10_CLASSES.__getitem__, key="fm_photo_class", bind=URL)
    photo_w = st.slider("Guidance w", 1.0, 5.0, DEFAULT_VIEW["photo_guidance"], step=0.5, key="fm_photo_guidance", bind=URL)
with right:
    if (ckpt := shipped(PHOTO_MODEL)) is not None:
        st.markdown(f"**{PHOTO_MODEL}** (optimal-transport pairing), Euler, class *{CIFAR10_CLASSES[photo_class]}*")
        cols = st.columns(len(STEP_COUNTS))
        for col, (k, nfe, img) in zip(cols, samples_row(PHOTO_MODEL, ckpt, photo_class, photo_w, mseed, n=4, ncols=2)):
            col.image(img, caption=f"{k} step{'s' if k > 1 else ''} (NFE {nfe})", width="stretch")
