"""The app's chrome, around every page (``app.py`` only): the sidebar's switches (presenter mode, language, copy
link), the style sheet, presenter mode's keyboard.

Presenter mode (``?present=1``): larger text, widget labels and figures (the sizes are :data:`ui.theme.PRESENTER`),
the toolbar hidden (the header's button that opens the sidebar stays), the sidebar collapsed when a link opens the
app, and the keyboard: right / left arrow step the animation most in view (a film of :mod:`ui.components.film`, a
Plotly animation's slider, or a page's step slider), space plays and pauses a film or a Plotly animation. It is a
``st.components.v2`` component: a few lines of JavaScript that step the film, move the figure's own slider (as a
click on its rail would) or send the arrow to the Streamlit slider, so nothing of Streamlit's front end is patched.
The figures are scaled by :func:`ui.components.chart` (CSS ``zoom`` would not do: Streamlit sizes a figure from its
zoomed width on screen, and it overflows).
"""

from __future__ import annotations

import streamlit as st

from ui import classmode, theme
from ui.i18n import DEFAULT, LANGUAGES, language, start_language, tr
from ui.i18n import KEY as LANGUAGE
from ui.present import KEY as PRESENT
from ui.present import presenting, requested
from ui.share import relabel_link

STEP_SLIDERS = ("fm_ode_steps", "ld_steps", "rev_steps")
"""Streamlit sliders the arrow keys step when no Plotly animation is more in view (keys of the pages' widgets)."""


def sidebar(page: str) -> None:
    """The sidebar of every page: presenter mode, the language, a button that copies the view's link, the class
    panel (:mod:`ui.classmode`; ``page`` is the page's address)."""
    with st.sidebar:
        presenter_switch()
        language_switch()
        copy_link_button()  # a page's main settings are in its address (ui.share)
        classmode.panel(page)


def presenter_switch() -> None:
    """The toggle, in the sidebar (``app.py``); while on, the address carries ``present=1`` from page to page."""
    st.session_state.setdefault(PRESENT, requested())
    st.toggle(tr("side.present"), key=PRESENT, help=tr("side.present.help"))
    if presenting():
        st.query_params[PRESENT] = "1"
    else:
        st.query_params.pop(PRESENT, None)


def language_switch() -> None:
    """The switch, in the sidebar (``app.py``); the address then carries the language from page to page
    (``lang=fr``, not the label a bound widget would write)."""
    start_language()
    st.radio(tr("side.lang"), list(LANGUAGES), format_func=LANGUAGES.get, key=LANGUAGE, horizontal=True, help=tr("side.lang.help"),
             on_change=relabel_link)
    if language() == DEFAULT:
        st.query_params.pop(LANGUAGE, None)
    else:
        st.query_params[LANGUAGE] = language()


BASE_CSS = """
[data-testid="stMarkdownContainer"] .katex { white-space: nowrap; }
"""
"""Every page: an inline formula moves to the next line whole instead of breaking after an operator."""


def style() -> None:
    """The app's few style rules (:data:`BASE_CSS`) and, in presenter mode, the larger type and figures
    (``app.py``, before the page: a figure is measured for its zoom as it is first drawn)."""
    st.html(f"<style>{BASE_CSS}{css() if presenting() else ''}</style>")


def keyboard() -> None:
    """In presenter mode, the keyboard (``app.py``, after the page)."""
    if presenting():
        _keys(data={"sliders": list(STEP_SLIDERS)}, key="dp_present_keys")


def css() -> str:
    """The presenter style sheet, from the sizes of :data:`ui.theme.PRESENTER` (figures: :func:`chart`); the
    secondary controls a lecture does not need on screen (downloads, the code sections) are folded away."""
    p = theme.PRESENTER
    return f"""
[data-testid="stHeader"] {{ background: transparent; }}
[data-testid="stMainMenu"], [data-testid="stToolbarActions"], [data-testid="stAppDeployButton"] {{ display: none; }}
[data-testid="stMainBlockContainer"] {{ padding: 1.5rem 2.5rem 4rem 2.5rem; max-width: 100%; }}
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li {{ font-size: {p['text']}rem; line-height: 1.5; }}
[data-testid="stMain"] [data-testid="stCaptionContainer"] p {{ font-size: {p['caption']}rem; }}
[data-testid="stMain"] [data-testid="stWidgetLabel"] p {{ font-size: {p['label']}rem; }}
[data-testid="stMain"] h1 {{ font-size: {p['h1']}rem; }}
[data-testid="stMain"] h2 {{ font-size: {p['h2']}rem; }}
[data-testid="stMain"] h3 {{ font-size: {p['h3']}rem; }}
[data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {{ font-size: {p['metric']}rem; line-height: 1.2; }}
[data-testid="stMain"] [data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stSliderThumbValue"],
[data-testid="stMain"] [data-testid="stSliderTickBarMin"],
[data-testid="stMain"] [data-testid="stSliderTickBarMax"],
[data-testid="stMain"] input {{ font-size: {p['control']}rem !important; }}
[data-testid="stMain"] [data-testid="stDownloadButton"],
[data-testid="stMain"] [data-testid="stExpander"]:has([data-testid="stCode"]) {{ display: none; }}
"""


_JS = """
export default function({ data }) {
    const sliders = (data && data.sliders) || [];
    const visible = (el) => {  // the area of el inside the window
        const r = el.getBoundingClientRect();
        const w = Math.min(r.right, window.innerWidth) - Math.max(r.left, 0);
        const h = Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0);
        return w > 0 && h > 0 ? w * h : 0;
    };
    const candidates = () => {
        const plots = [...document.querySelectorAll(".js-plotly-plot")].filter(
            (gd) => gd.querySelector("rect.slider-rail-touch-rect") && gd._fullLayout && gd._fullLayout.sliders);
        const inputs = sliders.map((k) => document.querySelector(`.st-key-${k}`)).filter((el) => el && el.querySelector("input[type='range']"));
        const films = [...document.querySelectorAll("[data-dp-film]")];  // ui.components.film
        return [...plots, ...films, ...inputs].map((el) => [visible(el), el]).filter(([a]) => a > 0).sort((a, b) => b[0] - a[0]);
    };
    const stepPlot = (gd, delta) => {  // as a click on the slider's rail at the neighbouring step
        const opts = gd._fullLayout.sliders[0];
        const ticks = gd.querySelectorAll("rect.slider-tick-rect");
        const rail = gd.querySelector("rect.slider-rail-touch-rect");
        const target = Math.max(0, Math.min(ticks.length - 1, (opts.active || 0) + delta));
        const tick = ticks[target].getBoundingClientRect(), box = rail.getBoundingClientRect();
        const at = { clientX: tick.left + tick.width / 2, clientY: box.top + box.height / 2, bubbles: true, view: window, button: 0 };
        rail.dispatchEvent(new MouseEvent("mousedown", at));
        gd.dispatchEvent(new MouseEvent("mouseup", at));
    };
    const playing = new WeakMap();
    const toggle = (gd) => {  // the figure's own ▶ Play and ❚❚ Pause buttons (first and last)
        const buttons = gd.querySelectorAll(".updatemenu-button");
        if (!buttons.length) return;
        const on = !playing.get(gd);
        buttons[on ? 0 : buttons.length - 1].dispatchEvent(new MouseEvent("click", { bubbles: true }));
        playing.set(gd, on);
    };
    const onKey = (event) => {
        if (event.altKey || event.ctrlKey || event.metaKey) return;
        if (!["ArrowRight", "ArrowLeft", " "].includes(event.key)) return;
        const focus = event.target;
        if (focus && (focus.closest("input, textarea, select, [contenteditable], [role='combobox']"))) return;
        const [best] = candidates();
        if (!best) return;
        const el = best[1];
        event.preventDefault();
        if (el.hasAttribute("data-dp-film")) {
            el.dispatchEvent(new CustomEvent("dp-film", { detail: event.key === " " ? "toggle" : event.key === "ArrowRight" ? 1 : -1 }));
        } else if (el.classList.contains("js-plotly-plot")) {
            if (event.key === " ") toggle(el); else stepPlot(el, event.key === "ArrowRight" ? 1 : -1);
        } else if (event.key !== " ") {  // the slider's own keyboard handling; while it has the focus, arrows go to it
            const input = el.querySelector("input[type='range']");
            input.focus();
            input.dispatchEvent(new KeyboardEvent("keydown", { key: event.key, code: event.key, bubbles: true }));
        }
    };
    if (window.__dpPresenterKeys) document.removeEventListener("keydown", window.__dpPresenterKeys);
    window.__dpPresenterKeys = onKey;
    document.addEventListener("keydown", onKey);
    return () => { document.removeEventListener("keydown", onKey); if (window.__dpPresenterKeys === onKey) window.__dpPresenterKeys = null; };
}
"""


_keys = st.components.v2.component("dp_presenter_keys", js=_JS)


_CSS = """
button { font: inherit; font-size: 0.95rem; padding: 0.35rem 0.8rem; border-radius: 0.5rem; cursor: pointer;
         border: 1px solid rgba(49, 51, 63, 0.2); background: var(--st-background-color, #fff);
         color: var(--st-text-color, #31333f); }
button:hover { border-color: var(--st-primary-color, #ff4b4b); color: var(--st-primary-color, #ff4b4b); }
.msg { display: block; font-size: 0.85rem; margin-top: 0.3rem; color: var(--st-text-color, #31333f); opacity: 0.8; }
input { width: 100%; font-size: 0.85rem; margin-top: 0.3rem; }
"""

_HTML = '<button type="button" class="copy"></button><span class="msg" aria-live="polite"></span>'

_JS = """
export default function({ parentElement, data }) {
    const button = parentElement.querySelector("button.copy");
    const msg = parentElement.querySelector(".msg");
    button.textContent = data.copy;
    const show = (href) => {  // no clipboard (a plain-http class server): the link, selected, to copy by hand
        msg.textContent = data.by_hand;
        let field = parentElement.querySelector("input");
        if (!field) { field = document.createElement("input"); field.readOnly = true; msg.after(field); }
        field.value = href; field.focus(); field.select();
    };
    button.onclick = () => {
        const href = window.location.href;
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(href).then(() => { msg.textContent = data.copied; }, () => show(href));
        } else {
            show(href);
        }
    };
}
"""

_copy_link = st.components.v2.component("dp_copy_link", html=_HTML, css=_CSS, js=_JS)


def copy_link_button() -> None:
    """A button that copies the address of the view as it is now (the sidebar shows one on every page)."""
    _copy_link(data={k: tr(f"share.{k}") for k in ("copy", "copied", "by_hand")}, key="dp_copy_link")
