"""Part 7. Latent diffusion: the same process, run in the small latent space of a VAE.

Each interactive section is a fragment: moving one of its widgets reruns that section only.
"""

from __future__ import annotations

import streamlit as st

from core.sampling import decode_latents, encode_latents, interpolate
from ui import present
from ui.components.chart import chart
from ui.components.code import show_code
from ui.components.lessons import lesson
from ui.components.predict import ask
from ui.components.tables import markdown_table
from ui.components.waiting import computing
from ui.figures.latent_diffusion import (
    AE_2D,
    COST_STEPS,
    DEFAULT_VIEW,
    LATENT_MODEL,
    MAX_COLUMNS,
    PIXEL_MODEL,
    PRESENTER_COLUMNS,
    VAE_2D,
    VAE_NAME,
    code_box,
    codes,
    codes_chart,
    costs,
    decoded_maps,
    generation_chart,
    generation_models,
    heldout,
    interpolation,
    pipeline,
)
from ui.i18n import number, tr
from ui.present import presenting
from ui.resources.models import measured_quality, shipped
from ui.share import URL

LABELS = ["any", *range(10)]

st.title(f"7. {tr('part.7')}")
lesson("latent_diffusion")

vae, latent_model, pixel_model = shipped(VAE_NAME), shipped(LATENT_MODEL), shipped(PIXEL_MODEL)
n_held = len(heldout())


@st.fragment
def pipeline_section() -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        lesson("latent_diffusion", "pipeline")
        index = st.slider(tr("latent.digit"), 0, n_held - 1, DEFAULT_VIEW["digit"], key="ld_digit", bind=URL,
                          help=tr("latent.digit.help"))
    with right:
        if vae is not None and latent_model is not None:
            scale = latent_model.meta["latent"]["scale"]
            chart(pipeline(vae, scale, int(index)), width="stretch", key="ld_pipeline")
            st.caption(tr("latent.pipeline.caption", scale=f"{scale:.3f}"))


@st.fragment
def generation_section() -> None:
    left, right = present.columns([1, 3], gap="large")  # a projector: the strip at the page's full width
    with left:
        lesson("latent_diffusion", "generation")
        ask("ld_detail")
        # option names made in the run: AppTest calls format_func outside it, where tr() would answer in English
        names = {v: tr("latent.label.any") if v == "any" else str(v) for v in LABELS}
        label = st.selectbox(tr("latent.label"), LABELS, index=0, key="ld_label", bind=URL, format_func=names.get)
        seed = st.number_input(tr("common.seed"), 0, 9999, DEFAULT_VIEW["seed"], key="ld_seed", bind=URL)
        steps = st.select_slider(tr("latent.steps"), [5, 10, 20], value=DEFAULT_VIEW["steps"], key="ld_steps", bind=URL)
    with right:
        digit = None if label == "any" else int(label)
        latent_name, pixel_name = generation_models(digit)  # "any digit": the two models trained without labels
        drawer, pixels = shipped(latent_name), shipped(pixel_name)
        if drawer is not None and pixels is not None and vae is not None:
            columns = PRESENTER_COLUMNS if presenting() else MAX_COLUMNS
            figure = computing(tr("latent.generation.spinner"), generation_chart, drawer, pixels, vae, digit, int(seed),
                               int(steps), columns)  # a progress bar if it takes a while
            chart(figure, width="stretch", key="ld_generation")
            drawn = tr("latent.generation.all") if steps + 1 <= columns else \
                tr("latent.generation.some", shown=columns, total=steps + 1)
            st.caption(tr("latent.generation.caption", latent=latent_name, vae=VAE_NAME, pixel=pixel_name, drawn=drawn))


@st.fragment
def interpolation_section() -> None:
    left, right = st.columns([1, 3], gap="large")
    with left:
        lesson("latent_diffusion", "interpolation")
        c1, c2 = st.columns(2)
        a = c1.number_input(tr("latent.a"), 0, n_held - 1, DEFAULT_VIEW["a"], key="ld_a", bind=URL, help=tr("latent.a.help"))
        b = c2.number_input(tr("latent.b"), 0, n_held - 1, DEFAULT_VIEW["b"], key="ld_b", bind=URL, help=tr("latent.b.help"))
    with right:
        if vae is not None and latent_model is not None:
            chart(interpolation(vae, latent_model.meta["latent"]["scale"], int(a), int(b)),
                            width="stretch", key="ld_interp")
            show_code(encode_latents, decode_latents, interpolate)


# ------------------------------------------------------------------ 1. the pipeline
st.subheader(tr("latent.pipeline.subheader"))
pipeline_section()

# ------------------------------------------------------------------ 2. generation step by step
st.subheader(tr("latent.generation.subheader"))
generation_section()

# ------------------------------------------------------------------ 3. what the latent looks like
st.subheader(tr("latent.space.subheader"))
interpolation_section()

st.markdown(f"##### {tr('latent.why_vae')}")
ae, vae2 = shipped(AE_2D), shipped(VAE_2D)
left, right = st.columns([1, 3], gap="large")
with left:
    lesson("latent_diffusion", "why-vae")
with right:
    if ae is not None and vae2 is not None:
        with st.spinner(tr("latent.codes.spinner")):  # shown only if encoding takes a moment
            c = codes(ae, vae2)
        chart(codes_chart(ae, vae2), width="stretch", key="ld_codes")
        ae_map, vae_map = decoded_maps(ae, vae2, code_box(c["ae"]))
        m1, m2 = st.columns(2)
        m1.image(ae_map, caption=tr("latent.map.ae"), width="stretch")
        m2.image(vae_map, caption=tr("latent.map.vae"), width="stretch")
        st.caption(tr("latent.codes.caption", ae_std=f"{c['std']['ae']:.2f}", vae_std=f"{c['std']['vae']:.2f}",
                      ae_far=f"{100 * c['far']['ae']:.0f}", vae_far=f"{100 * c['far']['vae']:.0f}"))


# ------------------------------------------------------------------ 4. cost and quality
def unbroken(name: str) -> str:
    """A model's name for a table header: non-breaking hyphens, so that a narrow column never splits it."""
    return name.replace("-", "\u2011")


st.subheader(tr("latent.cost.subheader"))
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("latent_diffusion", "cost")
with right:
    with st.spinner(tr("latent.cost.spinner")):  # shown only if the timing has not run yet
        measured = costs()
    if PIXEL_MODEL in measured and LATENT_MODEL in measured and pixel_model is not None and latent_model is not None:
        pix, lat = measured[PIXEL_MODEL], measured[LATENT_MODEL]
        quality = {name: measured_quality(name, ckpt.sha256).get(f"euler-{COST_STEPS}-cond-w1", {})
                   for name, ckpt in ((PIXEL_MODEL, pixel_model), (LATENT_MODEL, latent_model))}

        def judged(name: str, key: str, fmt: str) -> str:
            value = quality[name].get(key)
            if value is None:
                return tr("latent.cost.not_measured")
            return format(value * (100 if key == "confident_share" else 1), fmt)

        st.markdown(markdown_table({
            "": [tr("latent.cost.numbers"), tr("latent.cost.params"), tr("latent.cost.decoder"), tr("latent.cost.step"),
                 tr("latent.cost.run", steps=COST_STEPS), tr("latent.cost.confident"), tr("latent.cost.frechet")],
            tr("latent.cost.pixels", model=unbroken(PIXEL_MODEL)): [
                number(pix.numbers), number(pix.params), tr("latent.cost.none"), f"{1000 * pix.seconds_per_step:.0f}",
                f"{pix.seconds:.2f}", judged(PIXEL_MODEL, "confident_share", ".1f"), judged(PIXEL_MODEL, "frechet_ratio", ".2f")],
            tr("latent.cost.latent", model=unbroken(LATENT_MODEL)): [
                number(lat.numbers), number(lat.params), number(lat.decoder_params), f"{1000 * lat.seconds_per_step:.0f}",
                f"{lat.seconds:.2f}", judged(LATENT_MODEL, "confident_share", ".1f"), judged(LATENT_MODEL, "frechet_ratio", ".2f")],
        }))
        st.caption(tr("latent.cost.caption", steps=COST_STEPS))
        st.markdown(markdown_table({
            "": [tr(f"latent.size.{row}") for row in ("image", "latent", "compression")],
            "Stable Diffusion": [f"512 × 512 × 3 = {number(786_432)}", f"64 × 64 × 4 = {number(16_384)}", "48×"],
            tr("latent.size.here"): [f"28 × 28 × 1 = {number(pix.numbers)}", f"4 × 7 × 7 = {number(lat.numbers)}",
                                     f"{pix.numbers / lat.numbers:.0f}×"],
        }))
