"""Part 2, forward noising: one image step by step, and a whole dataset in the 2-pixel view."""

from functools import partial

import streamlit as st

from core.diffusion import SCHEDULES, q_sample, q_sample_iterative, q_step
from ui.components import drawing
from ui.components.chart import chart
from ui.components.code import show_code
from ui.components.export import download_gif, slug
from ui.components.film import film
from ui.components.lessons import lesson
from ui.components.predict import ask
from ui.figures import forward_noising as fig
from ui.i18n import tr
from ui.resources.data import dataset
from ui.share import URL

LESSON = "forward_noising"
DATASETS = {"mnist": "MNIST", "cifar10": "CIFAR-10"}
T_CHOICES = (10, 20, 50, 100, 200, 500, 1000)
SCHEDULE_ORDER = ("cosine", "linear", "constant")
DEFAULT_T = 250  # where the film opens (the nearest step it holds)
assert set(SCHEDULE_ORDER) == set(SCHEDULES)
ss = st.session_state

# --- defaults, and values kept valid when the ranges change (before any widget is drawn)
ss.setdefault("fn_index", 0)
for key, default in (("fn_a_row", 14), ("fn_a_col", 14), ("fn_b_row", 14), ("fn_b_col", 15)):
    ss.setdefault(key, default)
T = ss.get("fn_T", 1000)
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


st.title(f"2. {tr('part.2')}")
lesson(LESSON)

# --- the controls shared by both views (t is the film's, below: it steps in the browser)
c1, c2, c3, c4 = st.columns([1.4, 2.4, 2.0, 1.2], gap="medium")  # room for "CIFAR-10" and the French labels
c1.selectbox(tr("common.dataset"), list(DATASETS), format_func=DATASETS.get, key="fn_dataset", bind=URL)
c2.radio(tr("forward.schedule"), SCHEDULE_ORDER, horizontal=True, key="fn_schedule", bind=URL,
         format_func={s: tr(f"schedule.{s}") for s in SCHEDULE_ORDER}.get)
c3.select_slider(tr("common.T"), T_CHOICES, value=1000, key="fn_T", bind=URL)
c4.number_input(tr("common.noise_seed"), 0, 9999, 0, key="fn_seed", bind=URL)
schedule, seed = ss["fn_schedule"], ss["fn_seed"]

# --- one image, two ways
st.subheader(tr("forward.one_image"))
left, right = st.columns([1, 2.2], gap="large")
with left:
    lesson(LESSON, "two-ways")
with right:
    ci, cs = st.columns([1, 4], vertical_alignment="center")
    index = ci.number_input(tr("forward.index", last=n_images - 1), 0, n_images - 1, key="fn_index", bind=URL)
    start = index // fig.STRIP * fig.STRIP
    with cs:
        chart(fig.strip_figure(fig.strip(name, start), start, index), key="fn_strip",
                        on_select=partial(_pick_thumbnail, start), selection_mode="points")
        st.caption(tr("forward.strip.caption", first=start, last=start + fig.STRIP - 1))
    with st.spinner(tr("forward.noising")):  # the iterative chain and the frames, the first time
        frames = fig.noising_film(name, index, schedule, T, seed)
    steps = [int(f.value) for f in frames]
    t = int(film(frames, key="fn_film", columns=fig.film_columns(index), url="fn_t", prefix="t = ",
                 default=min(range(len(steps)), key=lambda k: abs(steps[k] - DEFAULT_T)), chart=fig.film_chart(),
                 file_name=slug("forward-noising", name, f"image{index}", schedule, f"T{T}", f"seed{seed}") + "-t"))
    cols = st.columns(3)
    cols[0].markdown(tr("forward.x0.text"))
    cols[1].markdown(tr("forward.iterative.text"))
    cols[2].markdown(r"$I_t = \sqrt{\bar a_t}\, I_0$ $+ \sqrt{1 - \bar a_t}\,\varepsilon$")
    st.markdown(tr("forward.same_law"))
    show_code(q_step, q_sample, q_sample_iterative)

# --- the 2-pixel view
st.divider()
st.subheader(tr("forward.two_pixels"))
before = ss.get("fn_source", "images")  # the middle column: the pixel picker, the canvas (wider), or nothing
widths = [0.95, 0.85, 1.75] if before == "images" else [0.95, 1.25, 1.5] if before == drawing.OPTION else [1.3, 0.05, 2.2]
left, mid, right = st.columns(widths, gap="medium")
with left:
    sources = {"images": tr("forward.points.images", dataset=DATASETS[name]),
               **{s: tr("forward.points.toy", toy=drawing.label(s)) for s in fig.TOY_SOURCES},
               drawing.OPTION: tr("forward.points.drawing")}
    choice = st.selectbox(tr("forward.points"), list(sources), key="fn_source", bind=URL, format_func=sources.get)
    n = st.select_slider(tr("forward.n"), (100, 200, 500, 1000), value=500, key="fn_n", bind=URL)
    lesson(LESSON, "two-pixels" if choice == "images" else "toy")  # pixels, or x and y playing their part
with mid:
    a = (ss["fn_a_row"], ss["fn_a_col"])
    b = (ss["fn_b_row"], ss["fn_b_col"])
    channel = 0
    if choice == "images":
        st.radio(tr("forward.click"), ("A", "B"), horizontal=True, key="fn_click")
        chart(fig.picker_figure(fig.clean_image(name, index), a, b), key="fn_picker",
                        on_select=_pick_pixel, selection_mode="points")
        ca, cb = st.columns(2)
        with ca:
            st.markdown("**:orange[Pixel A]**")
            st.number_input(tr("forward.row", which="A"), 0, size - 1, key="fn_a_row", bind=URL)
            st.number_input(tr("forward.column", which="A"), 0, size - 1, key="fn_a_col", bind=URL)
        with cb:
            st.markdown("**:blue[Pixel B]**")
            st.number_input(tr("forward.row", which="B"), 0, size - 1, key="fn_b_row", bind=URL)
            st.number_input(tr("forward.column", which="B"), 0, size - 1, key="fn_b_col", bind=URL)
        if name == "cifar10":
            colours = {c: tr(f"forward.channel.{c}") for c in ("red", "green", "blue")}
            channel = list(colours).index(st.radio(tr("forward.channel"), list(colours), horizontal=True, key="fn_channel",
                                                   bind=URL, format_func=colours.get))
        a = (ss["fn_a_row"], ss["fn_a_col"])
        b = (ss["fn_b_row"], ss["fn_b_col"])
    elif choice == drawing.OPTION:
        drawing.pad("fn_pad")
    source = drawing.dataset(choice)  # a toy's name, or the drawing's (drawn:CODE)
with right:
    c = fig.cloud(source, name, a, b, channel, schedule, T, t, n, seed)
    names = (tr("forward.cloud.pixel", which="A", where=a), tr("forward.cloud.pixel", which="B", where=b)) \
        if source == "images" else ("x", "y")
    chart(fig.cloud_figure(c, t, T, names), key="fn_cloud")
    what = name if source == "images" else "drawing" if choice == drawing.OPTION else source
    download_gif(tr("forward.cloud.download"), slug("forward-2pixel", what, schedule, f"T{T}", f"seed{seed}") + ".gif",
                 lambda: fig.cloud_gif(source, name, a, b, channel, schedule, T, t, n, seed), key="fn_gif")
    st.caption(tr("forward.cloud.caption", circles=fig.circles()))
    if choice == "images":  # the question is about two neighbouring pixels
        ask("fn_corr", lambda: st.markdown(tr("forward.cloud.correlation", start=f"{c['corr'][0]:+.2f}",
                                              end=f"{c['corr'][-1]:+.2f}", T=int(c["ts"][-1]))))
