"""Live training in the background: a thread per run, polled by a fragment, stoppable, rationed; the toy trainers'
runs of the whole class trained together (:data:`together`).

A page trains through one panel, in two calls: :func:`controls` draws Train and Stop (Train asks the page for a
:class:`Run`: ``fn(progress) -> result``, its number of steps and the settings it trains with), and :func:`live`
draws the run as it goes (a fragment polled while it runs: the progress line with the time left, the queue note, a
failure, then the page's own ``render(job)``); when the run ends the panel hands the result to the page once
(``on_done``) and redraws the whole page once. No page joins a thread, reruns for a run or keeps a flag of its own.
``fn`` calls ``progress.report(info)`` (a :class:`core.training.StepInfo`) after each step and stops early when it
returns ``True``.
The job lives in ``st.session_state``, so it survives reruns: touching another widget
neither freezes the page nor kills the run. At most ``MAX_JOBS`` runs train at once on the
whole server (one per core but one: a classroom shares a few cores, and the last one answers clicks);
the next ``MAX_WAITING`` wait their turn, first come first served, and each page says where its run
stands in the queue; beyond that a student is told how long the first running one still needs. A browser
session keeps one run at most in the queue (a student who presses Train on four pages does not hold four
of its places): a second one is refused with a message that says where the first one waits. A run belongs
to the browser session that started it: when that session ends (the tab is closed), the run stops at its
next check, or leaves the queue, instead of keeping a core busy for nobody.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.training import StepInfo
from core.training.together import Together
from core.workers import count_setting
from ui.i18n import decimal, number, tr

log = logging.getLogger(__name__)
SLOTS_ENV = "DIFFUSION_PLAYGROUND_TRAINING_SLOTS"


def training_slots() -> int:
    """Runs trained at once on this server: ``$DIFFUSION_PLAYGROUND_TRAINING_SLOTS``, or one per core but one, so
    that the last core answers the students' clicks (each run trains on one thread); at least one."""
    return count_setting(SLOTS_ENV, 1)


MAX_JOBS = training_slots()
MAX_WAITING = 8  # runs queued for a slot; one more press is refused with a message
CHECK_EVERY = 20  # steps between two checks that the session that started a run is still there
PACE_STEPS = 100  # a run's time left is read from the pace of its last steps


class ServerBusy(RuntimeError):
    """Every training slot of the server is taken, and the queue is full (or holds this session's run already)."""


@dataclass
class Progress:
    """What the training thread reports and the page reads (one writer, one reader)."""

    total: int
    step: int = 0
    losses: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    owner_alive: Callable[[], bool] = lambda: True  # is the session that started the run still open?
    recent: deque[tuple[int, float]] = field(default_factory=lambda: deque(maxlen=PACE_STEPS))  # (step, time)

    def report(self, info: StepInfo) -> bool:
        """Record one step of the training loop; returns ``True`` when the student asked to stop, or has left."""
        self.step = info.step
        self.recent.append((info.step, time.time()))
        self.losses.append(float(info.loss))
        if info.step % CHECK_EVERY == 0 and not self.owner_alive():
            log.info("a live run stopped at step %d: the session that started it has ended", info.step)
            self.stop.set()
        return self.stop.is_set()


@dataclass(eq=False)  # compared (and hashed) by identity
class Job:
    """One background run. ``status``: queued, running, done, stopped or failed."""

    progress: Progress
    thread: threading.Thread | None = None
    status: str = "running"
    result: Any = None
    error: str = ""
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    owner: str | None = None  # the browser session that started it (None outside a served app)
    config: Any = None  # the settings the page trained with (its own dataclass), read back by its render function
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # names the run's results in the page's caches
    collected: bool = False  # its page has been told that it ended (``on_done``), once
    with_class: bool = False  # trains together with the class's other runs (:data:`together`), not in the queue

    @property
    def running(self) -> bool:
        """Queued or training: not finished yet (its Stop button works, its page keeps polling)."""
        return self.status in ("queued", "running")

    def seconds_left(self) -> float:
        """Time the run still needs at its recent pace (its last :data:`PACE_STEPS` steps: a cohort that grows, or a
        server that gets busy, slows a run down); ``inf`` before its first step."""
        p = self.progress
        if not p.step:
            return float("inf")
        recent = list(p.recent)
        if len(recent) >= 2 and recent[-1][0] > recent[0][0]:
            (first, t0), (last, t1) = recent[0], recent[-1]
            pace = (t1 - t0) / (last - first)
        else:
            pace = (time.time() - self.started) / p.step
        return (p.total - p.step) * pace


class Queue:
    """``slots`` runs at once; the others wait in arrival order (first come, first served), at most ``waiting``."""

    def __init__(self, slots: int, waiting: int) -> None:
        self.slots, self.waiting = slots, waiting
        self.training: list[Job] = []
        self.line: list[Job] = []
        self._cond = threading.Condition()

    def join(self, job: Job) -> None:
        """Take a free slot, or a place in line; raises :class:`ServerBusy` when the line is full, or when it
        already holds a run of the same owner."""
        with self._cond:
            if len(self.training) < self.slots and not self.line:
                self.training.append(job)
                job.status = "running"
            elif job.owner is not None and (mine := next((j for j in self.line if j.owner == job.owner), None)):
                raise ServerBusy(tr("jobs.one_waiting", position=self.line.index(mine) + 1))
            elif len(self.line) < self.waiting:
                self.line.append(job)
                job.status = "queued"
            else:
                raise ServerBusy(busy_message(self.training, len(self.line)))

    def wait_turn(self, job: Job) -> bool:
        """Block until ``job`` trains; ``False`` if it was stopped (or its session ended) while it waited."""
        with self._cond:
            while job in self.line:
                if job.progress.stop.is_set() or not job.progress.owner_alive():
                    self.line.remove(job)
                    self._cond.notify_all()
                    return False
                self._cond.wait(timeout=0.5)
            return job in self.training

    def cancel(self, job: Job) -> None:
        """Stop ``job``; if it waits in line, take it out now (its thread then ends as stopped), so that its place is
        free before the next press joins."""
        job.progress.stop.set()
        with self._cond:
            if job in self.line:
                self.line.remove(job)
                self._cond.notify_all()

    def leave(self, job: Job) -> None:
        """``job`` has finished: the first in line takes its slot."""
        with self._cond:
            if job in self.training:
                self.training.remove(job)
            if self.line and len(self.training) < self.slots:
                first = self.line.pop(0)
                first.started, first.status = time.time(), "running"
                self.training.append(first)
            self._cond.notify_all()

    def position(self, job: Job) -> int:
        """1 for the next run to train, 2 for the one after...; 0 when ``job`` is not waiting."""
        with self._cond:
            return self.line.index(job) + 1 if job in self.line else 0

    def seconds_until(self, job: Job) -> float:
        """A guess at when ``job`` starts: its position in rounds of ``slots`` runs, each as long as the
        longest remaining of the runs training now (``inf`` while they have not made a step)."""
        with self._cond:
            ahead = self.position(job)
            left = sorted(j.seconds_left() for j in self.training)
        if not ahead or not left:
            return 0.0
        return left[0] + (ahead - 1) // self.slots * left[-1]


queue = Queue(MAX_JOBS, MAX_WAITING)
together = Together(MAX_JOBS)
"""The toy trainers' runs of the whole server, trained together (:mod:`core.training.together`): a page's run that
trains through ``together.train`` (its :class:`Run` says ``with_class=True``) joins the cohort of its network at the
next step, whatever the number of students; the same cores as the queue's runs (``MAX_JOBS`` cohorts step at once)."""
_live: weakref.WeakSet[Job] = weakref.WeakSet()  # filled below; stopped at interpreter exit


def duration(seconds: float) -> str:
    """``42 s`` under two minutes, ``30 min`` from there."""
    return f"{max(1, round(seconds))} s" if seconds < 120 else f"{round(seconds / 60)} min"


def busy_message(running: list[Job], waiting: int) -> str:
    """What a student is told when the queue is full too: how many runs, and when the first one should end."""
    left = min((j.seconds_left() for j in running if j.running), default=float("inf"))
    when = tr("jobs.busy.first", time=duration(left)) if left < float("inf") else tr("jobs.busy.started")
    return tr("jobs.busy", most=MAX_JOBS, waiting=waiting, when=when)


def queue_note(job: Job | None) -> str:
    """For a page's live view: where a queued run stands (empty when it is not waiting)."""
    if job is None or job.status != "queued" or not (ahead := queue.position(job)):
        return ""
    eta = queue.seconds_until(job)
    when = tr("jobs.queued.eta", time=duration(eta)) if 0 < eta < float("inf") else tr("jobs.queued.soon")
    return tr("jobs.queued", position=ahead, most=MAX_JOBS, when=when)


def _session_watch() -> tuple[str | None, Callable[[], bool]]:
    """The current browser session's id and a check that it is still open (``None`` and always true outside a
    served app, e.g. in tests)."""
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        runtime = Runtime.instance() if Runtime.exists() else None
        if ctx is None or runtime is None or not runtime.is_active_session(ctx.session_id):
            return None, lambda: True
        session_id = ctx.session_id
        return session_id, lambda: runtime.is_active_session(session_id)
    except Exception:  # Streamlit's runtime API moved: never stop a run by mistake
        return None, lambda: True


def show_queue(job: Job | None) -> None:
    """On a page's live view, next to its Train button: where the student's queued run stands, if it waits."""
    if note := queue_note(job):
        st.info(note, icon=":material/hourglass_top:")


def start(fn: Callable[[Progress], Any], total: int, owner_alive: Callable[[], bool] | None = None,
          owner: str | None = None, config: Any = None, with_class: bool = False) -> Job:
    """Run ``fn`` in a daemon thread as soon as a slot is free (status ``queued`` until then); raises
    :class:`ServerBusy` when the queue is full, or holds a run of ``owner`` already. The run stops by itself, or
    leaves the queue, once ``owner_alive()`` is false. Default owner: the session that called ``start``.
    ``with_class``: ``fn`` trains through :data:`together` (it joins the class's cohort at its next step), so it
    takes no place in the queue and starts at once."""
    if owner_alive is None:
        session, owner_alive = _session_watch()
        owner = owner if owner is not None else session
    job = Job(Progress(total, owner_alive=owner_alive), owner=owner, config=config, with_class=with_class)
    if not with_class:
        queue.join(job)

    def run() -> None:
        if not with_class and not queue.wait_turn(job):
            job.status = "stopped"
            return
        status = "failed"
        try:
            job.result = fn(job.progress)
            status = "stopped" if job.progress.stop.is_set() else "done"
        except Exception as err:  # reported on the page, logged in full for the lecturer
            log.exception("background training failed")
            job.error = f"{type(err).__name__}: {err}"
        finally:
            job.seconds = time.time() - job.started
            job.status = status  # last: a page that sees the run ended reads its result and its time
            if not with_class:
                queue.leave(job)

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


@dataclass(frozen=True)
class Run:
    """What a page asks the panel to train when Train is pressed: ``fn(progress) -> result`` (it calls
    ``progress.report`` after each step), its number of steps, and the settings it trains with (kept as ``job.config``)."""

    fn: Callable[[Progress], Any]
    total: int
    config: Any = None
    with_class: bool = False  # ``fn`` trains through :data:`together`: no queue, it starts at once


def launch(key: str, run: Run) -> Job | None:
    """Start ``run`` under ``key`` (the session's previous run there is stopped, or leaves the queue, at once);
    shows a message and returns None when the server cannot take it."""
    old = get(key)
    if old is not None and old.running:
        queue.cancel(old)  # stopped, and out of the line at once: this press takes its place
    try:
        st.session_state[key] = start(run.fn, run.total, config=run.config, with_class=run.with_class)
    except ServerBusy as err:
        st.warning(str(err), icon=":material/hourglass_top:")
        return None
    return st.session_state[key]


def controls(key: str, make: Callable[[], Run], *, keys: tuple[str, str], train: str | None = None,
             disabled: bool = False) -> Job | None:
    """Train and Stop, side by side. Train calls ``make()`` and starts its run (not while one runs or waits: a double
    click never throws a run away; Stop first); Stop asks the running (or queued) run to stop, and the live view notices
    its end. ``keys``: the two buttons' widget keys. Returns the session's run."""
    job = get(key)
    left, right = st.columns(2)
    if left.button(train or tr("jobs.train"), type="primary", icon=":material/play_arrow:", key=keys[0], width="stretch",
                   disabled=disabled or (job is not None and job.running)):
        job = launch(key, make()) or job
    if right.button(tr("jobs.stop"), icon=":material/stop:", key=keys[1], width="stretch",
                    disabled=job is None or not job.running) and job is not None:
        queue.cancel(job)
    return job


def status_line(job: Job) -> str:
    """Where a run stands, as the student reads it: its status, its step and the time it still needs (or took)."""
    p = job.progress
    values = dict(step=number(p.step), total=number(p.total), seconds=decimal(job.seconds))
    if job.running and p.stop.is_set():  # Stop pressed: the run ends at its next step (or after its last samples)
        return tr("jobs.status.stopping", **values)
    if job.status == "running":
        left = job.seconds_left()
        values["left"] = duration(left) if left < float("inf") else "…"
        if job.with_class and (others := together.running() - 1) > 0:
            return tr("jobs.status.running_with_class", others=number(others), **values)
    return tr(f"jobs.status.{job.status}", **values)


def live(key: str, render: Callable[[Job | None], None], on_done: Callable[[Job], None] | None = None,
         every: float = 0.5) -> None:
    """The run's live view, a fragment redrawn every ``every`` s while the run lasts: the progress line, the queue
    note or the failure, then ``render(job)`` (``render(None)`` before the first run). When the run has ended,
    ``on_done(job)`` is called once (a run that failed is not handed over), then the whole page runs once more, so
    that its buttons and every section that reads the result are drawn anew."""
    running = (job := get(key)) is not None and job.running

    def view() -> None:
        job = get(key)
        if job is not None and not job.running and not job.collected:
            job.collected = True
            if on_done is not None and job.status != "failed":
                on_done(job)
            st.rerun()  # the whole page, once: Train and Stop in their new state, the sections that read the result
        if job is not None:
            st.progress(min(1.0, job.progress.step / max(1, job.progress.total)), text=status_line(job))
            show_queue(job)
            if job.status == "failed":
                st.error(tr("jobs.failed", err=job.error), icon=":material/error:")
        render(job)

    st.fragment(view, run_every=every if running else None)()
