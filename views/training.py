"""Part 4. Training: a network learns to predict the noise that was added, at random steps t."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.data import TOY_DATASETS, sample_toy
from core.evaluation import diffusion_loss_curve
from core.live.toy_diffusion import ToyConfig, sample_toy_model, train_toy
from core.training import diffusion_objective, train
from ui import jobs, keys
from ui.code import show_code
from ui.fig_training import loss_by_t_figure, loss_curve, samples_vs_data
from ui.i18n import number, tr
from ui.lessons import lesson
from ui.models import measured, shipped
from ui.predict import answered, ask
from ui.present import chart
from ui.share import URL
from ui.warm import reference_toy_model

JOB = keys.TOY_DIFFUSION_JOB  # the background run (ui.jobs), also read by the reverse page
LIVE = "train_live"  # what the run shares with the page: the latest samples
MODEL_NAME = "mnist-ddpm-eps"
SNAPSHOT_EVERY = 500
MNIST_IMAGES = 64  # held-out digits behind the loss-vs-t curve


@st.cache_data(show_spinner=False)
def toy_data(dataset: str, n: int = 1000) -> np.ndarray:
    """Points of the toy distribution to draw beside the samples (fixed seed: the same picture every time)."""
    return sample_toy(dataset, n, seed=12345).numpy()


@st.cache_data(show_spinner=False, max_entries=16)
def reference_samples(dataset: str) -> np.ndarray:
    """600 samples (50 DDPM steps, seed 0) of the model trained earlier with the default settings on ``dataset``."""
    return sample_toy_model(reference_toy_model(dataset), 600, steps=50, seed=0).samples.numpy()


@st.cache_data(show_spinner=False, max_entries=4)
def mnist_loss_by_t(sha256: str, _ckpt) -> dict:
    """The shipped model's noise loss at 40 fixed t on held-out digits: from the manifest, or measured now."""
    return measured(MODEL_NAME, "loss_by_t", sha256) or diffusion_loss_curve(_ckpt, MNIST_IMAGES)


def toy_name(dataset: str) -> str:
    """A toy data set's name, as the student reads it."""
    return tr(f"toy.{dataset}")


def _run(cfg: ToyConfig, live: dict):
    """The background job: train, and every few hundred steps draw samples for the page to show."""

    def snapshot(model) -> None:
        live["samples"] = sample_toy_model(model, 600, steps=50, seed=0).samples.numpy()
        live["at"] = model.steps_done

    return lambda progress: train_toy(cfg, on_step=progress.report, on_snapshot=snapshot, snapshot_every=SNAPSHOT_EVERY)


def start_training(cfg: ToyConfig) -> None:
    live = {"samples": None, "at": 0, "cfg": cfg}
    if jobs.launch(JOB, _run(cfg, live), cfg.steps) is not None:
        st.session_state[LIVE] = live


def live_view(polling: bool) -> None:
    """Loss curve and samples of the current run; while polling, a finished run triggers one full rerun."""
    job, live = jobs.get(JOB), st.session_state.get(LIVE)
    if job is None or live is None:
        reference_view(st.session_state.get("train_dataset", "moons"))
        return
    if polling and not job.running:
        st.rerun()  # the run ended: redraw the whole page once, with the buttons in their new state
    cfg, p = live["cfg"], job.progress
    recent = np.mean(p.losses[-50:]) if p.losses else float("nan")
    st.markdown(tr("training.live", status=tr(f"training.status.{job.status}"), dataset=toy_name(cfg.dataset),
                   step=number(p.step), steps=number(cfg.steps), loss=f"{recent:.3f}" if p.losses else "–"))
    st.progress(min(1.0, p.step / cfg.steps))
    jobs.show_queue(job)
    if job.status == "failed":
        st.error(tr("training.live.failed", err=job.error))
    chart(loss_curve(p.losses, cfg.steps), width="stretch")
    caption = (tr("training.live.samples_after", steps=number(live["at"])) if live["samples"] is not None
               else tr("training.live.samples"))
    chart(samples_vs_data(toy_data(cfg.dataset), live["samples"], caption=caption), width="stretch")


def reference_view(dataset: str) -> None:
    """Before the student's first run: a model trained earlier with the default settings, its loss and its samples."""
    with st.spinner(tr("training.reference.spinner", dataset=toy_name(dataset))):
        ref = reference_toy_model(dataset)
        samples = reference_samples(dataset)
    cfg = ref.cfg
    st.markdown(tr("training.reference", dataset=toy_name(dataset), steps=number(cfg.steps), seed=cfg.seed,
                   loss=f"{np.mean(ref.losses[-50:]):.3f}"))
    chart(loss_curve(ref.losses, cfg.steps, title=tr("training.reference.loss")), width="stretch")
    chart(samples_vs_data(toy_data(dataset), samples, caption=tr("training.reference.samples")), width="stretch")


@st.fragment(run_every=0.7)
def live_polling() -> None:
    live_view(True)


st.title(f"4. {tr('part.4')}")
lesson("training")

left, right = st.columns([1, 1], gap="large")  # room for the loss formula on one line at 1280 px
with left:
    with st.container(border=True):
        lesson("training", "objective")
    ask("train_floor", reveal=lambda: lesson("training", "watch"))  # the notes say where the loss goes
    c1, c2 = st.columns(2)
    names = {name: toy_name(name) for name in TOY_DATASETS[1:]}  # a table, not tr(): AppTest formats outside the session
    c1.selectbox(tr("training.toy_data"), list(names), index=list(names).index("moons"), key="train_dataset", bind=URL,
                 format_func=names.get)
    c2.number_input(tr("common.seed"), 0, 9999, 0, key="train_seed", bind=URL)
    st.slider(tr("training.steps"), 500, 10000, 3000, step=500, key="train_steps", bind=URL, help=tr("training.steps.help"))
    cfg = ToyConfig(dataset=st.session_state["train_dataset"], steps=st.session_state["train_steps"],
                    seed=st.session_state["train_seed"])
    job = jobs.get(JOB)
    b1, b2 = st.columns(2)
    if b1.button(tr("training.start"), icon=":material/play_arrow:", type="primary", key="train_start", width="stretch"):
        start_training(cfg)
        job = jobs.get(JOB)
    if b2.button(tr("training.stop"), icon=":material/stop:", key="train_stop", width="stretch",
                 disabled=job is None or not job.running):
        job.progress.stop.set()
        job.thread.join(timeout=5)
        st.rerun()  # redraw the buttons: Stop disabled now
    live = st.session_state.get(LIVE)
    if live is not None and live["cfg"] != cfg and (job is None or not job.running):
        st.info(tr("training.changed"), icon=":material/info:")
    if not answered("train_floor"):
        with st.expander(tr("training.watch"), icon=":material/visibility:"):
            lesson("training", "watch")
with right:
    job = jobs.get(JOB)
    if job is not None and job.running:
        live_polling()
    else:
        live_view(False)

st.divider()
st.subheader(tr("training.mnist"))
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("training", "mnist-loss")
with right:
    ckpt = shipped(MODEL_NAME)
    if ckpt is not None:
        with st.spinner(tr("training.mnist.spinner")):  # shown only if it takes a moment: measured once per server
            res = mnist_loss_by_t(ckpt.sha256, ckpt)
        chart(loss_by_t_figure(res["ts"], res["eps_mse"], res["eps_sem"], res["x0_mse"], res["alpha_bars"]), width="stretch")
        st.caption(tr("training.mnist.caption", model=MODEL_NAME, n=MNIST_IMAGES))
        lesson("training", "mnist-loss-reading")
        show_code(diffusion_objective, train, label=tr("training.code"))
