"""A film: pictures already computed, stepped through in the student's browser (issue 23, scrubbing in the browser).

The server sends every frame once, as small PNGs (a rerun that sends the same film again costs nothing: Streamlit
sends an element the browser already holds as a reference); the browser swaps the picture as the student drags the
slider, presses ◀ ▶, plays it, or uses the arrow keys, with no round trip to the server. Each frame has its title
and, if the picture is a table, its row labels (the column titles stay; both are the app's own markup, never a
student's text). Where the position belongs in a shared
link, ``url`` names its parameter: the browser writes the frame's value into the address as the student scrubs (so
the sidebar's copy-link button copies it), the server reads it back at the next run (:func:`film` returns it, for an
export or a sentence that depends on it) and a link opened with it starts there. A ``⤓`` button saves the frame
shown, enlarged, as a PNG, in the browser. In presenter mode the arrow keys step the film most in view
(:mod:`ui.chrome`), and the picture is sized to fit a projector's screen.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from core.diffusion.twopixel import frame_steps
from ui import classmode, theme
from ui.i18n import decimal, tr
from ui.keys import FILM_URLS
from ui.present import presenting


@dataclass(frozen=True)
class Frame:
    """One frame: its picture (a PNG data URI), its title, its value (on the slider and in the address), the labels
    of the picture's rows in this frame (none for a single picture), and the values of the film's chart in this frame
    (one sequence per series of :class:`Chart` that the frames give, none without a chart)."""

    picture: str
    title: str
    value: str
    rows: tuple[str, ...] = ()
    chart: tuple[tuple[float, ...], ...] = ()


@dataclass(frozen=True)
class Series:
    """A series of a film's chart, spread over the chart's ``x`` range: ``"bars"`` (a histogram, one value per bin)
    or ``"line"`` (values at evenly spaced points), both given by each frame; or ``"curve"``, the same in every frame
    (its ``values``, at evenly spaced points)."""

    name: str
    colour: str
    kind: str = "bars"
    values: tuple[float, ...] = ()


@dataclass(frozen=True)
class Chart:
    """A small chart under the film's picture, drawn by the browser (SVG): histograms and curves over
    ``x = (low, high)``; the y axis fits each frame. With ``cursor``, a dashed line at the frame's value (on the x
    axis) and a dot where it crosses each curve."""

    series: tuple[Series, ...]
    x: tuple[float, float]
    x_title: str = ""
    y_title: str = ""
    cursor: bool = False


def steps(T: int) -> list[int]:
    """The steps ``0..T`` a film over ``t`` holds: every step up to 20 (where an image changes fastest under most
    schedules), then about 100 evenly spaced ones (every step when ``T <= 100``)."""
    return sorted({*range(min(T, 20) + 1), *frame_steps(T, 101).tolist()})


def start_index(values: Sequence[str], url: str | None, default: int) -> int:
    """The frame a run shows first, of frames named ``values``: the one the address names under ``url`` (its value, or
    the nearest numeric value), else ``default``. A value that is not a number and names no frame is taken out of the
    address, and :func:`ui.share.check_link` reports it like a widget's invalid value. (A Plotly animation that opens
    where a link says uses it too.)"""
    if url is None:
        return default
    values = list(values)
    index = _linked(values, url, default)
    st.session_state[url] = values[index]  # the parameter is this page's (check_link reports unknown names)
    st.session_state.setdefault(FILM_URLS, set()).add(url)  # class mode moves a follower's film through its address
    return index


def _linked(values: list[str], url: str, default: int) -> int:
    text = st.query_params.get(url)
    if text is None:
        return default
    if text in values:
        return values.index(text)
    try:
        wanted = float(text)
        numbers = [float(v) for v in values]
    except ValueError:
        wanted = math.nan
    if not math.isfinite(wanted):
        del st.query_params[url]
        return default
    best = min(range(len(values)), key=lambda k: abs(numbers[k] - wanted))
    st.query_params[url] = values[best]  # a step between frames: the nearest frame, said in the address
    return best


def film(frames: Sequence[Frame], *, key: str, columns: Sequence[str] = (), url: str | None = None, default: int = 0,
         file_name: str = "frame", fps: float = 6.0, prefix: str = "", chart: Chart | None = None) -> str:
    """Show ``frames`` with a slider, ◀ ▶, play/pause and a save button, all in the browser; returns the value of the
    frame shown first (the one the address names, see :func:`start_index`); ``columns`` titles the picture's columns;
    ``file_name`` starts the name of a saved frame, its value appended (``...-t`` gives ``...-t250.png``);
    beside the slider, the frame's value after ``prefix`` (``"t = "``), or without one its place (``"3 / 50"``);
    ``chart``, if given, is drawn under the picture from each frame's values.
    Presenter mode fits the picture to the screen's height."""
    if not frames:
        return ""
    start = start_index([f.value for f in frames], url, default)
    pictures = [f.picture for f in frames]
    digest = hashlib.sha256("\n".join(pictures).encode()).hexdigest()[:16]
    result = _film(data={
        "id": digest, "start": start, "url": url, "default": frames[default].value, "fps": fps, "aspect": aspect(frames[0].picture),
        "frames": [{"src": f.picture, "title": f.title, "value": f.value, "rows": list(f.rows),
                    "chart": [[round(float(v), 4) for v in values] for values in f.chart]} for f in frames],
        "chart": None if chart is None else {"series": [{**vars(x), "values": [round(v, 5) for v in x.values]}
                                                        for x in chart.series],
                                             "x": list(chart.x), "cursor": chart.cursor,
                                             "x_title": chart.x_title, "y_title": chart.y_title,
                                             "axis": theme.FAINT_LINE, "grid": theme.GRID, "ink": theme.INK,
                                             "point": decimal(0.5)[1]},
        "columns": list(columns), "present": presenting(), "file": file_name, "prefix": prefix, "ink": theme.INK,
        "text": {k: tr(f"film.{k}") for k in ("play", "pause", "previous", "next", "save", "slider")},
        "report": bool(url) and classmode.leading(),  # a lecturer's scrub reaches the class (ui.classmode)
    }, key=key, on_moved_change=lambda: None)
    moved = getattr(result, "moved", None)  # a lecturer's scrub, told (the server does not read the browser's address)
    if url and isinstance(moved, str) and moved in {f.value for f in frames}:
        st.query_params[url] = st.session_state[url] = moved  # ui.classmode.publish sends it to the class
    return frames[start].value


def aspect(picture: str) -> float:
    """A PNG data URI's width over its height (read from its header)."""
    head = base64.b64decode(picture.split(",", 1)[1][:32])
    width, height = struct.unpack(">II", head[16:24])
    return width / height


_CSS = """
.film { font-family: inherit; color: var(--st-text-color, #31333f); border-radius: 0.5rem; }
.film:focus-visible { outline: 2px solid var(--st-primary-color, #ff4b4b); outline-offset: 4px; }
.title { text-align: center; font-weight: 600; font-size: 1.05rem; min-height: 1.6em; margin-bottom: 0.3rem; }
.present .title { font-size: 1.6rem; }
.body { display: grid; grid-template-columns: auto minmax(0, var(--max-width, 1fr)); column-gap: 0.5rem;
        align-items: stretch; justify-content: center; }
.rows { display: flex; flex-direction: column; justify-content: space-around; text-align: right; font-size: 0.9rem;
        white-space: nowrap; }
.present .rows { font-size: 1.3rem; }
.columns { display: flex; grid-column: 2; }
.columns span { flex: 1; text-align: center; font-weight: 600; font-size: 0.95rem; }
.present .columns span { font-size: 1.35rem; }
.picture { grid-column: 2; display: flex; justify-content: center; }
img { display: block; width: 100%; image-rendering: pixelated; }
.present svg { max-height: 28vh; }
svg { display: block; width: 100%; height: auto; margin-top: 0.4rem; font-size: 13px; }
.present svg { font-size: 20px; }
svg text { fill: currentColor; }
.legend { display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; font-size: 0.9rem; margin-left: 3rem; }
.present .legend { font-size: 1.2rem; }
.legend i { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.35em; vertical-align: -0.1em; border-radius: 2px; }
.controls { display: flex; align-items: center; gap: 0.5rem; margin-top: 0.5rem; }
.controls input { flex: 1; min-width: 4rem; accent-color: var(--st-primary-color, #ff4b4b); }
button { font: inherit; font-size: 0.95rem; padding: 0.25rem 0.7rem; border-radius: 0.5rem; cursor: pointer;
         border: 1px solid rgba(49, 51, 63, 0.25); background: var(--st-background-color, #fff);
         color: var(--st-text-color, #31333f); }
.present button { font-size: 1.25rem; }
button:hover, button:focus-visible { border-color: var(--st-primary-color, #ff4b4b); color: var(--st-primary-color, #ff4b4b); }
.value { min-width: 5.5em; text-align: right; font-variant-numeric: tabular-nums; font-size: 0.95rem; }
.present .value { font-size: 1.3rem; }
"""

_JS = """
export default function({ parentElement, data, key, setTriggerValue }) {
    const frames = data.frames, n = frames.length, text = data.text;
    const memory = (window.__dpFilms = window.__dpFilms || {});
    const host = parentElement.host || parentElement;
    const path = window.location.pathname;
    let index = Math.max(0, Math.min(n - 1, data.start));
    const before = memory[key];  // where this film stood in this tab: new frames (another image) keep the same value
    if (before && before.path === path && before.start === frames[index].value) {  // unless the server moved it (class mode)
        const same = before.id === data.id ? before.index : frames.findIndex((f) => f.value === before.value);
        if (same >= 0 && same < n) index = same;
    }
    if (before && before.timer) clearInterval(before.timer);  // one timer per film: a previous mount's would write its old frame
    let timer = null, keep = null, report = null;  // Play's timer; the one that keeps the frame in the address; a report's
    const told = frames[index].value;  // the value the server knows (a lecturer's scrub elsewhere is told, once it rests)

    const el = (tag, cls, parent) => { const e = document.createElement(tag); if (cls) e.className = cls; if (parent) parent.append(e); return e; };
    const root = el("div", "film" + (data.present ? " present" : ""));
    root.tabIndex = 0;
    const title = el("div", "title", root);
    title.setAttribute("aria-live", "polite");
    const body = el("div", "body", root);
    if (data.columns.length) {
        el("span", "", body);
        const cols = el("div", "columns", body);
        data.columns.forEach((c) => { el("span", "", cols).innerHTML = c; });  // the app's own markup (<br>, <sub>)
    }
    const rows = el("div", "rows", body);
    const holder = el("div", "picture", body);
    const img = el("img", "", holder);
    img.alt = "";
    // presenter mode: the picture, its title and the controls on one screen (with the chart: a shorter picture)
    const room = data.chart ? "100vh - 14rem - 28vh" : "100vh - 14rem";
    if (data.present) root.style.setProperty("--max-width", `calc((${room}) * ${data.aspect})`);  // the picture's column
    const NS = "http://www.w3.org/2000/svg";
    const svg = data.chart ? document.createElementNS(NS, "svg") : null;
    if (svg) {
        const box = el("div", "", root);
        box.append(svg);
        svg.setAttribute("viewBox", "0 0 640 250");
        const legend = el("div", "legend", box);
        data.chart.series.forEach((x) => {
            const item = el("span", "", legend), swatch = el("i", "", item);
            swatch.style.background = x.colour;
            if (x.kind === "bars") swatch.style.opacity = 0.55;
            if (x.kind !== "bars") swatch.style.height = "0.25em";  // a curve's swatch: a stroke
            item.append(x.name);
        });
    }
    const draw = (frame) => {  // the chart of one frame: axes, then bars, lines and curves; y fits the frame
        const [lo, hi] = data.chart.x, W = 640, H = 250, L = data.present ? 84 : 56, R = 12, T = 10, B = 44;
        let given = 0;  // the frame gives the bars and lines, in order; the curves are the chart's own
        const values = data.chart.series.map((x) => (x.kind === "curve" ? x.values : frame.chart[given++] || []));
        let top = 0;
        values.forEach((ys) => ys.forEach((y) => { if (y > top) top = y; }));
        top = top > 0 ? top * 1.08 : 1;
        const X = (x) => L + (x - lo) / (hi - lo) * (W - L - R), Y = (y) => H - B - Math.min(y, top) / top * (H - T - B);
        const add = (tag, attrs, text) => {
            const e = document.createElementNS(NS, tag);
            for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
            if (text !== undefined) e.textContent = text;
            svg.append(e); return e;
        };
        svg.replaceChildren();
        add("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: data.chart.axis });
        add("line", { x1: L, x2: L, y1: T, y2: H - B, stroke: data.chart.axis });
        const tick = 10 ** Math.floor(Math.log10((hi - lo) / 2)) * ((hi - lo) / 10 ** Math.floor(Math.log10((hi - lo) / 2)) > 10 ? 5 : 1);
        for (let x = Math.ceil(lo / tick) * tick; x <= hi + 1e-9; x += tick) {
            add("line", { x1: X(x), x2: X(x), y1: H - B, y2: H - B + 5, stroke: data.chart.axis });
            add("text", { x: X(x), y: H - B + 19, "text-anchor": "middle" }, String(Math.round(x * 1000) / 1000).replace("-", "−"));
        }
        const digits = top / 1.08 >= 10 ? 0 : top / 1.08 >= 1 ? 1 : 2;  // one number of decimals for the axis
        for (const f of [0, 0.5, 1]) {
            const y = top / 1.08 * f;
            const label = y.toFixed(digits).replace(".", data.chart.point);
            add("line", { x1: L - 5, x2: W - R, y1: Y(y), y2: Y(y), stroke: f ? data.chart.grid : data.chart.axis });
            add("text", { x: L - 8, y: Y(y) + 4, "text-anchor": "end" }, label);
        }
        add("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle" }, data.chart.x_title);
        add("text", { x: 14, y: (T + H - B) / 2, "text-anchor": "middle", transform: `rotate(-90 14 ${(T + H - B) / 2})` }, data.chart.y_title);
        data.chart.series.forEach((x, k) => {
            const ys = values[k] || [];
            if (!ys.length) return;
            const width = (hi - lo) / (x.kind === "bars" ? ys.length : ys.length - 1);
            if (x.kind === "bars") {
                ys.forEach((y, i) => add("rect", { x: X(lo + i * width), y: Y(y), width: Math.max(X(lo + width) - X(lo) - 1, 1),
                                                   height: H - B - Y(y), fill: x.colour, "fill-opacity": 0.45 }));
            } else {
                add("polyline", { points: ys.map((y, i) => `${X(lo + i * width).toFixed(1)},${Y(y).toFixed(1)}`).join(" "),
                                  fill: "none", stroke: x.colour, "stroke-width": 3 });
            }
        });
        if (data.chart.cursor) {  // the frame's value on the x axis, and where each curve crosses it
            const at = Number(frame.value);
            add("line", { x1: X(at), x2: X(at), y1: T, y2: H - B, stroke: data.chart.ink, "stroke-width": 2, "stroke-dasharray": "6 4" });
            data.chart.series.forEach((x, k) => {
                const ys = values[k];
                if (x.kind !== "curve" || ys.length < 2) return;
                const u = Math.max(0, Math.min(ys.length - 1, (at - lo) / (hi - lo) * (ys.length - 1))), i = Math.min(Math.floor(u), ys.length - 2);
                const y = ys[i] + (ys[i + 1] - ys[i]) * (u - i);
                add("circle", { cx: X(at), cy: Y(y), r: 6, fill: x.colour, stroke: "white", "stroke-width": 2 });
            });
        }
    };
    const controls = el("div", "controls", root);
    const prev = el("button", "", controls); prev.type = "button"; prev.textContent = "◀"; prev.title = text.previous;
    const play = el("button", "", controls); play.type = "button";
    const next = el("button", "", controls); next.type = "button"; next.textContent = "▶"; next.title = text.next;
    const range = el("input", "", controls);
    range.type = "range"; range.min = 0; range.max = n - 1; range.step = 1; range.setAttribute("aria-label", text.slider);
    const value = el("span", "value", controls);
    const save = el("button", "", controls); save.type = "button"; save.textContent = "⤓"; save.title = text.save;
    for (const b of [prev, next, save]) b.setAttribute("aria-label", b.title);  // a name for a button that shows a sign

    const writeUrl = () => {
        if (!data.url || window.location.pathname !== path) return;
        if (keep !== null && memory[key] && memory[key].timer !== keep) return;  // a newer mount owns the address
        const u = new URL(window.location.href), v = frames[index].value;
        if (v === data.default) u.searchParams.delete(data.url); else u.searchParams.set(data.url, v);
        if (u.href !== window.location.href) window.history.replaceState(window.history.state, "", u.href);
    };
    const show = (k) => {
        index = Math.max(0, Math.min(n - 1, k));
        const f = frames[index];
        img.src = f.src;
        title.textContent = f.title;
        rows.replaceChildren(...f.rows.map((r) => { const s = document.createElement("span"); s.innerHTML = r; return s; }));
        if (svg) draw(f);
        range.value = index;
        value.textContent = data.prefix ? data.prefix + f.value : `${index + 1} / ${n}`;
        host.dataset.dpFilmIndex = String(index);
        memory[key] = { ...memory[key], id: data.id, index, value: f.value, path, start: frames[Math.max(0, Math.min(n - 1, data.start))].value };
        writeUrl();
        if (data.report && setTriggerValue) {
            clearTimeout(report);
            if (f.value !== told) report = setTimeout(() => setTriggerValue("moved", f.value), 400);
        }
    };
    const stop = () => { if (timer) { clearInterval(timer); timer = null; } play.textContent = text.play; };
    const start = () => {
        if (index >= n - 1) show(0);
        play.textContent = text.pause;
        timer = setInterval(() => { if (index >= n - 1) stop(); else show(index + 1); }, 1000 / data.fps);
    };
    const toggle = () => (timer ? stop() : start());
    const step = (d) => { stop(); show(index + d); };
    prev.onclick = () => step(-1);
    next.onclick = () => step(1);
    play.onclick = toggle;
    range.oninput = () => { stop(); show(Number(range.value)); };
    save.onclick = () => {  // the frame enlarged (crisp pixels), drawn and saved in the browser
        const canvas = document.createElement("canvas"), scale = Math.max(1, Math.ceil(800 / img.naturalWidth));
        const band = 44;  // the frame's title, above the picture
        canvas.width = img.naturalWidth * scale; canvas.height = img.naturalHeight * scale + band;
        const g = canvas.getContext("2d");
        g.fillStyle = "white"; g.fillRect(0, 0, canvas.width, canvas.height);
        g.fillStyle = data.ink; g.textAlign = "center"; g.textBaseline = "middle";
        let size = 22;
        do { g.font = `600 ${size}px sans-serif`; size -= 1; } while (g.measureText(frames[index].title).width > canvas.width - 16 && size > 9);
        g.fillText(frames[index].title, canvas.width / 2, band / 2);
        g.imageSmoothingEnabled = false;
        g.drawImage(img, 0, band, canvas.width, canvas.height - band);
        const a = document.createElement("a");
        a.href = canvas.toDataURL("image/png"); a.download = `${data.file}${frames[index].value}.png`; a.click();
    };
    root.addEventListener("keydown", (e) => {
        if (e.target === range) return;  // the slider steps itself
        if (e.key === "ArrowRight" || e.key === "ArrowLeft") { e.preventDefault(); step(e.key === "ArrowRight" ? 1 : -1); }
        else if (e.key === " ") { e.preventDefault(); toggle(); }
    });
    const onStep = (e) => (e.detail === "toggle" ? toggle() : step(e.detail));  // presenter mode's keys (ui.chrome)
    host.setAttribute("data-dp-film", "");
    if (before && before.onStep) host.removeEventListener("dp-film", before.onStep);  // one listener per film
    host.addEventListener("dp-film", onStep);
    parentElement.querySelector(".mount").replaceChildren(root);
    stop();
    show(index);
    keep = setInterval(writeUrl, 1000);  // a rerun may write the address the server knew: the frame shown wins
    memory[key].timer = keep;
    memory[key].onStep = onStep;
    return () => { stop(); clearInterval(keep); clearTimeout(report); host.removeEventListener("dp-film", onStep); };
}
"""

_film = st.components.v2.component("dp_film", html='<div class="mount"></div>', css=_CSS, js=_JS)


_FOLLOW_JS = """
export default function({ data }) {
    const path = window.location.pathname;
    let current = null;
    const write = () => {
        if (current === null || window.location.pathname !== path) return;
        const u = new URL(window.location.href);
        if (current === data.default) u.searchParams.delete(data.url); else u.searchParams.set(data.url, current);
        if (u.href !== window.location.href) window.history.replaceState(window.history.state, "", u.href);
    };
    const attach = () => {  // the chart's own slider and Play: their frame goes into the address
        const gd = document.querySelector(`.st-key-${data.chart} .js-plotly-plot`);
        if (!gd || !gd.on || gd.__dpFollow === data.url) return;
        gd.__dpFollow = data.url;
        gd.on("plotly_sliderchange", (e) => { current = String(e.step.args[0][0]); write(); });
        gd.on("plotly_animatingframe", (e) => { current = String(e.name); write(); });
    };
    const timer = setInterval(() => { attach(); write(); }, 500);
    return () => clearInterval(timer);
}
"""

_follow = st.components.v2.component("dp_follow_animation", js=_FOLLOW_JS)


def follow(chart: str, url: str, default: str) -> None:
    """Keep the frame of the Plotly animation shown under the key ``chart`` in the address, under ``url``, as the
    student scrubs or plays it in the browser (its frames named by their values; ``default`` is left out), as a
    film does; :func:`start_index` opens the animation there."""
    _follow(data={"chart": chart, "url": url, "default": default}, key=f"dp_follow_{chart}")
