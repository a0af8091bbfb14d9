"""Draw your own data: a canvas where a student draws 2-D points, used as the data of the toy pages (issue 24).

The canvas shows the toy box ``[-4, 4]^2``. A stroke (mouse, pen or finger: pointer events, so a touch screen draws
too) becomes a dot in each grid cell it crosses (:data:`SPACING`), a tap one dot; the browser draws them at once and, when the
stroke ends, sends the drawing to the server, which writes it as a code (:mod:`core.data.drawn`). One drawing per
session, the same on every page; two sets (two pens) where a page uses two (a flow between two drawings).

The code is in the page's address (``draw=``, :func:`ui.share.carried`) and in a field under the canvas: a link, or
class mode, carries the drawing; a lecturer can paste a code prepared before class. A page offers the drawing as one
more option of its data (:data:`OPTION` and, for the second set, :data:`OPTION2`), and :func:`dataset` names what the
core samples.
"""

from __future__ import annotations

import streamlit as st
import torch

from core.data import EXTENT, drawn_name, is_drawn
from core.data.drawn import EXAMPLE, MAX_POINTS, STEP, decode, encode
from ui import keys, theme
from ui.i18n import tr
from ui.present import presenting
from ui.share import carried

OPTION, OPTION2 = "drawn", "drawn2"
"""A data box's options for the drawing's first and second set."""
FIELD = "draw"
"""The address parameter (and session key) of the drawing on a page that shows the canvas."""
TEXT, INVALID = "draw_text", "draw_invalid"  # the code's field; whether it holds a text that is not a code
SPACING = STEP / 2
"""How far apart a stroke is read, in the box's units (the box is 8 wide): half the code's grid step. Each reading is
put on the grid, and a dot is added where the last one is not: a stroke becomes an unbroken line of grid cells, one
dot about every 0.13."""


def code() -> str:
    """The session's drawing (its code): the last one drawn or pasted on any page, else the example."""
    return st.session_state.get(keys.DRAWING) or EXAMPLE


def dataset(choice: str) -> str:
    """What the core samples for a data box's ``choice``: a toy name, or the drawing's set (``drawn:CODE``); an empty
    set is the example's (the face, the heart) until the student draws one (the canvas says so)."""
    if choice in (OPTION, OPTION2):
        which = int(choice == OPTION2)
        return drawn_name(code() if len(decode(code())[which]) else EXAMPLE, which)
    return choice


def label(name: str) -> str:
    """A data set's name as the student reads it: a toy's, or "your drawing (blue)" for a drawing's set."""
    if name in (OPTION, OPTION2) or is_drawn(name):
        return tr("draw.set2" if name.startswith(OPTION2) else "draw.set1")
    return tr(f"toy.{name}")


def _take_drawing(key: str) -> None:
    """The canvas sent a drawing (its two sets, either may be empty): keep it (one code per session)."""
    sent = getattr(st.session_state.get(key), "drawn", None)
    try:
        sets = [torch.tensor(s, dtype=torch.float32).reshape(-1, 2)[:MAX_POINTS] for s in sent][:2]
        new = encode(sets)
    except (TypeError, ValueError, RuntimeError):  # not a drawing: keep the one there was
        return
    _keep(new)


def _take_code() -> None:
    """A code was typed or pasted in the field: keep it if it is one (else the field says so, see :func:`pad`)."""
    text = (st.session_state.get(TEXT) or "").strip()
    try:
        decode(text)
    except ValueError:
        st.session_state[INVALID] = True
        return
    _keep(text)


def _keep(new: str) -> None:
    st.session_state[keys.DRAWING] = st.session_state[FIELD] = new
    st.session_state[INVALID] = False


def pad(key: str, *, sets: int = 1) -> None:
    """The canvas (with ``sets`` pens), its buttons, and the drawing's code field. Call it before the page samples
    :func:`dataset`: a code in the address (a link, or class mode) is taken here, and the drawing is written there."""
    ss = st.session_state
    carried(FIELD, keys.DRAWING, decode, EXAMPLE)  # a link's drawing, or class mode's, or the session's
    drawing = decode(code())
    _canvas(key=key, on_drawn_change=lambda: _take_drawing(key), data={
        # both sets always (a page with one pen shows and changes the first, and keeps the second as it is)
        "sets": [[[round(float(v), 3) for v in p] for p in s.tolist()] for s in drawing],
        "pens": sets, "colours": list(theme.DRAWING_COLOURS), "spacing": SPACING, "grid": STEP, "max": MAX_POINTS,
        "extent": EXTENT,
        "example": [s.tolist() for s in decode(EXAMPLE)], "present": presenting(),
        "lines": theme.GRID, "axis": theme.FAINT_LINE,
        "text": {k: tr(f"draw.{k}") for k in ("pen1", "pen2", "undo", "clear", "example", "hint", "full", "canvas")},
    })
    empty = [k for k in range(sets) if not len(drawing[k])]
    if empty:
        st.caption(tr("draw.empty" if len(empty) == 2 else "draw.empty1" if empty == [0] else "draw.empty2"))
    if not ss.get(INVALID):
        ss[TEXT] = code()
    st.text_input(tr("draw.code"), key=TEXT, max_chars=2 * (2 * MAX_POINTS) + 1, on_change=_take_code,
                  help=tr("draw.code.help"))
    if ss.get(INVALID):
        st.error(tr("draw.code.invalid"), icon=":material/error:")


_CSS = """
.pad { font-family: inherit; color: var(--st-text-color, #31333f); max-width: 440px; margin: 0 auto; }
.present.pad { max-width: min(70vh, 560px); }
canvas { display: block; width: 100%; aspect-ratio: 1; touch-action: none; cursor: crosshair; border-radius: 0.5rem;
         border: 1px solid rgba(49, 51, 63, 0.25); background: var(--st-background-color, #fff); }
.bar { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.45rem; align-items: center; }
button { font: inherit; font-size: 0.92rem; padding: 0.25rem 0.7rem; border-radius: 0.5rem; cursor: pointer;
         border: 1px solid rgba(49, 51, 63, 0.25); background: var(--st-background-color, #fff);
         color: var(--st-text-color, #31333f); }
.present button { font-size: 1.2rem; }
button[aria-pressed="true"] { border-width: 2px; font-weight: 600; }
button:hover, button:focus-visible { border-color: var(--st-primary-color, #ff4b4b); }
.hint { font-size: 0.85rem; opacity: 0.75; margin-top: 0.3rem; }
.present .hint { font-size: 1.1rem; }
i { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; margin-right: 0.35em; vertical-align: -0.05em; }
"""

_JS = """
export default function({ parentElement, data, key, setTriggerValue }) {
    const E = data.extent, text = data.text;
    let sets = data.sets.map((s) => s.map((p) => p.slice()));
    // Undo's strokes ([set, how many points it added]) and the pen outlive a rerun (each stroke reruns the page),
    // as long as the drawing the server sends back is the one this canvas sent (the same number of points)
    const memory = (window.__dpDrawings = window.__dpDrawings || {});
    const before = memory[key];
    const same = before && before.counts.length === sets.length && before.counts.every((c, k) => c === sets[k].length);
    let history = same ? before.history : [];  // the drawings before each change (a stroke, Clear, Example), for Undo
    let pen = same ? Math.min(before.pen, data.pens - 1) : 0, stroke = null, last = null;
    const remember = () => { memory[key] = { counts: sets.map((s) => s.length), history, pen }; };
    const el = (tag, cls, parent) => { const e = document.createElement(tag); if (cls) e.className = cls; if (parent) parent.append(e); return e; };
    const root = el("div", "pad" + (data.present ? " present" : ""));
    const canvas = el("canvas", "", root);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", text.canvas);
    const bar = el("div", "bar", root);
    const pens = [];
    if (data.pens > 1) {
        data.colours.slice(0, data.pens).forEach((c, k) => {
            const b = el("button", "", bar); b.type = "button";
            el("i", "", b).style.background = c;
            b.append(k === 0 ? text.pen1 : text.pen2);
            b.onclick = () => { pen = k; remember(); pens.forEach((p, j) => p.setAttribute("aria-pressed", String(j === k))); };
            pens.push(b);
        });
        pens.forEach((p, j) => p.setAttribute("aria-pressed", String(j === pen)));
    }
    const undo = el("button", "", bar); undo.type = "button"; undo.textContent = text.undo;
    const clear = el("button", "", bar); clear.type = "button"; clear.textContent = text.clear;
    const example = el("button", "", bar); example.type = "button"; example.textContent = text.example;
    const hint = el("div", "hint", root); hint.textContent = text.hint;
    const g = canvas.getContext("2d");

    const size = () => canvas.clientWidth || 400;
    const toBox = (e) => {  // a pointer position, in the box's units (y up)
        const r = canvas.getBoundingClientRect();
        const x = (e.clientX - r.left) / r.width * 2 * E - E, y = E - (e.clientY - r.top) / r.height * 2 * E;
        return [Math.max(-E, Math.min(E, x)), Math.max(-E, Math.min(E, y))];
    };
    const draw = () => {
        const s = size(), ratio = window.devicePixelRatio || 1;
        if (canvas.width !== Math.round(s * ratio)) { canvas.width = Math.round(s * ratio); canvas.height = canvas.width; }
        g.setTransform(canvas.width / (2 * E), 0, 0, -canvas.width / (2 * E), canvas.width / 2, canvas.width / 2);
        g.clearRect(-E, -E, 2 * E, 2 * E);
        g.lineWidth = 1.2 * 2 * E / canvas.width;
        for (let v = -E; v <= E; v += 1) {  // the grid, a line per unit; the axes darker
            g.strokeStyle = v === 0 ? data.axis : data.lines;
            g.beginPath(); g.moveTo(v, -E); g.lineTo(v, E); g.moveTo(-E, v); g.lineTo(E, v); g.stroke();
        }
        const r = (data.present ? 0.09 : 0.075);
        sets.slice(0, data.pens).forEach((s, k) => {  // the sets this page's pens draw
            g.fillStyle = data.colours[k];
            s.forEach(([x, y]) => { g.beginPath(); g.arc(x, y, r, 0, 2 * Math.PI); g.fill(); });
        });
    };
    const total = () => sets[pen].length;
    const snap = (v) => Math.round((Math.round((v + E) / data.grid) * data.grid - E) * 1000) / 1000;
    const add = (p) => {  // a dot on the code's grid (as the server keeps it), unless the last dot is there already
        const q = [snap(p[0]), snap(p[1])], s = sets[pen], end = s[s.length - 1];
        if (stroke.count && end && end[0] === q[0] && end[1] === q[1]) return true;
        if (total() >= data.max) { hint.textContent = text.full; return false; }
        s.push(q);
        stroke.count += 1;
        return true;
    };
    const copy = () => sets.map((s) => s.map((p) => p.slice()));
    const change = () => { history.push(copy()); if (history.length > 50) history.shift(); };  // before a change
    const send = () => { remember(); setTriggerValue("drawn", sets.map((s) => s.flat())); };
    canvas.addEventListener("pointerdown", (e) => {
        e.preventDefault();
        canvas.setPointerCapture(e.pointerId);
        change();
        stroke = { set: pen, count: 0 };
        last = toBox(e);
        add(last);
        draw();
    });
    canvas.addEventListener("pointermove", (e) => {
        if (!stroke) return;
        const p = toBox(e);
        let d = Math.hypot(p[0] - last[0], p[1] - last[1]);
        while (d >= data.spacing) {  // a point every `spacing` along the path
            const f = data.spacing / d;
            last = [last[0] + f * (p[0] - last[0]), last[1] + f * (p[1] - last[1])];
            if (!add(last)) break;
            d = Math.hypot(p[0] - last[0], p[1] - last[1]);
        }
        draw();
    });
    const end = () => {
        if (!stroke) return;
        if (!stroke.count) history.pop();  // nothing drawn: nothing to undo
        stroke = null;
        send();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    undo.onclick = () => {
        if (!history.length) return;
        sets = history.pop();
        hint.textContent = text.hint; draw(); send();
    };
    clear.onclick = () => { change(); sets[pen] = []; hint.textContent = text.hint; draw(); send(); };
    example.onclick = () => { change(); sets = data.example.map((s) => s.map((p) => p.slice())); draw(); send(); };
    parentElement.querySelector(".mount").replaceChildren(root);
    draw();
    const resize = new ResizeObserver(draw);
    resize.observe(canvas);
    return () => resize.disconnect();
}
"""

_canvas = st.components.v2.component("dp_drawing", html='<div class="mount"></div>', css=_CSS, js=_JS)
