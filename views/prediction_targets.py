"""Part 6. Prediction targets: predict the noise, the image or the velocity? In high dimension, the image wins.

Each section is a fragment: moving one of its widgets reruns that section only.
"""

from __future__ import annotations

import streamlit as st

from core.diffusion import convert_prediction
from core.flow import velocity_from
from core.live.targets import DIMS, TargetToyConfig
from core.training import flow_objective
from ui import jobs
from ui.components.chart import chart
from ui.components.code import show_code
from ui.components.film import film
from ui.components.lessons import lesson
from ui.components.predict import answered, ask
from ui.components.waiting import computing
from ui.figures.prediction_targets import (
    DEFAULT_VIEW,
    MODELS,
    N_SAMPLES,
    STEPS,
    T_VALUES,
    TOY_TARGETS,
    facts,
    heldout,
    manifest_mtime,
    oneshot_chart,
    output_columns,
    outputs_film,
    quality_chart,
    sample_rows,
    target_name,
    toy_data,
    toy_floor,
    toy_grid_chart,
    toy_grid_figure,
    toy_name,
    toy_run,
)
from ui.i18n import decimal, number, tr
from ui.resources.models import shipped
from ui.share import URL

JOB = "pt_job"
LABELS = ["any", *range(10)]

st.title(f"6. {tr('part.6')}")
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
        digit = st.number_input(tr("targets.digit"), 0, len(heldout()) - 1, DEFAULT_VIEW["digit"], key="pt_digit",
                                bind=URL, help=tr("targets.digit.help"))
    with right:
        if ready:
            frames = outputs_film(ckpts, int(digit), DEFAULT_VIEW["seed"])
            film(frames, key="pt_outputs", columns=output_columns(), url="pt_t", default=T_VALUES.index(DEFAULT_VIEW["t"]),
                 file_name=f"prediction-targets-digit{digit}-t", prefix="t = ")
            show_code(convert_prediction, label=tr("targets.outputs.code"))
            st.caption(tr("targets.outputs.caption"))


@st.fragment
def samples_section() -> None:
    """The three MNIST models at 1 to 50 DDIM steps, from the same noise."""
    c1, c2, _ = st.columns([1, 1, 3])
    # option names made in the run: AppTest calls format_func outside it, where tr() would answer in English
    names = {v: tr("targets.samples.any") if v == "any" else str(v) for v in LABELS}
    label = c1.selectbox(tr("targets.samples.digit"), LABELS, index=0, key="pt_label", bind=URL, format_func=names.get)
    seed = c2.number_input(tr("common.seed"), 0, 9999, DEFAULT_VIEW["sample_seed"], key="pt_seed", bind=URL)
    rows = computing(tr("targets.samples.spinner"), sample_rows, ckpts, None if label == "any" else int(label), int(seed))
    head = st.columns([1.3] + [1] * len(STEPS))
    head[0].markdown(tr("targets.samples.steps"))
    for col, k in zip(head[1:], STEPS):
        col.markdown(f"**{k}**")
    for kind in MODELS:
        cols = st.columns([1.3] + [1] * len(STEPS), vertical_alignment="center")
        cols[0].markdown(tr("targets.samples.row", target=target_name(kind), model=MODELS[kind]))
        for col, image in zip(cols[1:], rows[kind]):
            col.image(image, width="stretch")
    st.caption(tr("targets.samples.caption", n=N_SAMPLES))


st.subheader(tr("targets.outputs.subheader"))
outputs_section()
with st.container(border=True):
    lesson("prediction_targets", "reading")

# ------------------------------------------------------------------ MNIST: same everything but the target
st.subheader(tr("targets.mnist.subheader"))
lesson("prediction_targets", "mnist")
if ready:
    samples_section()
    mtime = manifest_mtime()
    left, right = st.columns(2, gap="large")
    with left:
        chart(quality_chart(shas, mtime), width="stretch", key="pt_quality")
        st.caption(tr("targets.quality.caption"))
    with right:
        chart(oneshot_chart(shas, mtime), width="stretch", key="pt_oneshot")
        st.caption(tr("targets.oneshot.caption"))
    with st.container(border=True):
        lesson("prediction_targets", "mnist-reading", facts=facts(ckpts))

# ------------------------------------------------------------------ the paper's toy
st.subheader(tr("targets.toy.subheader"))
base = TargetToyConfig()
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("prediction_targets", "toy")
    ask("pt_dim")
with right:  # the grid answers the question: it waits until the student has committed
    if answered("pt_dim"):
        with st.spinner(tr("targets.toy.spinner")):  # shown only if the grid is not ready yet
            grid = toy_grid_chart()
        chart(grid, width="stretch", key="pt_toy_grid")
        st.caption(tr("targets.toy.caption", data=tr(f"toy.{base.dataset}"), floor=decimal(toy_floor(base.dataset), 2),
                      layers=base.depth + 1, hidden=base.hidden, steps=number(base.steps)))
        lesson("prediction_targets", "toy-seen")
    else:
        st.info(tr("targets.toy.predict_first"), icon=":material/psychology_alt:")
    show_code(velocity_from, flow_objective, label=tr("targets.toy.code"))


def toy_run_view(job: jobs.Job | None) -> None:
    """The student's cell: its samples next to the data, once trained."""
    if job is None:
        st.info(tr("targets.toy.ready"), icon=":material/model_training:")
        return
    if job.running or job.result is None:
        return
    cell = job.result
    chart(toy_grid_figure({cell.key: cell}, toy_data(cell.cfg.dataset), height=380), width="stretch", key="pt_toy_mine")
    st.caption(tr("targets.toy.mine", name=toy_name(cell.cfg.prediction), D=cell.cfg.dim, steps=number(len(cell.losses)),
                  hidden=cell.cfg.hidden, seconds=decimal(cell.seconds), w2=decimal(cell.w2, 2)))


@st.fragment
def toy_section() -> None:
    """Train one cell of the grid live, in the background."""
    left, right = st.columns([2, 3], gap="large")
    with left:
        c1, c2 = st.columns(2)
        names = {p: toy_name(p) for p in TOY_TARGETS}  # made in the run, as above
        prediction = c1.selectbox(tr("targets.toy.target"), TOY_TARGETS, format_func=names.get, key="pt_toy_target", bind=URL)
        dim = c2.select_slider(tr("targets.toy.dim"), [*DIMS, 128, 256, 1024], value=512, key="pt_toy_dim", bind=URL)
        c3, c4 = st.columns(2)
        steps = c3.select_slider(tr("targets.toy.steps"), [500, 1000, 2000, 4000], value=TargetToyConfig().steps,
                                 key="pt_toy_steps", bind=URL)
        hidden = c4.select_slider(tr("targets.toy.hidden"), [64, 128, 256, 512], value=256, key="pt_toy_hidden", bind=URL)
        cfg = TargetToyConfig(prediction=prediction, dim=int(dim), steps=int(steps), hidden=int(hidden))
        jobs.controls(JOB, lambda: toy_run(cfg), keys=("pt_toy_train", "pt_toy_stop"))
    with right:
        jobs.live(JOB, toy_run_view)


st.markdown(f"##### {tr('targets.toy.yourself')}")
toy_section()
