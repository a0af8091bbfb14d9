"""Live training in the background: a thread per run, polled by a fragment, stoppable, rationed.

A page starts a :class:`Job` with a function ``fn(progress) -> result``; ``fn`` calls
``progress.report(info)`` (a :class:`core.training.StepInfo`) after each step and stops early when
it returns ``True``.
The job lives in ``st.session_state``, so it survives reruns: touching another widget
neither freezes the page nor kills the run. At most ``MAX_JOBS`` runs train at once on the
whole server (a classroom shares two cores); the next student is told how long the first of them
still needs. A run belongs to the browser session that started it: when that session ends (the tab is
closed), the run stops at its next check instead of keeping a core busy for nobody.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.training import StepInfo
from ui.i18n import tr

MAX_JOBS = 2
CHECK_EVERY = 20  # steps between two checks that the session that started a run is still there
_slots = threading.BoundedSemaphore(MAX_JOBS)
_live: weakref.WeakSet[Job] = weakref.WeakSet()  # filled below; stopped at interpreter exit
log = logging.getLogger(__name__)


class ServerBusy(RuntimeError):
    """Every training slot of the server is taken."""


@dataclass
class Progress:
    """What the training thread reports and the page reads (one writer, one reader)."""

    total: int
    step: int = 0
    losses: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    owner_alive: Callable[[], bool] = lambda: True  # is the session that started the run still open?

    def report(self, info: StepInfo) -> bool:
        """Record one step of the training loop; returns ``True`` when the student asked to stop, or has left."""
        self.step = info.step
        self.losses.append(float(info.loss))
        if info.step % CHECK_EVERY == 0 and not self.owner_alive():
            log.info("a live run stopped at step %d: the session that started it has ended", info.step)
            self.stop.set()
        return self.stop.is_set()


@dataclass(eq=False)  # compared (and hashed) by identity
class Job:
    """One background run. ``status``: running, done, stopped or failed."""

    progress: Progress
    thread: threading.Thread | None = None
    status: str = "running"
    result: Any = None
    error: str = ""
    started: float = field(default_factory=time.time)
    seconds: float = 0.0

    @property
    def running(self) -> bool:
        return self.status == "running"

    def seconds_left(self) -> float:
        """Time the run still needs at its pace so far (a guess: ``inf`` before its first step)."""
        p = self.progress
        return (p.total - p.step) * (time.time() - self.started) / p.step if p.step else float("inf")


def busy_message(jobs: list[Job]) -> str:
    """What a student is told when every slot is taken: how many runs, and when the first one should end."""
    left = min((j.seconds_left() for j in jobs if j.running), default=float("inf"))
    when = tr("jobs.busy.first", seconds=max(1, round(left))) if left < float("inf") else tr("jobs.busy.started")
    return tr("jobs.busy", most=MAX_JOBS, when=when)


def _session_watch() -> Callable[[], bool]:
    """A check that the current browser session is still open (always true outside a served app, e.g. in tests)."""
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        runtime = Runtime.instance() if Runtime.exists() else None
        if ctx is None or runtime is None or not runtime.is_active_session(ctx.session_id):
            return lambda: True
        session_id = ctx.session_id
        return lambda: runtime.is_active_session(session_id)
    except Exception:  # Streamlit's runtime API moved: never stop a run by mistake
        return lambda: True


def start(fn: Callable[[Progress], Any], total: int, owner_alive: Callable[[], bool] | None = None) -> Job:
    """Run ``fn`` in a daemon thread if a slot is free; raises :class:`ServerBusy` otherwise. The run stops by
    itself once ``owner_alive()`` is false (default: the session that called ``start`` has ended)."""
    if not _slots.acquire(blocking=False):
        raise ServerBusy(busy_message(list(_live)))
    job = Job(Progress(total, owner_alive=owner_alive or _session_watch()))

    def run() -> None:
        try:
            job.result = fn(job.progress)
            job.status = "stopped" if job.progress.stop.is_set() else "done"
        except Exception as err:  # reported on the page, logged in full for the lecturer
            log.exception("background training failed")
            job.error, job.status = f"{type(err).__name__}: {err}", "failed"
        finally:
            job.seconds = time.time() - job.started
            _slots.release()

    job.thread = threading.Thread(target=run, daemon=True, name="training-job")
    job.thread.start()
    _live.add(job)
    return job


@atexit.register
def _stop_all() -> None:
    """Stop running jobs before Python shuts down (a torch thread alive at shutdown aborts the process)."""
    for job in list(_live):
        job.progress.stop.set()
    for job in list(_live):
        if job.thread is not None:
            job.thread.join(timeout=10)


def get(key: str) -> Job | None:
    """The job stored under ``key`` in this session, if any."""
    return st.session_state.get(key)


def launch(key: str, fn: Callable[[Progress], Any], total: int) -> Job | None:
    """Start a job under ``key`` (stopping the previous one); shows a message and returns None if busy."""
    old = get(key)
    if old is not None and old.running:
        old.progress.stop.set()
    try:
        st.session_state[key] = start(fn, total)
    except ServerBusy as err:
        st.warning(str(err), icon=":material/hourglass_top:")
        return None
    return st.session_state[key]
