"""Part 8, flow matching: pairings, live training of a 2-D velocity field, ODE solvers, and MNIST flows."""

from __future__ import annotations

import streamlit as st

from core.data import CIFAR10_CLASSES, TOY_DATASETS
from core.export import png_bytes, side_by_side
from core.flow import block_ot_permutation
from core.live.toy_flow import ToyFlowConfig
from core.solvers import SOLVERS, solver
from core.training import flow_objective
from ui import jobs, present
from ui.components import drawing
from ui.components.chart import chart
from ui.components.code import show_code
from ui.components.export import download_gif, download_png, slug
from ui.components.film import follow, start_index
from ui.components.lessons import lesson
from ui.components.predict import answered, ask
from ui.components.tables import markdown_table
from ui.components.waiting import computing
from ui.figures.flow_matching import (
    DEFAULT_VIEW,
    DOPRI5_POINTS,
    FIELD_TIMES,
    PHOTO_MODEL,
    STEP_COUNTS,
    default_model_id,
    error_chart,
    field_chart,
    flow_loss_figure,
    flow_run,
    frontier,
    frontier_verdict,
    mnist_models,
    pairing_name,
    pairs_chart,
    pairs_view,
    paths_chart,
    paths_gif,
    samples_row,
    sampling_noise_w2,
    solver_name,
    solver_view,
    straightness_text,
    trained_loss_chart,
)
from ui.i18n import decimal, language, number, percent, tr
from ui.present import presenting
from ui.resources.models import shipped
from ui.resources.warm import default_flows
from ui.share import URL

PAGE = "flow_matching"
JOB = "fm_job"
SOURCES = ("gaussian", "8gaussians", drawing.OPTION2, drawing.OPTION)  # the lecture starts from noise; or a drawing
TARGETS = (*TOY_DATASETS, drawing.OPTION, drawing.OPTION2)
DEFAULT = ToyFlowConfig()
# the names the boxes show, in this run's language (dicts, not tr() at format time: a test harness formats outside the run)
SOURCE_NAMES = {name: tr("flow.source.gaussian") if name == "gaussian" else drawing.label(name) for name in SOURCES}
TARGET_NAMES = {name: tr("flow.data.gaussian") if name == "gaussian" else drawing.label(name) for name in TARGETS}


def data_name(name: str, names: dict[str, str]) -> str:
    """A source's or target's name as the student reads it (``names``), the drawing's sets included."""
    return names.get(name) or drawing.label(name)
SOLVER_NAMES = {name: solver_name(name) for name in SOLVERS}
CLASS_NAMES = [tr(f"cifar.{name}") for name in CIFAR10_CLASSES]
DIGITS = {"any": tr("flow.mnist.any")} | {d: str(d) for d in range(10)}


def steps_caption(k: int, nfe: int) -> str:
    return tr("flow.images.one_step" if k == 1 else "flow.images.steps", k=k, nfe=nfe)


# ---------------------------------------------------------------- the student's models


def current_models(source: str, target: str):
    """The student's last trained pair if it matches the chosen data, else the default pair: ``(id, results)``."""
    mine = st.session_state.get("fm_models")
    if mine and mine["config"].source == source and mine["config"].target == target:
        return mine["id"], mine["results"]
    return default_model_id(source, target), computing(tr("flow.training.defaults"), default_flows, source, target)


def training_config() -> ToyFlowConfig:
    s = st.session_state
    return ToyFlowConfig(
        source=drawing.dataset(s.get("fm_source", DEFAULT.source)), target=drawing.dataset(s.get("fm_target", DEFAULT.target)),
        steps=int(s.get("fm_steps", DEFAULT.steps)), batch_size=int(s.get("fm_batch", DEFAULT.batch_size)),
        ot_batch=int(s.get("fm_ot_block", DEFAULT.ot_batch)), hidden=int(s.get("fm_hidden", DEFAULT.hidden)),
        depth=int(s.get("fm_depth", DEFAULT.depth)), lr=float(s.get("fm_lr", DEFAULT.lr)), seed=int(s.get("fm_seed", 0)),
    )


def keep_models(job: jobs.Job) -> None:
    """A finished (or stopped) run: its models replace the page's, if both were trained."""
    if set(job.result or {}) == {"random", "ot"}:
        st.session_state["fm_models"] = {"id": job.id, "config": job.config, "results": job.result}


def training_panel(job: jobs.Job | None) -> None:
    """The loss curves: of the run as it goes, else of the models the page shows."""
    if job is not None:
        cfg, losses = job.config, list(job.progress.losses)
        chart(flow_loss_figure({"random": losses[: cfg.steps], "ot": losses[cfg.steps :]}, cfg.steps), width="stretch", key="fm_loss_chart")
        if job.running:
            st.caption(tr("flow.training.phases", steps=number(cfg.steps), total=number(2 * cfg.steps)))
            return
        mine = st.session_state.get("fm_models")
        if mine and mine["id"] == job.id:
            secs = {k: v.seconds for k, v in mine["results"].items()}
            st.caption(tr("flow.training.finished", random=decimal(secs["random"]), ot=decimal(secs["ot"])))
        elif job.status == "stopped":
            st.warning(tr("flow.training.stopped_early"))
        return
    st.info(tr("flow.training.press"), icon=":material/model_training:")
    source, target = (drawing.dataset(st.session_state.get(k, v)) for k, v in (("fm_source", DEFAULT.source), ("fm_target", DEFAULT.target)))
    # the default models' own curves, which the lesson's reading of the losses is about
    chart(trained_loss_chart(default_model_id(source, target), default_flows(source, target), DEFAULT.steps),
          width="stretch", key="fm_loss_chart")


# ---------------------------------------------------------------- sections 3-5
# Each is a fragment: moving one of its widgets reruns and redraws that section only. A fragment rerun is called with
# the arguments of the last full run (the models and data chosen above).


@st.fragment
def field_section(model_id: str, models, source: str, target: str, seed: int) -> None:
    left, right = st.columns([1, 2], gap="large")
    with left:
        lesson(PAGE, "field")
    with right:  # t steps in the browser (the figure's own slider); a link opens it at its fm_t
        start = start_index([f"{t:g}" for t in FIELD_TIMES], "fm_t", FIELD_TIMES.index(DEFAULT_VIEW["t"]))
        chart(field_chart(model_id, models, source, target, start, seed), width="stretch", key="fm_field_chart")
        follow("fm_field_chart", "fm_t", f"{DEFAULT_VIEW['t']:g}")  # its frame goes into the address


@st.fragment
def solvers_section(model_id: str, models, source: str, target: str, seed: int) -> None:
    left, right = st.columns([1, 2], gap="large")
    with left:
        lesson(PAGE, "solvers")
        a, b = st.columns(2)
        method = a.selectbox(tr("flow.solvers.solver"), list(SOLVERS), index=list(SOLVERS).index(DEFAULT_VIEW["method"]),
                             format_func=SOLVER_NAMES.get, key="fm_solver", bind=URL)
        steps = b.slider(tr("flow.solvers.steps"), 1, 50, DEFAULT_VIEW["ode_steps"], key="fm_ode_steps", bind=URL,
                         help=tr("flow.solvers.steps.help", points=DOPRI5_POINTS), disabled=method == "dopri5")
        steps = DOPRI5_POINTS if method == "dopri5" else steps  # Dopri5 picks its own steps; its paths drawn at these points
    with right:
        with st.spinner(tr("flow.solvers.solving")):
            reports, _ = solver_view(model_id, models, source, target, method, steps, seed)
        chart(paths_chart(model_id, models, source, target, method, steps, seed), width="stretch", key="fm_paths_chart")
        lang = language()  # the GIF is made when its button is pressed, outside this run: its titles in this language
        download_gif(tr("flow.solvers.gif"), slug("flow-paths", source, target, method, f"{steps}steps", f"seed{seed}") + ".gif",
                     lambda: paths_gif(model_id, models, source, target, method, steps, seed, lang), key="fm_gif")
        st.markdown(markdown_table({
            tr("flow.table.model"): [pairing_name(k) for k in ("random", "ot")],
            tr("flow.table.nfe"): [reports[k].nfe for k in ("random", "ot")],
            tr("flow.table.straightness"): [straightness_text(reports[k].straightness) for k in ("random", "ot")],
            tr("flow.table.w2"): [decimal(reports[k].w2, 3) for k in ("random", "ot")],
            tr("flow.table.error"): [decimal(reports[k].ref_error, 4) for k in ("random", "ot")],
        }))
        st.caption(tr("flow.solvers.floor", w2=decimal(sampling_noise_w2(target, seed), 2)))
        chart(error_chart(model_id, models, source, target, method, steps, seed), width="stretch", key="fm_error_chart")
        show_code(flow_objective, block_ot_permutation, solver(method), label=tr("flow.solvers.code"))  # what solve() runs


@st.fragment
def images_section() -> None:
    left, right = present.columns([1, 2], gap="large")
    with left:
        lesson(PAGE, "mnist")
        ask("fm_one_step")
        digit = st.selectbox(tr("flow.mnist.digit"), list(DIGITS), format_func=DIGITS.get, key="fm_digit", bind=URL)
        guidance = st.slider(tr("flow.mnist.guidance"), 1.0, 5.0, 2.0, step=0.5, key="fm_guidance", bind=URL,
                             disabled=digit == "any", help=tr("flow.mnist.guidance.help"))
        mseed = int(st.number_input(tr("common.seed"), 0, 9999, 0, key="fm_mnist_seed", bind=URL))
    with right:
        label = None if digit == "any" else int(digit)
        for how, name in mnist_models(label).items():
            ckpt = shipped(name)
            if ckpt is None:
                continue
            st.markdown(tr(f"flow.mnist.row.{how}", name=name))
            per_row = 2 if presenting() else len(STEP_COUNTS)  # a projector: digits of about 150 px
            cols = [c for _ in range(0, len(STEP_COUNTS), per_row) for c in st.columns(per_row)]
            row = computing(tr("flow.mnist.generating"), samples_row, ckpt, label, guidance if label is not None else 1.0, mseed)
            for col, (k, nfe, img) in zip(cols, row):
                if k == 1 and not answered("fm_one_step"):  # the one-step samples answer the question: they wait
                    col.info(tr("flow.mnist.predict_first"), icon=":material/psychology_alt:")
                    col.caption(steps_caption(k, nfe))
                else:
                    col.image(img, caption=steps_caption(k, nfe), width="stretch")
            download_png(tr("flow.mnist.png"), slug(name, "euler", "-".join(str(k) for k, _, _ in row) + "steps",
                                                 f"digit{label}" if label is not None else "any", f"seed{mseed}") + ".png",
                         lambda row=row: png_bytes(side_by_side(*[[img] for _, _, img in row])[0]), key=f"fm_png_{how}")
        if label is None and (measured := frontier(mnist_models(None))) is not None:  # the quality/speed frontier
            st.markdown(tr("flow.frontier.title", real=percent(measured["random"][STEP_COUNTS[-1]]["real_both_confident_share"])))
            st.markdown(markdown_table({
                tr("flow.frontier.model"): [pairing_name(how) for how in measured],
                **{tr("flow.frontier.steps", k=k): [tr("flow.frontier.cell", both=percent(rows[k]["both_confident_share"]),
                                                        frechet=decimal(rows[k]["frechet_ratio"], 2))
                                                     for rows in measured.values()] for k in STEP_COUNTS}}))
            st.caption(" ".join(tr(f"flow.frontier.{key}", **values) for key, values in frontier_verdict(measured)))

    st.markdown(f"##### {tr('flow.photos.header')}")
    left, right = st.columns([1, 2], gap="large")
    with left:
        lesson(PAGE, "photos")
        photo_class = st.selectbox(tr("flow.photos.class"), range(len(CIFAR10_CLASSES)), index=DEFAULT_VIEW["photo_class"],
                                   format_func=CLASS_NAMES.__getitem__, key="fm_photo_class", bind=URL)
        photo_w = st.slider(tr("flow.mnist.guidance"), 1.0, 5.0, DEFAULT_VIEW["photo_guidance"], step=0.5,
                            key="fm_photo_guidance", bind=URL)
    with right:
        if (ckpt := shipped(PHOTO_MODEL)) is not None:
            st.markdown(tr("flow.photos.row", name=PHOTO_MODEL, cls=CLASS_NAMES[photo_class]))
            cols = st.columns(len(STEP_COUNTS))
            row = computing(tr("flow.mnist.generating"), samples_row, ckpt, photo_class, photo_w, mseed, n=4, ncols=2)
            for col, (k, nfe, img) in zip(cols, row):
                col.image(img, caption=steps_caption(k, nfe), width="stretch")


# ---------------------------------------------------------------- page

st.title(f"8. {tr('part.8')}")
lesson(PAGE)
with st.expander(tr("flow.equations"), icon=":material/function:"):  # folded: the first figure shows on a projector's first screen
    lesson(PAGE, "equations")

# 1. pairing
st.header(tr("flow.pairing.header"))
left, right = st.columns([1, 2], gap="large")
with left:
    lesson(PAGE, "pairing")
    source = st.selectbox(tr("flow.pairing.source"), SOURCES, format_func=SOURCE_NAMES.get, key="fm_source", bind=URL)
    target = st.selectbox(tr("flow.pairing.target"), TARGETS, index=TARGETS.index(DEFAULT.target),
                          format_func=TARGET_NAMES.get, key="fm_target", bind=URL)
    if {source, target} & {drawing.OPTION, drawing.OPTION2}:  # two pens: a flow between two drawings
        drawing.pad("fm_pad", sets=2)
    source, target = drawing.dataset(source), drawing.dataset(target)  # the drawing's sets: drawn:CODE
    c1, c2 = st.columns(2)
    n_pairs = c1.slider(tr("flow.pairing.n"), 8, 256, DEFAULT_VIEW["n_pairs"], step=8, key="fm_npairs", bind=URL)
    seed = int(c2.number_input(tr("common.seed"), 0, 9999, 0, key="fm_seed", bind=URL))
with right:
    pairs = pairs_view(source, target, n_pairs, seed)
    chart(pairs_chart(source, target, n_pairs, seed), width="stretch", key="fm_pairs_chart")
    m = st.columns(2)
    m[0].metric(tr("flow.metric.crossings"), tr("flow.metric.with_ot", value=pairs["ot"].crossings),
                delta=tr("flow.metric.vs_random", value=pairs["ot"].crossings - pairs["random"].crossings), delta_color="inverse")
    m[1].metric(tr("flow.metric.cost"), tr("flow.metric.with_ot", value=f"{pairs['ot'].cost:.0f}"),
                delta=tr("flow.metric.vs_random", value=f"{pairs['ot'].cost - pairs['random'].cost:.0f}"), delta_color="inverse")

# 2. training (the models first: the first time on new data they train, under a spinner, before any panel reads them)
model_id, models = current_models(source, target)
st.header(tr("flow.training.header"))
left, right = st.columns([1, 2], gap="large")
with left:
    lesson(PAGE, "training")
    st.slider(tr("flow.training.steps"), 100, 3000, DEFAULT.steps, step=100, key="fm_steps", bind=URL)
    with st.expander(tr("flow.training.network")):
        a, b = st.columns(2)
        a.select_slider(tr("flow.training.width"), [32, 64, 128, 256], DEFAULT.hidden, key="fm_hidden", bind=URL)
        b.slider(tr("flow.training.depth"), 1, 6, DEFAULT.depth, key="fm_depth", bind=URL)
        a.select_slider(tr("flow.training.batch"), [64, 128, 256, 512], DEFAULT.batch_size, key="fm_batch", bind=URL)
        b.select_slider(tr("flow.training.ot_block"), [16, 32, 64, 128, 256], DEFAULT.ot_batch, key="fm_ot_block", bind=URL,
                        help=tr("flow.training.ot_block.help"))
        a.select_slider(tr("flow.training.lr"), [1e-3, 3e-3, 1e-2, 3e-2], DEFAULT.lr, key="fm_lr", bind=URL, format_func=lambda v: f"{v:g}")
    cfg = training_config()
    jobs.controls(JOB, lambda: flow_run(cfg), keys=("fm_train", "fm_stop"), train=tr("flow.training.train"))
with right:
    jobs.live(JOB, training_panel, on_done=keep_models)

trained = st.session_state.get("fm_models")
if trained and trained["id"] == model_id:
    cfg = trained["config"]
    done = {k: number(len(r.losses)) for k, r in trained["results"].items()}  # a stopped run: fewer than asked
    st.caption(tr("flow.models.yours", source=data_name(cfg.source, SOURCE_NAMES),
                  target=data_name(cfg.target, TARGET_NAMES), random=done["random"],
                  ot=done["ot"], width=cfg.hidden, depth=cfg.depth, seed=cfg.seed))
else:
    st.caption(tr("flow.models.default", source=data_name(source, SOURCE_NAMES),
                  target=data_name(target, TARGET_NAMES), steps=DEFAULT.steps))

# 3. field
st.header(tr("flow.field.header"))
field_section(model_id, models, source, target, seed)

# 4. solvers
st.header(tr("flow.solvers.header"))
solvers_section(model_id, models, source, target, seed)

# 5. MNIST and photos
st.header(tr("flow.mnist.header"))
images_section()
