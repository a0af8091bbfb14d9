"""Part 4. Training: a network learns to predict the noise that was added, at random steps t."""

from __future__ import annotations

import streamlit as st

from core.data import TOY_DATASETS
from core.live.toy_diffusion import ToyConfig
from core.training import diffusion_objective, train
from ui import jobs, keys
from ui.components import drawing
from ui.components.chart import chart
from ui.components.code import show_code
from ui.components.lessons import lesson
from ui.components.predict import answered, ask
from ui.components.waiting import computing
from ui.figures import training as fig
from ui.i18n import decimal, number, tr
from ui.resources.models import shipped
from ui.resources.warm import reference_toy_model
from ui.share import URL

JOB = keys.TOY_DIFFUSION_JOB  # the background run (ui.jobs), also read by the reverse page


def toy_name(dataset: str) -> str:
    """A toy data set's name (or the student's drawing), as the student reads it."""
    return drawing.label(dataset)


def chosen() -> str:
    """The data chosen: a toy's name, or the drawing's (``drawn:CODE``)."""
    return drawing.dataset(st.session_state.get("train_dataset", "moons"))


def live_view(job: jobs.Job | None) -> None:
    """The student's run (its loss curve and latest samples), or before the first run the reference model."""
    if job is None:
        reference_view(chosen())
        return
    live: fig.LiveToy = job.config
    cfg, losses = live.cfg, list(job.progress.losses)
    st.markdown(tr("training.live", dataset=toy_name(cfg.dataset), loss=fig.recent_loss(losses)))
    chart(fig.loss_curve(losses, cfg.steps), width="stretch")
    caption = (tr("training.live.samples_after", steps=number(live.at)) if live.samples is not None
               else tr("training.live.samples"))
    chart(fig.samples_vs_data(fig.toy_data(cfg.dataset), live.samples, caption=caption), width="stretch")


def reference_view(dataset: str) -> None:
    """Before the student's first run: a model trained with the default settings (shipped, or trained once per server:
    a progress bar meanwhile), its loss and its samples."""
    ref = computing(tr("training.reference.spinner", dataset=toy_name(dataset)), reference_toy_model, dataset)
    samples = fig.reference_samples(dataset)
    cfg = ref.cfg
    st.markdown(tr("training.reference", dataset=toy_name(dataset), steps=number(cfg.steps), seed=cfg.seed,
                   loss=decimal(fig.reference_loss(ref), 3)))
    chart(fig.loss_curve(ref.losses, cfg.steps, title=tr("training.reference.loss")), width="stretch")
    chart(fig.samples_vs_data(fig.toy_data(dataset), samples, caption=tr("training.reference.samples")), width="stretch")


st.title(f"4. {tr('part.4')}")
lesson("training")

left, right = st.columns([1, 1], gap="large")  # room for the loss formula on one line at 1280 px
with left:
    with st.container(border=True):
        lesson("training", "objective")
    watch = lambda: lesson("training", "watch", facts=fig.facts(chosen()))
    ask("train_floor", reveal=watch)  # the notes say where the loss goes
    c1, c2 = st.columns(2)
    names = {name: toy_name(name) for name in (*TOY_DATASETS[1:], drawing.OPTION)}  # a table, not tr(): AppTest formats outside the session
    c1.selectbox(tr("training.toy_data"), list(names), index=list(names).index("moons"), key="train_dataset", bind=URL,
                 format_func=names.get)
    c2.number_input(tr("common.seed"), 0, 9999, 0, key="train_seed", bind=URL)
    if st.session_state["train_dataset"] == drawing.OPTION:
        drawing.pad("train_pad")
    st.slider(tr("training.steps"), 500, 10000, 3000, step=500, key="train_steps", bind=URL, help=tr("training.steps.help"))
    cfg = ToyConfig(dataset=chosen(), steps=st.session_state["train_steps"], seed=st.session_state["train_seed"])
    job = jobs.controls(JOB, lambda: fig.toy_run(cfg), keys=("train_start", "train_stop"))
    if job is not None and not job.running and job.config.cfg != cfg:
        st.info(tr("training.changed"), icon=":material/info:")
    if not answered("train_floor"):
        with st.expander(tr("training.watch"), icon=":material/visibility:"):
            watch()
with right:
    jobs.live(JOB, live_view, every=0.7)

st.divider()
st.subheader(tr("training.mnist"))
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("training", "mnist-loss")
with right:
    ckpt = shipped(fig.MNIST_MODEL)
    if ckpt is not None:
        with st.spinner(tr("training.mnist.spinner")):  # shown only if it takes a moment: measured once per server
            res = fig.mnist_loss_by_t(ckpt)
        chart(fig.loss_by_t_figure(res["ts"], res["eps_mse"], res["eps_sem"], res["x0_mse"], res["alpha_bars"]), width="stretch")
        st.caption(tr("training.mnist.caption", model=fig.MNIST_MODEL, n=fig.MNIST_IMAGES))
        lesson("training", "mnist-loss-reading")
        show_code(diffusion_objective, train, label=tr("training.code"))
