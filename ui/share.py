"""Shareable views: a page's main settings live in its address, so a link reopens the same view.

A page binds each main widget to the address with ``bind=share.URL`` (Streamlit's own
mechanism): moving the widget writes its value into the query string under the widget's key
(``/reverse?rev_seed=3&rev_steps=100``), and opening such a link sets the widget. A value equal
to the default is left out; a value the widget cannot take is dropped and the default shown.

:func:`check_link` runs around every page (``app.py``): it tells the student, in one short
notice, which settings of the link were not applied, and removes unknown ones from the address.
An option is written in the address as its label, in the language of the
moment; :func:`relabel_link` writes the labels again when the student switches language. (The sidebar's
button that copies the address is :func:`ui.chrome.copy_link_button`.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state import get_session_state

from ui import i18n, present
from ui.i18n import tr

URL = "query-params"
"""Pass as ``bind=`` to a widget whose value belongs in a shared link."""

SHOWN = 5
"""At most this many ignored names are listed in the notice."""


def link() -> dict[str, str]:
    """The query parameters of the current address (the last value of a repeated one)."""
    return st.query_params.to_dict()


def drop_non_finite() -> list[str]:
    """Before the page runs: take out of the address every value that reads as an infinite or undefined number
    (``inf``, ``-Infinity``, ``1e999``, ``nan``), which Streamlit cannot give a whole-number widget (it raises
    instead of falling back to the default); :func:`check_link` then reports them with the others. Returns their names."""
    dropped = []
    for key, value in link().items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(number):
            dropped.append(key)
            del st.query_params[key]
            _forget_initial(key)
    return dropped


def _forget_initial(key: str) -> None:
    """Streamlit seeds a bound widget from the address as the session opened (its ``_initial_query_params``), not
    from ``st.query_params``, and its seeding catches ``ValueError`` but not the ``OverflowError`` of ``int(inf)``:
    take the value out of that copy too. (A private field: if it moves, the page may still fail on such a link, and the
    hostile-input test says so.)"""
    try:
        with get_session_state().query_params() as params:
            params._initial_query_params.pop(key, None)
    except AttributeError:  # Streamlit's internals moved
        pass


def bound_keys() -> set[str]:
    """The address parameters of this page's widgets (``bind=URL``), those at their default (not in the address)
    included: what a class's follower must take to show the lecturer's view (:mod:`ui.classmode`). Read from
    Streamlit's bindings (a private field: if it moves, the parameters in the address, without the defaults)."""
    try:
        ctx = get_script_run_ctx()
        with get_session_state().query_params() as params:
            return {b.param_key for b in params._bindings_by_param.values() if b.script_hash == ctx.page_script_hash}
    except AttributeError:  # Streamlit's internals moved
        return set(link())


LAST = "share_last_link"
"""The session's address as the previous run left it: what is still there was already applied (or reported)."""


def check_link(before: dict[str, str]) -> list[str]:
    """After the page ran: the parameters of ``before`` (the address as the run began) not applied, among those that
    came from outside (a link opened, an address edited), not those the previous run left in the address.

    A parameter is ignored when no widget of the page has its name (it is removed from the
    address) or when the page's widget dropped it and shows another value (an invalid value;
    a default written as its label, e.g. a radio's, is reported too: rare in a shared link,
    since the address leaves defaults out). One toast
    names them; nothing is shown when all applied. A value the app itself wrote, which a later
    move makes invalid (page 3's ``t`` beyond a lowered ``T``), is dropped without a notice: no link
    was opened. Returns the ignored names.
    """
    after, last = link(), st.session_state.get(LAST)
    ignored = []
    for key in before:
        if key not in st.session_state:  # no widget of this name on this page
            ignored.append(key)
            try:
                del st.query_params[key]
            except Exception:
                pass
        elif key not in after and not _same(before[key], st.session_state[key]):  # the widget dropped it
            ignored.append(key)
    st.session_state[LAST] = link()
    ignored = [k for k in ignored if last is None or last.get(k) != before[k]]
    if ignored:
        names = [_safe(k) for k in ignored[:SHOWN]]
        more = f" and {len(ignored) - SHOWN} more" if len(ignored) > SHOWN else ""
        st.toast(tr("share.ignored", names=", ".join(f"`{n}`" for n in names) + more), icon=":material/link_off:")
    return ignored


def relabel_link() -> None:
    """After a change of language: write each bound widget's value into the address again, as its label in the
    new language (Streamlit writes an option as its label, and rewrites it only when the value is set), so that
    a link copied after the switch reopens the same view (the language switch's ``on_change``)."""
    for key in link():
        if key not in (i18n.KEY, present.KEY) and key in st.session_state:  # those two are written by the app itself
            try:
                st.session_state[key] = st.session_state[key]
            except StreamlitAPIException:  # a widget whose state cannot be set (a button): nothing to relabel
                pass


def carried(param: str, key: str, check: Callable[[str], object], default: str | None = None) -> str | None:
    """A value that is no widget's and outlives a page (a student's drawing), kept in the session under ``key`` and in
    the address under ``param`` on the pages that show it; returns it (``default`` where there is none).

    Taken, in this order: from the address, when it brings a new ``param`` (a link opened; an invalid value is taken
    out, and :func:`check_link` reports it); from the session's ``param``, which class mode sets to the lecturer's
    (:mod:`ui.classmode`); else the session's own. Then written back into both (the address leaves ``default`` out).
    ``check(text)`` raises ``ValueError`` on a value that is not one (a decoder). Whoever changes the value sets both
    ``key`` and ``param`` in the session."""

    def valid(text: object) -> bool:
        try:
            check(text)  # type: ignore[arg-type]
            return True
        except ValueError:
            return False

    ss, linked, seen = st.session_state, st.query_params.get(param), f"{param}_seen"
    if linked is not None and linked != ss.get(seen):
        if valid(linked):
            ss[key] = linked
        else:
            del st.query_params[param]
    elif valid(ss.get(param)) and ss[param] != ss.get(key):
        ss[key] = ss[param]
    value = ss.get(key) or default
    if value is not None:
        ss[param] = value  # the parameter is this page's (check_link), and class mode's view has it
    if value is None or value == default:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != value:
        st.query_params[param] = value
    ss[seen] = st.query_params.get(param)
    return value


def _same(text: str, value: object) -> bool:
    """Whether the link's ``text`` says ``value`` (a default the address leaves out: ``"3"``, ``"3.0"``, ``"cosine"``)."""
    if str(value) == text:
        return True
    try:
        return float(text) == float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _safe(name: str) -> str:
    """A parameter name fit to show: word characters only, at most 24 of them."""
    cleaned = re.sub(r"[^\w-]", "?", name)[:24]
    return cleaned or "?"
