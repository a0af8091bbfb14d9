"""A computation that takes more than a moment, waited for with a progress bar and the time left (issue 23).

A setting outside the shipped bank (another seed, more steps) makes the page compute its pictures: a network sampled
for many steps, in a worker process. Instead of a spinner that says nothing of how long, :func:`computing` shows how
far the computation is (:mod:`core.progress`: each network evaluation reports) and the time left, read from its pace.
A result that is ready (shared by the class, or shipped) shows no bar at all. The computation runs in a thread of this
session; if the student moves on before it ends, it still ends and joins the shared results.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from core import progress
from ui.i18n import tr
from ui.jobs import duration

T = TypeVar("T")
QUIET = 0.4
"""Seconds before a bar shows: a result ready sooner shows none."""
POLL = 0.25


def time_left(done: float, first: tuple[float, float] | None, now: float) -> float | None:
    """Seconds left at the pace since the ``first`` report (its time and share: the start-up before it, a worker
    loading the model, says nothing of the pace); ``None`` until there is a pace to read (3 % more done)."""
    if first is None or done - first[1] < 0.03:
        return None
    return (now - first[0]) * (1 - done) / (done - first[1])


def computing(text: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``; while it runs (past :data:`QUIET` seconds), a progress bar with ``text`` and the time
    left. Its exception, if any, is raised here."""
    done, first, out = [0.0], [], {}

    def hear(share: float) -> None:
        if not first:
            first.append((time.monotonic(), share))
        done[0] = share

    def work() -> None:
        try:
            with progress.listening(hear):
                out["value"] = fn(*args, **kwargs)
        except BaseException as error:  # raised in the page's thread, below
            out["error"] = error

    thread = threading.Thread(target=work, name="dp-computing", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx())  # its cached functions belong to this session's run
    thread.start()
    thread.join(QUIET)
    if thread.is_alive():
        bar = st.progress(0.0, text=text)
        while thread.is_alive():
            thread.join(POLL)
            left = time_left(done[0], first[0] if first else None, time.monotonic())
            when = tr("waiting.drawing") if done[0] >= 0.999 else tr("waiting.starting") if left is None else \
                tr("waiting.left", time=duration(left))
            bar.progress(min(done[0], 1.0), text=f"{text} {when}")
        bar.empty()
    if "error" in out:
        raise out["error"]
    return out["value"]
