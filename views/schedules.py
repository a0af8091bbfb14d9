"""Part 3, schedules: constant, linear and cosine side by side, on curves and on one image."""

import streamlit as st

from core.diffusion.schedules import constant_schedule, cosine_schedule, linear_schedule
from ui.components.chart import chart
from ui.components.code import show_code
from ui.components.export import slug
from ui.components.film import film
from ui.components.lessons import lesson
from ui.components.predict import ask
from ui.figures import schedules as fig
from ui.i18n import percent, tr
from ui.resources.data import dataset
from ui.share import URL

LESSON = "schedules"
DATASETS = {"mnist": "MNIST", "cifar10": "CIFAR-10"}
T_CHOICES = (10, 20, 50, 100, 200, 500, 1000)
THRESHOLDS = (0.001, 0.005, 0.01, 0.02, 0.05)
DEFAULT_T = 250  # where the film opens (the nearest step it holds)
ss = st.session_state

# --- defaults, and values kept valid when the ranges change (before any widget is drawn)
ss.setdefault("sc_index", 0)
T = ss.get("sc_T", 1000)
name = ss.get("sc_dataset", "mnist")
n_images = len(dataset(name))
ss["sc_index"] = min(ss["sc_index"], n_images - 1)

st.title(f"3. {tr('part.3')}")
lesson(LESSON)

c1, c2, c3, c4 = st.columns([1.1, 1.1, 1.6, 0.9], gap="medium")
c1.selectbox(tr("common.dataset"), list(DATASETS), format_func=DATASETS.get, key="sc_dataset", bind=URL)
index = c2.number_input(tr("common.image_index", last=n_images - 1), 0, n_images - 1, key="sc_index", bind=URL)
c3.select_slider(tr("common.T"), T_CHOICES, value=1000, key="sc_T", bind=URL)
seed = c4.number_input(tr("common.noise_seed"), 0, 9999, 0, key="sc_seed", bind=URL)
threshold = ss.get("sc_threshold", 0.01)

# --- the curves
chart(fig.curves_figure(T, threshold), key="sc_curves")
st.caption(tr("schedules.curves.caption", threshold=f"{threshold:g}"))
show_code(constant_schedule, linear_schedule, cosine_schedule)

# --- one image, three schedules, one eps: t steps in the browser (the film)
left, right = st.columns([1.1, 2], gap="large")
with left:
    lesson(LESSON, "formulas")
with right:
    st.markdown(tr("schedules.same", eps=r"$\varepsilon$",
                   formula=r"$I_t = \sqrt{\bar a_t}\, I_0 + \sqrt{1 - \bar a_t}\,\varepsilon$"))
    frames = fig.schedules_film(name, index, T, seed)
    ts = [int(f.value) for f in frames]
    film(frames, key="sc_film_t", columns=fig.film_columns(), url="sc_t", prefix="t = ", chart=fig.film_chart(T),
         default=min(range(len(ts)), key=lambda k: abs(ts[k] - DEFAULT_T)),
         file_name=slug("schedules", name, f"image{index}", f"T{T}", f"seed{seed}") + "-t")
    st.divider()
    budget = fig.budgets(T, threshold)

    def show_budget() -> None:  # the answer: shown once the student has committed to a prediction
        chart(fig.budget_figure(budget, threshold), key="sc_budget")
        lin = next(b for b in budget if b.name == "linear")
        cos = next(b for b in budget if b.name == "cosine")
        st.markdown(tr("schedules.budget.text", T=f"$T = {T}$", linear=lin.noise,
                       linear_share=percent(lin.noise_fraction), cosine=cos.noise, cosine_share=percent(cos.noise_fraction)))

    ask("sc_budget", show_budget)
    options = {v: tr("schedules.threshold.option", noise=f"{v:g}", clean=f"{1 - v:g}") for v in THRESHOLDS}
    st.select_slider(tr("schedules.threshold"), THRESHOLDS, value=0.01, key="sc_threshold", bind=URL,
                     format_func=options.get)

# --- the film
st.subheader(tr("schedules.film"))
lesson(LESSON, "film")
strip, ts = fig.film(name, index, T, seed)
chart(fig.film_figure(strip, ts, dataset(name).images.shape[-1]), key="sc_film")
