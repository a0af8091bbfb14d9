"""Live training in the background: a thread per run, polled by a fragment, stoppable, rationed.

A page starts a :class:`Job` with a function ``fn(progress) -> result``; ``fn`` calls
``progress.report(info)`` (a :class:`core.training.StepInfo`) after each step and stops early when
it returns ``True``.
The job lives in ``st.session_state``, so it survives reruns: touching another widget
neither freezes the page nor kills the run. At most ``MAX_JOBS`` runs train at once on the
whole server (a classroom shares two cores); the next student is told to wait a moment.
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

MAX_JOBS = 2
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

    def report(self, info: StepInfo) -> bool:
        """Record one step of the training loop; returns ``True`` when the student asked to stop."""
        self.step = info.step
        self.losses.append(float(info.loss))
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


def start(fn: Callable[[Progress], Any], total: int) -> Job:
    """Run ``fn`` in a daemon thread if a slot is free; raises :class:`ServerBusy` otherwise."""
    if not _slots.acquire(blocking=False):
        raise ServerBusy(f"The server is already training {MAX_JOBS} models for other students; try again in a few seconds.")
    job = Job(Progress(total))

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
