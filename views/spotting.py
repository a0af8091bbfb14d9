"""Part 9. Spotting generated images: how a generator improves, what it over-produces, and what gives it away.

Each section is a fragment: moving one of its widgets reruns that section only.
"""

from __future__ import annotations

import streamlit as st

from core.evaluation.quality import CLASSIFIERS
from core.forensics import power_2d, radial_spectrum, upsample
from core.forensics.evolution import EVOLUTION_MODEL, best_of
from core.forensics.quiz import QUIZ_SOURCES
from core.forensics.shipped import stage_names
from ui.components.chart import chart
from ui.components.code import show_code
from ui.components.lessons import lesson
from ui.components.predict import answered, ask
from ui.figures.spotting import (
    CANDIDATES,
    DEFAULT_VIEW,
    GRID_SAMPLES,
    GUIDANCE,
    STRIP_STEPS,
    UNCONDITIONAL,
    attribute_chart,
    big,
    class_histogram_chart,
    cue_text,
    detection_chart,
    detection_report,
    detector_verdicts,
    evolution_chart,
    facts,
    film_strip_chart,
    guidance_chart,
    guidance_grid_chart,
    guidance_report,
    pool,
    quiz_order,
    report,
    report_key,
    source_label,
    spectra_2d_chart,
    spectra_chart,
    spectra_model_names,
    upsampling_chart,
)
from ui.i18n import number, percent, tr
from ui.resources.data import mnist_split
from ui.resources.models import shipped
from ui.share import URL

QUIZ_DATA = {data: tr(f"spotting.data.{data}") for data in ("mnist", "cifar10")}  # labels built in this run's language

st.title(f"9. {tr('part.9')}")
lesson("spotting")

stages = tuple(shipped(name) for name in stage_names())
judge = shipped("mnist-classifier")
evolution_ready = judge is not None and all(c is not None for c in stages)
stage_shas = tuple(c.sha256 for c in stages) if evolution_ready else ()
final = stages[-1]
detector = shipped("mnist-detector")


MISSING = tr("spotting.missing")

# ------------------------------------------------------------------ 1. Évolution
st.header(tr("spotting.evolution"))


@st.fragment
def evolution_section() -> None:
    left, right = st.columns([2, 5], gap="large")
    with left:
        lesson("spotting", "evolution")
        c1, c2 = st.columns(2)
        label = c1.selectbox(tr("spotting.prompt"), list(range(10)), index=DEFAULT_VIEW["label"], key="sp_label", bind=URL)
        seed = c2.number_input(tr("common.seed"), 0, 9999, DEFAULT_VIEW["seed"], key="sp_seed", bind=URL)
    with right:
        if not evolution_ready:
            return
        with st.spinner(tr("spotting.spinner.strip")):
            figure = film_strip_chart(stages, judge, int(label), int(seed))
        chart(figure, width="stretch", key="sp_strip")
        st.caption(tr("spotting.strip.caption", model=f"`{EVOLUTION_MODEL}`", last=number(int(final.meta["steps"])), k=CANDIDATES,
                      steps=STRIP_STEPS))
        show_code(best_of, label=tr("spotting.strip.code"))


evolution_section()
if evolution_ready:
    figure = evolution_chart(stage_shas, report_key())
    left, right = st.columns([3, 2], gap="large")
    with left:
        if figure is None:
            st.info(MISSING, icon=":material/info:")
        else:
            chart(figure, width="stretch", key="sp_evolution")
            n = report()["evolution"]["n"]
            st.caption(tr("spotting.evolution.caption", n=number(n), per=n // 10, steps=STRIP_STEPS,
                          command="`python -m core.forensics.measure`"))
    with right:
        lesson("spotting", "evolution-reading", facts=facts())

# ------------------------------------------------------------------ 2. Biais
st.header(tr("spotting.bias"))
lesson("spotting", "bias")


@st.fragment
def classes_section() -> None:
    data = st.segmented_control(tr("spotting.data"), list(QUIZ_DATA), format_func=QUIZ_DATA.get, default="mnist",
                                key="sp_classes_data", bind=URL)
    data = data or "mnist"
    models = tuple(shipped(name) for name in UNCONDITIONAL[data])
    if any(c is None for c in models):
        return
    hist = class_histogram_chart(data, tuple(c.sha256 for c in models), report_key())
    if hist is None:
        st.info(MISSING, icon=":material/info:")
        return
    chart(hist[0], width="stretch", key="sp_classes")
    shipped_models = tr("spotting.classes.models" if len(models) > 1 else "spotting.classes.model", n=len(models))
    st.caption(tr("spotting.classes.caption", what=tr(f"spotting.classes.what.{data}"), models=shipped_models,
                  command="`python -m core.evaluate`", n=number(1000)))


classes_section()


@st.fragment
def guidance_section() -> None:
    left, right = st.columns([3, 4], gap="large")
    with left:
        lesson("spotting", "guidance")
        ask("sp_guidance")
        c1, c2 = st.columns(2)
        digit = c1.selectbox(tr("spotting.digit"), list(range(10)), index=DEFAULT_VIEW["bias_digit"], key="sp_bias_digit",
                             bind=URL)
        seed = c2.number_input(tr("common.seed"), 0, 9999, DEFAULT_VIEW["seed"], key="sp_bias_seed", bind=URL)
        if not answered("sp_guidance"):  # the grid, the curves and the rest of the lesson answer it: they wait
            st.info(tr("spotting.guidance.predict_first"), icon=":material/psychology_alt:")
            return
        lesson("spotting", "guidance-seen")
        if final is not None:
            with st.spinner(tr("spotting.spinner.grid")):
                figure = guidance_grid_chart(final, int(digit), int(seed))
            chart(figure, width="stretch", key="sp_guidance_grid")
            st.caption(tr("spotting.grid.caption", n=GRID_SAMPLES, steps=STRIP_STEPS))
    with right:
        if final is None:
            return
        g = guidance_report(final.sha256)
        if not g:
            st.info(MISSING, icon=":material/info:")
            return
        chart(guidance_chart(final.sha256, report_key()), width="stretch", key="sp_guidance")
        st.caption(tr("spotting.guidance.caption", n=number(g["per_class"] * 10), per=g["per_class"]))
        c1, c2 = st.columns(2)
        attribute = c1.selectbox(tr("spotting.attribute"), ["slant", "ink"], key="sp_attribute", bind=URL,
                                 format_func={a: tr(f"spotting.attribute.{a}") for a in ("slant", "ink")}.get)
        w = c2.select_slider(tr("spotting.compare_w"), [x for x in GUIDANCE if x != 1.0], value=DEFAULT_VIEW["w"],
                             key="sp_w", bind=URL)
        result = attribute_chart(final.sha256, report_key(), attribute, int(digit), float(w))
        if result is not None:
            fig, stats = result
            chart(fig, width="stretch", key="sp_attribute_chart")
            parts = [tr("spotting.attribute.real", mean=f"{stats['real'][0]:.3f}", std=f"{stats['real'][1]:.3f}")]
            parts += [tr("spotting.attribute.w", w=f"{k:g}", mean=f"{m:.3f}", std=f"{s:.3f}")
                      for k, (m, s) in stats.items() if k != "real"]
            st.caption(tr(f"spotting.attribute.caption.{attribute}", digit=digit,
                          parts=tr("spotting.list_separator").join(parts)))


guidance_section()
with st.container(border=True):
    lesson("spotting", "bias-reading", facts=facts())

# ------------------------------------------------------------------ 3. Repérer
st.header(tr("spotting.spot"))
lesson("spotting", "spot")


def _quiz_state(data: str) -> dict:
    """This session's round for ``data``: its own order of the shared pool, never repeating an image."""
    state = st.session_state.setdefault("sp_quiz", {})
    if data not in state:
        state[data] = {"order": [], "pos": 0, "answers": [], "rounds": 0}
    return state[data]


def _new_round(q: dict, n_items: int) -> None:
    q.update(order=quiz_order(n_items), pos=0, answers=[], rounds=q["rounds"] + 1)


def _answer(q: dict, index: int, said: bool, truth: bool) -> None:
    """A button's callback: runs before the rerun that shows the answer."""
    if len(q["answers"]) == q["pos"]:  # one answer per image, even on a double click
        q["answers"].append({"index": index, "said": said, "right": said == truth})


def _next(q: dict) -> None:
    q["pos"] += 1


def _truth(generated: bool) -> str:
    return tr("spotting.truth.generated" if generated else "spotting.truth.real")


@st.fragment
def quiz_section() -> None:
    data = st.segmented_control(tr("spotting.quiz.data"), list(QUIZ_DATA), format_func=QUIZ_DATA.get, default="mnist",
                                key="sp_quiz_data")
    data = data or "mnist"
    ckpts = (*(shipped(s.model) for s in QUIZ_SOURCES[data]), shipped(CLASSIFIERS[data]))  # the generators, the judge
    if any(c is None for c in ckpts):
        return
    with st.spinner(tr("spotting.spinner.pool")):
        items = pool(data, ckpts)
    q = _quiz_state(data)
    if not q["order"]:
        _new_round(q, len(items))
    right_answers = sum(a["right"] for a in q["answers"])
    left, right = st.columns([2, 3], gap="large")
    if q["pos"] >= len(q["order"]):
        with left:
            st.subheader(tr("spotting.quiz.score", right=right_answers, n=len(q["answers"])))
            st.write(tr("spotting.quiz.every"))
            cols = st.columns(5)
            for i, a in enumerate(q["answers"]):
                item = items[a["index"]]
                cols[i % 5].image(big(item.image, 96), caption=("✓ " if a["right"] else "✗ ") + _truth(item.generated))
            st.button(tr("spotting.quiz.new"), type="primary", icon=":material/replay:", key="sp_quiz_new",
                      on_click=_new_round, args=(q, len(items)))
        with right:
            lesson("spotting", "quiz-end")
        return
    index = q["order"][q["pos"]]
    item = items[index]
    answered = len(q["answers"]) > q["pos"]
    with left:
        st.image(big(item.image), caption=tr("spotting.quiz.image", i=q["pos"] + 1, n=len(q["order"])))
    with right:
        st.markdown(tr("spotting.quiz.score.round", right=right_answers, n=len(q["answers"]), round=q["rounds"]))
        if not answered:
            st.markdown(f"#### {tr('spotting.quiz.question')}")
            b1, b2 = st.columns(2)
            b1.button(tr("spotting.quiz.real"), icon=":material/photo_camera:", key="sp_quiz_real", width="stretch",
                      on_click=_answer, args=(q, index, False, item.generated))
            b2.button(tr("spotting.quiz.generated"), icon=":material/smart_toy:", key="sp_quiz_fake", width="stretch",
                      on_click=_answer, args=(q, index, True, item.generated))
            return
        a = q["answers"][q["pos"]]
        (st.success if a["right"] else st.error)(
            tr("spotting.quiz.right" if a["right"] else "spotting.quiz.wrong", truth=_truth(item.generated)),
            icon=":material/check_circle:" if a["right"] else ":material/cancel:")
        source = source_label(item.source) if item.generated else tr(f"spotting.source.real.{data}")
        st.markdown(tr("spotting.quiz.reveal", source=source, cue=cue_text(item, data)))
        if data == "mnist" and detector is not None:
            p = float(detector_verdicts(data, ckpts, detector)[index])
            right_call = "right" if (p >= 0.5) == item.generated else "wrong"
            st.markdown(tr(f"spotting.quiz.detector.{right_call}", verdict=_truth(p >= 0.5), p=percent(p)))
        st.button(tr("spotting.quiz.next"), type="primary", icon=":material/arrow_forward:", key="sp_quiz_next",
                  on_click=_next, args=(q,))


with st.container(border=True):
    quiz_section()

st.subheader(tr("spotting.spectrum"))
lesson("spotting", "spectrum")


@st.fragment
def spectrum_section() -> None:
    data = st.segmented_control(tr("spotting.data"), list(QUIZ_DATA), format_func=QUIZ_DATA.get, default="mnist",
                                key="sp_spec_data", bind=URL)
    data = data or "mnist"
    ckpts = {name: shipped(name) for name in spectra_model_names(data)}
    shas = tuple(sorted((n, c.sha256) for n, c in ckpts.items() if c is not None))
    figure = spectra_chart(data, shas, report_key())
    if figure is None:
        st.info(MISSING, icon=":material/info:")
        return
    chart(figure, width="stretch", key="sp_spectra")
    n = report().get("detection", {}).get("n", 500)
    st.caption(tr("spotting.spectrum.caption", n=n))
    chart2d = spectra_2d_chart(data, shas, report_key())
    if chart2d is not None:
        chart(chart2d, width="stretch", key="sp_spectra_2d")
        st.caption(tr("spotting.spectrum.caption_2d"))
    show_code(radial_spectrum, power_2d, label=tr("spotting.spectrum.code"))


spectrum_section()
with st.container(border=True):
    lesson("spotting", "spectrum-reading", facts=facts())


@st.fragment
def upsampling_section() -> None:
    left, right = st.columns([2, 5], gap="large")
    with left:
        lesson("spotting", "upsampling")
        digit = st.number_input(tr("spotting.upsampling.digit"), 0, len(mnist_split()[1]) - 1, DEFAULT_VIEW["upsample_digit"],
                                key="sp_up_digit", bind=URL)
    with right:
        chart(upsampling_chart(int(digit)), width="stretch", key="sp_upsampling")
        st.caption(tr("spotting.upsampling.caption"))
        show_code(upsample, label=tr("spotting.upsampling.code"))


st.subheader(tr("spotting.upsampling"))
upsampling_section()

st.subheader(tr("spotting.detector"))
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("spotting", "detector")
with right:
    if detector is not None:
        figure = detection_chart(detector.sha256, report_key())
        if figure is None:
            st.info(MISSING, icon=":material/info:")
        else:
            d = detection_report(detector.sha256)
            chart(figure, width="stretch", key="sp_detector")
            st.caption(tr("spotting.detector.caption", model="`mnist-detector`", n=number(d["n"]),
                          real=percent(d["real_called_real"])))

st.header(tr("spotting.checklist"))
lesson("spotting", "checklist")
with st.expander(tr("spotting.lecture_facts"), icon=":material/menu_book:"):
    lesson("spotting", "lecture-facts")
