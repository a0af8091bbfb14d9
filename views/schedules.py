"""Part 3, schedules: constant, linear and cosine side by side, on curves and on one image."""

import streamlit as st

from core.diffusion.schedules import constant_schedule, cosine_schedule, linear_schedule
from core.images import to_pil
from ui import fig_schedules as fig
from ui.code import show_code
from ui.lessons import lesson
from ui.predict import ask
from ui.present import chart
from ui.share import URL
from ui.state import dataset

LESSON = "schedules"
DATASETS = {"mnist": "MNIST", "cifar10": "CIFAR-10"}
T_CHOICES = (10, 20, 50, 100, 200, 500, 1000)
THRESHOLDS = (0.001, 0.005, 0.01, 0.02, 0.05)
ss = st.session_state

# --- defaults, and values kept valid when the ranges change (before any widget is drawn)
ss.setdefault("sc_t", 250)
ss.setdefault("sc_index", 0)
T = ss.get("sc_T", 1000)
ss["sc_t"] = min(ss["sc_t"], T)
name = ss.get("sc_dataset", "mnist")
n_images = len(dataset(name))
ss["sc_index"] = min(ss["sc_index"], n_images - 1)

st.title("3. Schedules")
lesson(LESSON)

c1, c2, c3, c4, c5 = st.columns([1.1, 1.1, 1.6, 3.0, 0.9], gap="medium")
c1.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get, key="sc_dataset", bind=URL)
index = c2.number_input(f"Image (0 to {n_images - 1})", 0, n_images - 1, key="sc_index", bind=URL)
c3.select_slider("Number of steps T", T_CHOICES, value=1000, key="sc_T", bind=URL)
t = c4.slider("Step t", 0, T, key="sc_t", bind=URL, help="The dashed line on the curves; the images below are noised to this step.")
seed = c5.number_input("Noise seed", 0, 9999, 0, key="sc_seed", bind=URL)
threshold = ss.get("sc_threshold", 0.01)

# --- the curves
c = fig.curves(T)
chart(fig.curves_figure(c, t, threshold), key="sc_curves")
st.caption(f"Dashed line: the step t = {t}; dots: each schedule's ā_t and log-SNR there. "
           f"Grey bands: almost pure noise (ā_t < {threshold:g}). β_t is on a log scale.")
show_code(constant_schedule, linear_schedule, cosine_schedule)

# --- one image, three schedules, one eps
left, right = st.columns([1.1, 2], gap="large")
with left:
    lesson(LESSON, "formulas")
with right:
    st.markdown(f"**The same image and the same $\\varepsilon$ at $t = {t}$**, "
                r"$I_t = \sqrt{\bar a_t}\, I_0 + \sqrt{1 - \bar a_t}\,\varepsilon$:")
    images = fig.noised_under_each(name, index, T, t, seed)
    for col, s in zip(st.columns(3), fig.ORDER):
        ab = float(c[s]["alpha_bars"][t])
        col.image(to_pil(images[s], scale=8), width="stretch")
        col.markdown(f"**:{fig.MARKDOWN_COLOURS[s]}[{s}]**: $\\bar a_{{{t}}} = {ab:.4f}$")
    st.divider()
    ask("sc_budget")
    budget = fig.budgets(T, threshold)
    chart(fig.budget_figure(budget, threshold), key="sc_budget")
    st.select_slider("Threshold for \"almost clean\" / \"almost pure noise\"", THRESHOLDS, value=0.01, key="sc_threshold", bind=URL,
                     format_func=lambda v: f"ā < {v:g} or ā > {1 - v:g}")
    lin = next(b for b in budget if b.name == "linear")
    cos = next(b for b in budget if b.name == "cosine")
    st.markdown(f"With $T = {T}$, the **:red[linear]** schedule spends **{lin.noise} steps ({lin.noise_fraction:.0%})** "
                f"on almost pure noise, the **:blue[cosine]** schedule {cos.noise} ({cos.noise_fraction:.0%}).")

# --- the film
st.subheader("The film, schedule by schedule")
lesson(LESSON, "film")
strip, ts = fig.film(name, index, T, seed)
chart(fig.film_figure(strip, ts, dataset(name).images.shape[-1]), key="sc_film")
