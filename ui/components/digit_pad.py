"""Draw a digit: a square pad where a student writes a digit (mouse, pen or finger), made into a 28 x 28 MNIST-style
picture (:func:`core.data.handwritten.mnist_style`) for the models to read (issue 24).

The browser draws the strokes (white ink on black, as MNIST stores its digits) and, when a stroke ends, sends the pad
at 56 x 56; the server scales and centres the digit as MNIST's were, and keeps it as a code (one per session, the same on
every page that shows the pad) in the address (``digit=``): a link, or class mode, carries it.
"""

from __future__ import annotations

import streamlit as st
import torch

from core.data.handwritten import decode_digit, encode_digit, mnist_style
from ui import keys, theme
from ui.i18n import tr
from ui.present import presenting
from ui.share import carried

PARAM = "digit"
"""The address parameter (and session key) of the digit."""
SENT = 56
"""The side at which the browser sends the pad (its 224 pixels averaged four by four), before it is made MNIST-style."""


def digit() -> torch.Tensor | None:
    """The session's digit, ``(28, 28)`` in ``[0, 1]`` (MNIST style), or ``None`` before the student draws one."""
    code = st.session_state.get(keys.DIGIT)
    return decode_digit(code) if code else None


def _take(key: str) -> None:
    """The pad sent a drawing: MNIST-style it and keep it (nothing drawn: no digit)."""
    sent = getattr(st.session_state.get(key), "drawn", None)
    try:
        ink = torch.tensor(sent, dtype=torch.float32).reshape(SENT, SENT) / 255
        code = encode_digit(mnist_style(ink))
    except (TypeError, ValueError, RuntimeError):  # an empty pad (Clear), or not a picture
        code = None
    st.session_state[keys.DIGIT] = st.session_state[PARAM] = code


def pad(key: str) -> torch.Tensor | None:
    """The pad and its Clear button; returns the session's digit (see :func:`digit`). Call it before the page reads
    the digit: a digit in the address (a link, or class mode) is taken here."""
    carried(PARAM, keys.DIGIT, decode_digit)
    shown = digit()
    _pad(key=key, on_drawn_change=lambda: _take(key), data={
        "side": SENT, "present": presenting(), "colours": list(theme.INK_ON_BLACK),
        "start": None if shown is None else [round(float(v) * 255) for v in shown.reshape(-1)],  # a linked digit
        "text": {k: tr(f"digit.{k}") for k in ("clear", "hint", "canvas")},
    })
    return digit()


_CSS = """
.pad { font-family: inherit; color: var(--st-text-color, #31333f); max-width: 300px; margin: 0 auto; }
.present.pad { max-width: min(55vh, 420px); }
canvas { display: block; width: 100%; aspect-ratio: 1; touch-action: none; cursor: crosshair; border-radius: 0.5rem;
         background: var(--paper); }
.bar { display: flex; gap: 0.4rem; margin-top: 0.45rem; align-items: center; }
button { font: inherit; font-size: 0.92rem; padding: 0.25rem 0.7rem; border-radius: 0.5rem; cursor: pointer;
         border: 1px solid rgba(49, 51, 63, 0.25); background: var(--st-background-color, #fff);
         color: var(--st-text-color, #31333f); }
.present button { font-size: 1.2rem; }
button:hover, button:focus-visible { border-color: var(--st-primary-color, #ff4b4b); }
.hint { font-size: 0.85rem; opacity: 0.75; }
.present .hint { font-size: 1.1rem; }
"""

_JS = """
export default function({ parentElement, data, key, setTriggerValue }) {
    const N = 224, text = data.text;  // the pad's own pixels; it sends them averaged down to data.side
    const el = (tag, cls, parent) => { const e = document.createElement(tag); if (cls) e.className = cls; if (parent) parent.append(e); return e; };
    const root = el("div", "pad" + (data.present ? " present" : ""));
    const canvas = el("canvas", "", root);
    canvas.width = canvas.height = N;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", text.canvas);
    const bar = el("div", "bar", root);
    const clear = el("button", "", bar); clear.type = "button"; clear.textContent = text.clear;
    el("span", "hint", bar).textContent = text.hint;
    const g = canvas.getContext("2d", { willReadFrequently: true });
    // the strokes outlive a rerun (each stroke reruns the page): the pad keeps what it drew while the server's digit is
    // the one it sent; a digit from elsewhere (a link, the class) is drawn from its 28 x 28 picture
    const memory = (window.__dpDigits = window.__dpDigits || {});
    const before = memory[key], start = JSON.stringify(data.start);
    const [INK, PAPER] = data.colours;
    root.style.setProperty("--paper", PAPER);
    g.fillStyle = PAPER; g.fillRect(0, 0, N, N);
    if (before && before.pending) { before.start = start; before.pending = false; }  // this mount shows the answer to it
    if (before && before.start === start) g.putImageData(before.pixels, 0, 0);
    else if (data.start) {
        const small = document.createElement("canvas"), s = small.getContext("2d");
        small.width = small.height = 28;
        const im = s.createImageData(28, 28);
        data.start.forEach((v, i) => { im.data.set([v, v, v, 255], 4 * i); });
        s.putImageData(im, 0, 0);
        g.imageSmoothingEnabled = true;
        g.drawImage(small, 0, 0, N, N);
    }
    g.strokeStyle = INK; g.lineWidth = N / 14; g.lineCap = "round"; g.lineJoin = "round";
    let last = null;
    const at = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) / r.width * N, (e.clientY - r.top) / r.height * N]; };
    const send = () => {
        const px = g.getImageData(0, 0, N, N).data, k = N / data.side, out = new Array(data.side * data.side).fill(0);
        let ink = 0;
        for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
            const v = px[4 * (y * N + x)];
            out[Math.floor(y / k) * data.side + Math.floor(x / k)] += v / (k * k);
            ink += v;
        }
        const sent = ink > 0 ? out.map(Math.round) : null;
        memory[key] = { pixels: g.getImageData(0, 0, N, N), start: null, pending: true };  // the next mount learns the
        // server's answer to it (its 28 x 28 digit), and keeps these strokes while the server's digit stays that one
        setTriggerValue("drawn", sent);
    };
    canvas.addEventListener("pointerdown", (e) => {
        e.preventDefault();
        canvas.setPointerCapture(e.pointerId);
        last = at(e);
        g.beginPath(); g.arc(last[0], last[1], g.lineWidth / 2, 0, 2 * Math.PI); g.fillStyle = INK; g.fill();
    });
    canvas.addEventListener("pointermove", (e) => {
        if (!last) return;
        const p = at(e);
        g.beginPath(); g.moveTo(last[0], last[1]); g.lineTo(p[0], p[1]); g.stroke();
        last = p;
    });
    const end = () => { if (last) { last = null; send(); } };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    clear.onclick = () => { g.fillStyle = PAPER; g.fillRect(0, 0, N, N); send(); };
    parentElement.querySelector(".mount").replaceChildren(root);
}
"""

_pad = st.components.v2.component("dp_digit_pad", html='<div class="mount"></div>', css=_CSS, js=_JS)
