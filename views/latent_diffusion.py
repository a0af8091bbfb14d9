"""Part 7. Latent diffusion: the same process, run in the small latent space of a VAE.

Each interactive section is a fragment: moving one of its widgets reruns that section only.
"""

from __future__ import annotations

import streamlit as st

from core.sampling import decode_latents, encode_latents, interpolate
from ui.code import show_code
from ui.fig_latent import (
    AE_2D,
    COST_STEPS,
    DEFAULT_VIEW,
    LATENT_MODEL,
    PIXEL_MODEL,
    VAE_2D,
    VAE_NAME,
    code_box,
    codes,
    codes_chart,
    costs,
    decoded_maps,
    generation_chart,
    heldout,
    interpolation,
    pipeline,
)
from ui.lessons import lesson
from ui.models import measured_quality, shipped
from ui.predict import ask
from ui.present import chart
from ui.share import URL
from ui.tables import markdown_table

LABELS = ["any", *range(10)]

st.title("7. Latent diffusion")
lesson("latent_diffusion")

vae, latent_model, pixel_model = shipped(VAE_NAME), shipped(LATENT_MODEL), shipped(PIXEL_MODEL)
n_held = len(heldout())


@st.fragment
def pipeline_section() -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        lesson("latent_diffusion", "pipeline")
        index = st.slider("Held-out example #", 0, n_held - 1, DEFAULT_VIEW["digit"], key="ld_digit", bind=URL,
                      help="Which of the held-out digits (never seen in training) to encode.")
    with right:
        if vae is not None and latent_model is not None:
            scale = latent_model.meta["latent"]["scale"]
            chart(pipeline(vae.sha256, vae, scale, int(index)), width="stretch", key="ld_pipeline")
            st.caption(f"The latent is the VAE's posterior mean divided by one global scale ({scale:.3f}), so that it "
                       "has unit variance, as Stable Diffusion does with its 0.18215. Channels drawn from −3 (black) to "
                       "+3 (white).")


@st.fragment
def generation_section() -> None:
    left, right = st.columns([1, 3], gap="large")
    with left:
        lesson("latent_diffusion", "generation")
        ask("ld_detail")
        label = st.selectbox("Digit", LABELS, index=0, key="ld_label", bind=URL,
                             format_func=lambda v: "any digit" if v == "any" else str(v))
        seed = st.number_input("Seed", 0, 9999, DEFAULT_VIEW["seed"], key="ld_seed", bind=URL)
        steps = st.select_slider("Euler steps", [5, 10, 20], value=DEFAULT_VIEW["steps"], key="ld_steps", bind=URL)
    with right:
        if latent_model is not None and pixel_model is not None:
            figure = generation_chart((latent_model.sha256, pixel_model.sha256), latent_model, pixel_model,
                                     None if label == "any" else int(label), int(seed), int(steps))
            chart(figure, width="stretch", key="ld_generation")
            st.caption(f"Flow matching (Part 8) in both spaces, the same solver, step count and seed (two independent "
                       f"models, so not the same digit unless you pick one): `{LATENT_MODEL}` moves "
                       f"a 4×7×7 latent from noise (t = 0) to a digit's code (t = 1), decoded by `{VAE_NAME}` at every "
                       f"step; `{PIXEL_MODEL}` moves the 28×28 pixels themselves. Each latent cell shows its four 7×7 "
                       "channels as a 2×2 tile.")


@st.fragment
def interpolation_section() -> None:
    left, right = st.columns([1, 3], gap="large")
    with left:
        lesson("latent_diffusion", "interpolation")
        c1, c2 = st.columns(2)
        a = c1.number_input("Example a #", 0, n_held - 1, DEFAULT_VIEW["a"], key="ld_a", bind=URL, help="A held-out digit.")
        b = c2.number_input("Example b #", 0, n_held - 1, DEFAULT_VIEW["b"], key="ld_b", bind=URL, help="Another held-out digit.")
    with right:
        if vae is not None and latent_model is not None:
            chart(interpolation(vae.sha256, vae, latent_model.meta["latent"]["scale"], int(a), int(b)),
                            width="stretch", key="ld_interp")
            show_code(encode_latents, decode_latents, interpolate)


# ------------------------------------------------------------------ 1. the pipeline
st.subheader("Encode, work in the latent, decode")
pipeline_section()

# ------------------------------------------------------------------ 2. generation step by step
st.subheader("Generation in the latent, step by step, next to pixels")
generation_section()

# ------------------------------------------------------------------ 3. what the latent looks like
st.subheader("What the latent space looks like")
interpolation_section()

st.markdown("##### Why a VAE, not a plain auto-encoder")
ae, vae2 = shipped(AE_2D), shipped(VAE_2D)
left, right = st.columns([1, 3], gap="large")
with left:
    lesson("latent_diffusion", "why-vae")
with right:
    if ae is not None and vae2 is not None:
        shas = (ae.sha256, vae2.sha256)
        c = codes(shas, ae.model, vae2.model)
        chart(codes_chart(shas, ae.model, vae2.model), width="stretch", key="ld_codes")
        ae_map, vae_map = decoded_maps(shas, ae.model, vae2.model, code_box(c["ae"]))
        m1, m2 = st.columns(2)
        m1.image(ae_map, caption="the auto-encoder's decoder on a grid over its codes", width="stretch")
        m2.image(vae_map, caption="the VAE's decoder on [−3, 3]²", width="stretch")
        st.caption(f"Spread of the codes (standard deviation): auto-encoder {c['std']['ae']:.2f}, VAE {c['std']['vae']:.2f}. "
                   f"Codes drawn from a Gaussian fitted to each cloud land far from every real code (more than 3 times the "
                   f"typical gap between neighbouring codes) {100 * c['far']['ae']:.0f} % of the time for the auto-encoder, "
                   f"{100 * c['far']['vae']:.0f} % for the VAE.")

# ------------------------------------------------------------------ 4. cost and quality
st.subheader("What it costs, what it gives")
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("latent_diffusion", "cost")
with right:
    measured = costs()
    if PIXEL_MODEL in measured and LATENT_MODEL in measured and pixel_model is not None and latent_model is not None:
        pix, lat = measured[PIXEL_MODEL], measured[LATENT_MODEL]
        quality = {name: measured_quality(name, ckpt.sha256).get(f"euler-{COST_STEPS}-cond-w1", {})
                   for name, ckpt in ((PIXEL_MODEL, pixel_model), (LATENT_MODEL, latent_model))}

        def judged(name: str, key: str, fmt: str) -> str:
            value = quality[name].get(key)
            return "not measured" if value is None else format(value * (100 if key == "confident_share" else 1), fmt)

        st.markdown(markdown_table({
            "": ["numbers per image the generator works on ↓", "generator parameters", "VAE decoder parameters",
                 "one sampling step, 64 images (ms) ↓", f"64 images, {COST_STEPS} steps (s) ↓",
                 "confident share (%) ↑", "Fréchet distance / floor ↓"],
            f"pixels, {PIXEL_MODEL}": [f"{pix.numbers:,}", f"{pix.params:,}", "none",
                                          f"{1000 * pix.seconds_per_step:.0f}", f"{pix.seconds:.2f}",
                                          judged(PIXEL_MODEL, "confident_share", ".1f"), judged(PIXEL_MODEL, "frechet_ratio", ".2f")],
            f"latent, {LATENT_MODEL}": [f"{lat.numbers:,}", f"{lat.params:,}", f"{lat.decoder_params:,}",
                                           f"{1000 * lat.seconds_per_step:.0f}", f"{lat.seconds:.2f}",
                                           judged(LATENT_MODEL, "confident_share", ".1f"), judged(LATENT_MODEL, "frechet_ratio", ".2f")],
        }))
        st.caption(f"Times measured on this server when the page was first opened (one thread, one timed run each; decoding "
                   f"included). Quality: 1,000 class-conditional samples at {COST_STEPS} Euler steps, judged by the "
                   "shipped MNIST classifier (`python -m core.evaluate`).")
        st.markdown(markdown_table({
            "": ["image", "latent", "compression"],
            "Stable Diffusion": ["512 × 512 × 3 = 786,432", "64 × 64 × 4 = 16,384", "48×"],
            "here": [f"28 × 28 × 1 = {pix.numbers:,}", f"4 × 7 × 7 = {lat.numbers:,}", f"{pix.numbers / lat.numbers:.0f}×"],
        }))
