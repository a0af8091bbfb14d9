"""Part 9. Spotting generated images: how a generator improves, what it over-produces, and what gives it away.

Each section is a fragment: moving one of its widgets reruns that section only.
"""

from __future__ import annotations

import random

import streamlit as st
from PIL import Image

from core.evaluation.quality import CLASSIFIERS
from core.forensics import power_2d, radial_spectrum, upsample
from core.forensics.evolution import EVOLUTION_MODEL, best_of
from core.forensics.quiz import QUIZ_SOURCES
from core.forensics.shipped import stage_names
from ui.code import show_code
from ui.fig_spotting import (
    CANDIDATES,
    DEFAULT_VIEW,
    GUIDANCE,
    STRIP_STEPS,
    UNCONDITIONAL,
    attribute_chart,
    class_histogram_chart,
    detection_chart,
    detection_report,
    detector_verdicts,
    evolution_chart,
    film_strip_chart,
    guidance_chart,
    guidance_grid_chart,
    guidance_report,
    pool,
    report,
    report_key,
    spectra_2d_chart,
    spectra_chart,
    upsampling_chart,
)
from ui.lessons import lesson
from ui.models import shipped
from ui.predict import ask
from ui.present import chart
from ui.share import URL
from ui.state import mnist_split

ROUND = 10  # images per quiz round
QUIZ_DATA = {"mnist": "MNIST digits", "cifar10": "CIFAR-10 photos"}

st.title("9. Spotting generated images")
lesson("spotting")

stages = tuple(shipped(name) for name in stage_names())
judge = shipped("mnist-classifier")
evolution_ready = judge is not None and all(c is not None for c in stages)
stage_shas = tuple(c.sha256 for c in stages) if evolution_ready else ()
final = stages[-1]
detector = shipped("mnist-detector")


MISSING = ("Not measured for the shipped weights yet: run `python -m core.forensics.measure` "
           "(see docs/MODELS.md).")

# ------------------------------------------------------------------ 1. Évolution
st.header("Évolution: one prompt, one seed, through training")


@st.fragment
def evolution_section() -> None:
    left, right = st.columns([2, 5], gap="large")
    with left:
        lesson("spotting", "evolution")
        c1, c2 = st.columns(2)
        label = c1.selectbox("The prompt: digit", list(range(10)), index=DEFAULT_VIEW["label"], key="sp_label", bind=URL)
        seed = c2.number_input("Seed", 0, 9999, DEFAULT_VIEW["seed"], key="sp_seed", bind=URL)
    with right:
        if not evolution_ready:
            return
        chart(film_strip_chart(stage_shas, stages, judge.model, int(label), int(seed)), width="stretch",
                        key="sp_strip")
        st.caption(f"Columns: `{EVOLUTION_MODEL}` after more and more training steps (its own snapshots; the last "
                   f"column, after all 4,500 steps, is the model the other pages use). Rows: {CANDIDATES} samples drawn from the same {CANDIDATES} "
                   f"noise images at every stage ({STRIP_STEPS} Euler steps, the digit asked, guidance w = 1). Framed: "
                   "the best of 4, the sample the judge (the shipped MNIST classifier) finds most convincingly "
                   "the digit asked.")
        show_code(best_of, label="The code: best of 4")


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
            st.caption(f"Each stage judged on {n:,} samples ({n // 10} per digit, {STRIP_STEPS} Euler steps; "
                       "`python -m core.forensics.measure`). "
                       "Confident: the judge gives one digit at least 90 % probability. Fréchet / floor: distance to real "
                       "digits in the judge's features, divided by that between two sets of real digits.")
    with right:
        lesson("spotting", "evolution-reading")

# ------------------------------------------------------------------ 2. Biais
st.header("Biais: what a generator over- and under-produces")
lesson("spotting", "bias")


@st.fragment
def classes_section() -> None:
    data = st.segmented_control("Data", list(QUIZ_DATA), format_func=QUIZ_DATA.get, default="mnist", key="sp_classes_data", bind=URL)
    data = data or "mnist"
    models = tuple(shipped(name) for name in UNCONDITIONAL[data])
    if any(c is None for c in models):
        return
    hist = class_histogram_chart(data, tuple(c.sha256 for c in models), report_key())
    if hist is None:
        st.info(MISSING, icon=":material/info:")
        return
    chart(hist[0], width="stretch", key="sp_classes")
    what = "no digit asked" if data == "mnist" else "no class asked, 20 Euler steps"
    st.caption(f"Unconditional samples ({what}) of {len(models)} shipped model{'s' * (len(models) > 1)}, each read "
               "by the judge of its data set, against the real held-out images (grey). Dotted: a fair 10 %. Measured by "
               "`python -m core.evaluate` on 1,000 samples per model.")


classes_section()


@st.fragment
def guidance_section() -> None:
    left, right = st.columns([3, 4], gap="large")
    with left:
        lesson("spotting", "guidance")
        ask("sp_guidance")
        c1, c2 = st.columns(2)
        digit = c1.selectbox("Digit", list(range(10)), index=DEFAULT_VIEW["bias_digit"], key="sp_bias_digit", bind=URL)
        seed = c2.number_input("Seed", 0, 9999, DEFAULT_VIEW["seed"], key="sp_bias_seed", bind=URL)
        if final is not None:
            chart(guidance_grid_chart(final.sha256, final, int(digit), int(seed)), width="stretch",
                            key="sp_guidance_grid")
            st.caption(f"The same {8} noise images at every w ({STRIP_STEPS} Euler steps). w = 0 ignores the label; "
                       "w = 1 is the plain conditional model; above 1, guidance pushes further from the unconditional "
                       "prediction.")
    with right:
        if final is None:
            return
        g = guidance_report(final.sha256)
        if not g:
            st.info(MISSING, icon=":material/info:")
            return
        chart(guidance_chart(final.sha256, report_key()), width="stretch", key="sp_guidance")
        st.caption(f"{g['per_class'] * 10:,} samples per w ({g['per_class']} per digit). Spread: root-mean-square distance "
                   "of a sample's judge features to the mean of its class (dotted: real digits). "
                   "Dotted lines: the same measures on real held-out digits.")
        c1, c2 = st.columns(2)
        attribute = c1.selectbox("Attribute", ["slant", "ink"], key="sp_attribute", bind=URL,
                                 format_func={"ink": "ink (stroke mass)", "slant": "slant"}.get)
        w = c2.select_slider("Compare w = 1 with w =", [x for x in GUIDANCE if x != 1.0], value=DEFAULT_VIEW["w"],
                             key="sp_w", bind=URL)
        result = attribute_chart(final.sha256, report_key(), attribute, int(digit), float(w))
        if result is not None:
            fig, stats = result
            chart(fig, width="stretch", key="sp_attribute_chart")
            parts = [f"real {stats['real'][0]:.3f} ± {stats['real'][1]:.3f}"]
            parts += [f"w = {k:g}: {m:.3f} ± {s:.3f}" for k, (m, s) in stats.items() if k != "real"]
            st.caption(f"The {attribute} of every sample the judge reads as a {digit} (mean ± standard deviation): "
                       + "; ".join(parts) + ".")


guidance_section()
with st.container(border=True):
    lesson("spotting", "bias-reading")

# ------------------------------------------------------------------ 3. Repérer
st.header("Repérer: real or generated?")
lesson("spotting", "spot")


def _quiz_state(data: str) -> dict:
    """This session's round for ``data``: its own order of the shared pool, never repeating an image."""
    state = st.session_state.setdefault("sp_quiz", {})
    if data not in state:
        state[data] = {"order": [], "pos": 0, "answers": [], "rounds": 0}
    return state[data]


def _new_round(q: dict, n_items: int) -> None:
    rng = random.Random()  # this session's own generator, seeded from the OS
    q.update(order=rng.sample(range(n_items), min(ROUND, n_items)), pos=0, answers=[], rounds=q["rounds"] + 1)


def _answer(q: dict, index: int, said: bool, truth: bool) -> None:
    """A button's callback: runs before the rerun that shows the answer."""
    if len(q["answers"]) == q["pos"]:  # one answer per image, even on a double click
        q["answers"].append({"index": index, "said": said, "right": said == truth})


def _next(q: dict) -> None:
    q["pos"] += 1


def _big(image, size: int = 280) -> Image.Image:
    array = image.permute(1, 2, 0).numpy()
    pil = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    return pil.resize((size, size), Image.Resampling.NEAREST)


@st.fragment
def quiz_section() -> None:
    data = st.segmented_control("Images", list(QUIZ_DATA), format_func=QUIZ_DATA.get, default="mnist", key="sp_quiz_data")
    data = data or "mnist"
    ckpts = [shipped(s.model) for s in QUIZ_SOURCES[data]] + [shipped(CLASSIFIERS[data])]
    if any(c is None for c in ckpts):
        return
    shas, quiz_judge = tuple(c.sha256 for c in ckpts), ckpts[-1].model
    items = pool(data, shas, quiz_judge)
    q = _quiz_state(data)
    if not q["order"]:
        _new_round(q, len(items))
    right_answers = sum(a["right"] for a in q["answers"])
    left, right = st.columns([2, 3], gap="large")
    if q["pos"] >= len(q["order"]):
        with left:
            st.subheader(f"Score: {right_answers} / {len(q['answers'])}")
            st.write("Every image of the round, with the truth:")
            cols = st.columns(5)
            for i, a in enumerate(q["answers"]):
                item = items[a["index"]]
                cols[i % 5].image(_big(item.image, 96), caption=("✓ " if a["right"] else "✗ ")
                                  + ("generated" if item.generated else "real"))
            st.button("New round", type="primary", icon=":material/replay:", key="sp_quiz_new", on_click=_new_round,
                      args=(q, len(items)))
        with right:
            lesson("spotting", "quiz-end")
        return
    index = q["order"][q["pos"]]
    item = items[index]
    answered = len(q["answers"]) > q["pos"]
    with left:
        st.image(_big(item.image), caption=f"Image {q['pos'] + 1} of {len(q['order'])}")
    with right:
        st.markdown(f"**Score: {right_answers} / {len(q['answers'])}** (round {q['rounds']})")
        if not answered:
            st.markdown("#### Real, or made by one of the app's generators?")
            b1, b2 = st.columns(2)
            b1.button("Real", icon=":material/photo_camera:", key="sp_quiz_real", width="stretch", on_click=_answer,
                      args=(q, index, False, item.generated))
            b2.button("Generated", icon=":material/smart_toy:", key="sp_quiz_fake", width="stretch", on_click=_answer,
                      args=(q, index, True, item.generated))
            return
        a = q["answers"][q["pos"]]
        truth = "generated" if item.generated else "real"
        (st.success if a["right"] else st.error)(f"{'Right' if a['right'] else 'Not quite'}: this image is **{truth}**.",
                                                 icon=":material/check_circle:" if a["right"] else ":material/cancel:")
        st.markdown(f"**Where it comes from:** {item.source}.  \n**The cue:** {item.cue}")
        if data == "mnist" and detector is not None:
            p = float(detector_verdicts(data, shas, quiz_judge, detector.sha256, detector.model)[index])
            verdict = "generated" if p >= 0.5 else "real"
            st.markdown(f"**The detector** (below) says **{verdict}** ({p:.0%} “generated”)"
                        + (" and is right." if (p >= 0.5) == item.generated else ", and is wrong."))
        st.button("Next image", type="primary", icon=":material/arrow_forward:", key="sp_quiz_next", on_click=_next,
                  args=(q,))


with st.container(border=True):
    quiz_section()

st.subheader("The spectrum: where the energy of an image sits")
lesson("spotting", "spectrum")


@st.fragment
def spectrum_section() -> None:
    data = st.segmented_control("Data", list(QUIZ_DATA), format_func=QUIZ_DATA.get, default="mnist", key="sp_spec_data", bind=URL)
    data = data or "mnist"
    r = report().get("spectra", {}).get(data, {})
    names = {name.split(" ")[0] for name in r if name != "real"}
    ckpts = {name: shipped(name) for name in names}
    shas = tuple(sorted((n, c.sha256) for n, c in ckpts.items() if c is not None))
    figure = spectra_chart(data, shas, report_key())
    if figure is None:
        st.info(MISSING, icon=":material/info:")
        return
    chart(figure, width="stretch", key="sp_spectra")
    n = report().get("detection", {}).get("n", 500)
    st.caption(f"Azimuthally averaged power spectrum of {n} images per curve, each image's mean removed first. "
               "Right: each generator's curve divided by the real one; below 1, less fine detail than real images. "
               "Beyond the dotted line: the corners of the 2-D spectrum, past the Nyquist frequency along the axes.")
    chart2d = spectra_2d_chart(data, shas, report_key())
    if chart2d is not None:
        chart(chart2d, width="stretch", key="sp_spectra_2d")
        st.caption("The same spectra in 2-D, frequency 0 at the centre of each square and the Nyquist frequency at its "
                   "edges. Left: the real images' mean power (log scale). Then each generator's power divided by the real "
                   "one at every frequency: blue where it has less energy than real images, red where it has more.")
    show_code(radial_spectrum, power_2d, label="The code: the power spectrum, averaged over rings and in 2-D")


spectrum_section()
with st.container(border=True):
    lesson("spotting", "spectrum-reading")


@st.fragment
def upsampling_section() -> None:
    left, right = st.columns([2, 5], gap="large")
    with left:
        lesson("spotting", "upsampling")
        digit = st.number_input("Held-out digit #", 0, len(mnist_split()[1]) - 1, DEFAULT_VIEW["upsample_digit"],
                                key="sp_up_digit", bind=URL)
    with right:
        chart(upsampling_chart(int(digit)), width="stretch", key="sp_upsampling")
        st.caption("Top: the digit doubled in size three ways. Bottom: the log-magnitude of each one's 2-D Fourier "
                   "transform, frequency 0 at the centre, the Nyquist frequency at the edges.")
        show_code(upsample, label="The code: three up-samplers")


st.subheader("“AI upscaling”: the traces of up-sampling")
upsampling_section()

st.subheader("A detector, and how it fails")
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
            st.caption(f"`mnist-detector` (a small CNN) on {d['n']} fresh samples per generator and {d['n']} held-out "
                       f"real digits, of which it calls {d['real_called_real']:.0%} real. Left, green: generators it was "
                       "trained on; red: generators it never saw. Right: each perturbation applied to real digits and "
                       "to the samples of the three training generators alike; a detector that calls everything "
                       "generated scores 100 % on the orange bars and 0 % on the grey ones.")

st.header("What to look for")
lesson("spotting", "checklist")
