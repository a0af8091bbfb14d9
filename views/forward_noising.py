"""Part 2, forward noising: one image step by step, and a whole dataset in the 2-pixel view."""

from functools import partial

import streamlit as st

from core.diffusion import SCHEDULES, q_sample, q_sample_iterative, q_step
from ui import fig_forward_noising as fig
from ui.code import show_code
from ui.export import download_gif, slug
from ui.lessons import lesson
from ui.predict import ask
from ui.present import chart
from ui.share import URL
from ui.state import dataset

LESSON = "forward_noising"
DATASETS = {"mnist": "MNIST", "cifar10": "CIFAR-10"}
T_CHOICES = (10, 20, 50, 100, 200, 500, 1000)
SCHEDULE_ORDER = ("cosine", "linear", "constant")
assert set(SCHEDULE_ORDER) == set(SCHEDULES)
ss = st.session_state

# --- defaults, and values kept valid when the ranges change (before any widget is drawn)
ss.setdefault("fn_t", 250)
ss.setdefault("fn_index", 0)
for key, default in (("fn_a_row", 14), ("fn_a_col", 14), ("fn_b_row", 14), ("fn_b_col", 15)):
    ss.setdefault(key, default)
T = ss.get("fn_T", 1000)
ss["fn_t"] = min(ss["fn_t"], T)
name = ss.get("fn_dataset", "mnist")
n_images = len(dataset(name))
size = dataset(name).images.shape[-1]
ss["fn_index"] = min(ss["fn_index"], n_images - 1)
for key in ("fn_a_row", "fn_a_col", "fn_b_row", "fn_b_col"):
    ss[key] = min(ss[key], size - 1)


def _pick_thumbnail(start: int) -> None:
    points = ss["fn_strip"].selection.get("points", [])
    if points and points[0].get("curve_number") == 1:
        ss["fn_index"] = start + int(points[0]["point_index"])


def _pick_pixel() -> None:
    points = ss["fn_picker"].selection.get("points", [])
    if points and points[0].get("curve_number") == 1:
        which = ss.get("fn_click", "A").lower()
        ss[f"fn_{which}_row"], ss[f"fn_{which}_col"] = int(round(points[0]["y"])), int(round(points[0]["x"]))
        ss["fn_click"] = "B" if which == "a" else "A"  # the next click moves the other pixel


st.title("2. Forward noising")
lesson(LESSON)

# --- the controls shared by both views
c1, c2, c3, c4, c5 = st.columns([1.1, 2.2, 1.6, 2.6, 0.9], gap="medium")
c1.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get, key="fn_dataset", bind=URL)
c2.radio("Schedule", SCHEDULE_ORDER, horizontal=True, key="fn_schedule", bind=URL)
c3.select_slider("Number of steps T", T_CHOICES, value=1000, key="fn_T", bind=URL)
c4.slider("Step t", 0, T, key="fn_t", bind=URL, help="t = 0 is the clean image, t = T is (almost) pure noise.")
c5.number_input("Noise seed", 0, 9999, 0, key="fn_seed", bind=URL)
schedule, t, seed = ss["fn_schedule"], ss["fn_t"], ss["fn_seed"]

# --- one image, two ways
st.subheader("One image, step by step")
left, right = st.columns([1, 2.2], gap="large")
with left:
    lesson(LESSON, "two-ways")
with right:
    ci, cs = st.columns([1, 4], vertical_alignment="center")
    index = ci.number_input(f"Image index (0 to {n_images - 1})", 0, n_images - 1, key="fn_index", bind=URL)
    start = index // fig.STRIP * fig.STRIP
    with cs:
        chart(fig.strip_figure(fig.strip(name, start), start, index), key="fn_strip",
                        on_select=partial(_pick_thumbnail, start), selection_mode="points")
        st.caption(f"Images {start} to {start + fig.STRIP - 1}: click one to noise it, or type an index.")
    d = fig.noised(name, index, schedule, T, t, seed)
    cols = st.columns(3)
    with cols[0]:
        st.image(fig.to_display(d["x0"]), caption=f"I_0: image {index}", width="stretch")
        st.markdown(r"$I_0$, the clean image")
    with cols[1]:
        st.image(fig.to_display(d["iterative"]), caption=f"I_{t}, iterative: {t} small steps", width="stretch")
        st.markdown(r"$I_{s+1} = \sqrt{a_s}\, I_s + \sqrt{1 - a_s}\,\varepsilon_s$ for $s = 0, \dots, t-1$")
    with cols[2]:
        st.image(fig.to_display(d["closed"]), caption=f"I_{t}, closed form: one jump", width="stretch")
        st.markdown(r"$I_t = \sqrt{\bar a_t}\, I_0 + \sqrt{1 - \bar a_t}\,\varepsilon$")
    st.markdown(
        f"At $t = {t}$: $\\bar a_t = {d['abar']:.4f}$, so the image is scaled by "
        f"$\\sqrt{{\\bar a_t}} = {d['abar'] ** 0.5:.3f}$ and the noise has standard deviation "
        f"$\\sqrt{{1 - \\bar a_t}} = {(1 - d['abar']) ** 0.5:.3f}$. "
        "The two noisy pictures are **different draws of the same distribution**: their pixels differ, "
        "their statistics agree."
    )
    chart(fig.histogram_figure(fig.histogram_data(name, index, schedule, T, t, seed), t, d["abar"]),
                    key="fn_hist")
    show_code(q_step, q_sample, q_sample_iterative)

# --- the 2-pixel view
st.divider()
st.subheader("The 2-pixel view: a whole dataset flows into a round Gaussian")
left, mid, right = st.columns([0.95, 0.85, 1.75], gap="medium")
with left:
    lesson(LESSON, "two-pixels")
    sources = ("images", *fig.TOY_SOURCES)
    source = st.selectbox("Points", sources, key="fn_source", bind=URL,
                          format_func=lambda s: f"two pixels of {DATASETS[name]} images" if s == "images" else f"2-D toy data: {s}")
    n = st.select_slider("Number of points", (100, 200, 500, 1000), value=500, key="fn_n", bind=URL)
with mid:
    a = (ss["fn_a_row"], ss["fn_a_col"])
    b = (ss["fn_b_row"], ss["fn_b_col"])
    channel = 0
    if source == "images":
        st.radio("A click on the image moves pixel", ("A", "B"), horizontal=True, key="fn_click")
        chart(fig.picker_figure(fig.clean_image(name, index), a, b), key="fn_picker",
                        on_select=_pick_pixel, selection_mode="points")
        ca, cb = st.columns(2)
        with ca:
            st.markdown("**:orange[Pixel A]**")
            st.number_input("A row", 0, size - 1, key="fn_a_row", bind=URL)
            st.number_input("A column", 0, size - 1, key="fn_a_col", bind=URL)
        with cb:
            st.markdown("**:blue[Pixel B]**")
            st.number_input("B row", 0, size - 1, key="fn_b_row", bind=URL)
            st.number_input("B column", 0, size - 1, key="fn_b_col", bind=URL)
        if name == "cifar10":
            channel = ("red", "green", "blue").index(st.radio("Colour channel", ("red", "green", "blue"), horizontal=True, key="fn_channel", bind=URL))
        a = (ss["fn_a_row"], ss["fn_a_col"])
        b = (ss["fn_b_row"], ss["fn_b_col"])
    else:
        lesson(LESSON, "toy")
with right:
    c = fig.cloud(source, name, a, b, channel, schedule, T, t, n, seed)
    names = (f"pixel A {a}", f"pixel B {b}") if source == "images" else ("x", "y")
    chart(fig.cloud_figure(c, t, T, names), key="fn_cloud")
    what = name if source == "images" else source
    download_gif("Download the cloud's journey (GIF)", slug("forward-2pixel", what, schedule, f"T{T}", f"seed{seed}") + ".gif",
                 lambda: fig.cloud_gif(source, name, a, b, channel, schedule, T, t, n, seed), key="fn_gif")
    st.caption("Press ▶ Play, or drag the slider under the plot: the animation runs in your browser. "
               f"Dotted circles: 1, 2 and 3 standard deviations of N(0, I), where the cloud must end ({fig.CIRCLES}).")
    ask("fn_corr", lambda: st.markdown(f"This cloud's correlation: **{c['corr'][0]:+.2f}** at t = 0, "
                                       f"**{c['corr'][-1]:+.2f}** at t = {int(c['ts'][-1])}."))
