"""Part 5. Reverse denoising: from pure noise back to an image, one DDPM step at a time."""

from __future__ import annotations

import streamlit as st

from core.data import TOY_DATASETS
from core.diffusion import posterior, sample_ddpm
from core.export import png_bytes
from core.live.toy_diffusion import ToyModel
from ui import jobs, keys
from ui.components import drawing
from ui.components.chart import chart
from ui.components.code import show_code
from ui.components.export import download_gif, download_png, slug
from ui.components.film import film
from ui.components.lessons import lesson
from ui.components.predict import ask
from ui.components.waiting import computing
from ui.figures import reverse as fig
from ui.i18n import number, tr
from ui.resources.models import shipped
from ui.share import URL

LABELS = ["any", *range(10)]


def own_toy_model(dataset: str) -> ToyModel | None:
    """The model this student trained in Part 4, if it finished (or was stopped) on ``dataset``."""
    job = jobs.get(keys.TOY_DIFFUSION_JOB)
    if job is None or job.running or not isinstance(job.result, ToyModel):
        return None
    return job.result if job.result.cfg.dataset == dataset and job.result.steps_done >= 200 else None


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
        ckpt = shipped(fig.MODELS["any" if label is None else "digit"])
        if ckpt is not None:
            guidance = float(st.session_state.get("rev_guidance", 2.0)) if label is not None else 1.0
            seed, steps = int(st.session_state.get("rev_seed", 0)), int(st.session_state.get("rev_steps", 50))
            settings = (ckpt, label, guidance, seed, steps, int(st.session_state.get("rev_n", 3)))
            frames, image, strip_ts = computing(tr("reverse.running"), fig.mnist_film, *settings)  # a bar if it takes a while
            name = slug("reverse-ddpm", f"{steps}steps", f"seed{seed}", "any" if label is None else f"digit{label}-w{guidance:g}")
            film(frames, key="rev_mnist_film", columns=fig.columns(), url="rev_t", file_name=f"{name}-t", prefix="t = ")
            st.image(image, width="stretch", caption=tr("reverse.strip.caption", ts=", ".join(map(str, strip_ts))))
            d1, d2 = st.columns(2)
            with d1:
                download_gif(tr("reverse.download.gif"), f"{name}.gif", lambda: fig.steps_gif(*settings), key="rev_gif")
            with d2:
                download_png(tr("reverse.download.png"), f"{name}-strip.png", lambda: png_bytes(image), key="rev_png")
            show_code(sample_ddpm, posterior)


@st.fragment
def toy_section() -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        c1, c2 = st.columns(2)
        toys = {toy: drawing.label(toy) for toy in (*TOY_DATASETS[1:], drawing.OPTION)}
        c1.selectbox(tr("reverse.toy.data"), list(toys), index=list(toys).index("moons"), key="rev_toy_dataset", bind=URL,
                     format_func=toys.get)
        c2.number_input(tr("common.seed"), 0, 9999, 0, key="rev_toy_seed", bind=URL)
        choice = st.session_state.get("rev_toy_dataset", "moons")
        if choice == drawing.OPTION:
            drawing.pad("rev_pad")
        lesson("reverse", "toy")
    with right:
        dataset = drawing.dataset(choice)  # a toy's name, or the drawing's (drawn:CODE)
        seed = int(st.session_state.get("rev_toy_seed", 0))
        mine = own_toy_model(dataset)
        if mine is not None:
            figure = fig.own_toy_figure(mine, seed, st.session_state.setdefault("rev_own_toy", {}))
        else:
            figure = computing(tr("reverse.toy.preparing"), fig.toy_figure, dataset, seed)  # the reference model, once
        chart(figure, width="stretch", key="rev_toy_chart")
        if mine is not None:
            steps = number(mine.steps_done)
            st.caption(tr("reverse.toy.own", steps=steps, dataset=toys[choice], points=fig.TOY_POINTS, ddpm=fig.TOY_STEPS))
        else:
            st.caption(tr("reverse.toy.reference", dataset=toys[choice], points=fig.TOY_POINTS, ddpm=fig.TOY_STEPS))


st.title(f"5. {tr('part.5')}")
lesson("reverse")

mnist_section()
with st.container(border=True):
    lesson("reverse", "why")

st.divider()
st.subheader(tr("reverse.toy"))
toy_section()
