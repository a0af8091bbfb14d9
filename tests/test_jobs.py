"""Live training jobs: rationed per server, truthful when busy, and stopped when their session ends."""

from __future__ import annotations

import os
import threading
import time

import pytest

from core.training import StepInfo
from ui import jobs


def _wait(cond, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while not cond():
        assert time.time() < deadline, "timed out"
        time.sleep(0.01)


def _stepper(release: threading.Event, pause: float = 0.002):
    """A fake training run: reports steps until told to stop or released."""
    def fn(progress: jobs.Progress) -> str:
        step = 0
        while not release.is_set():
            step += 1
            if progress.report(StepInfo(step, progress.total, 1.0, 1e-3)):
                return "stopped"
            time.sleep(pause)
        return "done"
    return fn


def test_a_run_stops_by_itself_when_its_session_ends_and_frees_its_slot():
    alive, release = {"v": True}, threading.Event()
    job = jobs.start(_stepper(release), total=10**6, owner_alive=lambda: alive["v"])
    _wait(lambda: job.progress.step > 3 * jobs.CHECK_EVERY)
    assert job.running
    alive["v"] = False  # the student closed the tab
    _wait(lambda: not job.running)
    assert job.status == "stopped" and job.progress.step < 10**6
    others = [jobs.start(_stepper(release), total=100) for _ in range(jobs.MAX_JOBS)]  # the slot came back
    release.set()
    _wait(lambda: not any(j.running for j in others))


def test_when_every_slot_is_taken_the_next_runs_wait_their_turn_first_come_first_served():
    release, order = threading.Event(), []

    def recorder(name: str):
        def fn(progress: jobs.Progress) -> str:
            order.append(name)
            return _stepper(release, pause=0.01)(progress)
        return fn

    running = [jobs.start(recorder(f"r{i}"), total=500) for i in range(jobs.MAX_JOBS)]
    waiting = [jobs.start(recorder(f"w{i}"), total=500) for i in range(3)]
    try:
        _wait(lambda: all(j.progress.step > 5 for j in running))
        assert [j.status for j in waiting] == ["queued"] * 3 and [jobs.queue.position(j) for j in waiting] == [1, 2, 3]
        assert all(j.running for j in waiting)  # the page keeps polling, and its Stop button works
        note = jobs.queue_note(waiting[1])
        assert "number 2 in the queue" in note and f"training slots on this server: {jobs.MAX_JOBS}" in note
        seconds = int(note.split("start in about ")[1].split(" s")[0])
        assert abs(seconds - jobs.queue.seconds_until(waiting[1])) <= 1
        assert jobs.queue_note(running[0]) == ""
        running[0].progress.stop.set()  # a slot frees: the first in line takes it, the others move up
        _wait(lambda: waiting[0].status == "running")
        assert [jobs.queue.position(j) for j in waiting] == [0, 1, 2] and waiting[1].status == "queued"
        assert order[: jobs.MAX_JOBS + 1] == [*(f"r{i}" for i in range(jobs.MAX_JOBS)), "w0"]
    finally:
        release.set()
        _wait(lambda: not any(j.running for j in running + waiting))
    assert order == [*(f"r{i}" for i in range(jobs.MAX_JOBS)), "w0", "w1", "w2"]


def test_a_queued_run_leaves_the_queue_when_stopped_or_when_its_session_ends():
    release, alive = threading.Event(), {"v": True}
    running = [jobs.start(_stepper(release, pause=0.01), total=10**6) for _ in range(jobs.MAX_JOBS)]
    gone = jobs.start(_stepper(release), total=10, owner_alive=lambda: alive["v"])
    stopped = jobs.start(_stepper(release), total=10)
    last = jobs.start(_stepper(release), total=10)
    try:
        alive["v"] = False  # the student closed the tab while the run waited
        stopped.progress.stop.set()  # the other pressed Stop
        _wait(lambda: gone.status == "stopped" and stopped.status == "stopped")
        assert gone.progress.step == 0 and stopped.progress.step == 0  # never trained
        assert jobs.queue.position(last) == 1
    finally:
        release.set()
        _wait(lambda: not any(j.running for j in [*running, last]))
    assert last.status == "done"


def test_when_the_queue_is_full_too_the_message_says_when_the_first_run_ends():
    release = threading.Event()
    running = [jobs.start(_stepper(release, pause=0.01), total=500) for _ in range(jobs.MAX_JOBS)]
    waiting = [jobs.start(_stepper(release), total=10) for _ in range(jobs.MAX_WAITING)]
    try:
        _wait(lambda: all(j.progress.step > 5 for j in running))
        with pytest.raises(jobs.ServerBusy) as info:
            jobs.start(_stepper(release), total=10)
        message = str(info.value)
        assert f"Every training slot of the server is taken ({jobs.MAX_JOBS} at once)" in message and "another tab" in message
        assert f"{jobs.MAX_WAITING} more runs are waiting" in message
        seconds = int(message.split("finish in about ")[1].split(" s")[0])
        expected = min(j.seconds_left() for j in running)
        assert abs(seconds - expected) <= max(2, 0.5 * expected)
    finally:
        release.set()
        _wait(lambda: not any(j.running for j in running + waiting))


def test_waits_read_in_seconds_then_minutes():
    assert [jobs.duration(s) for s in (0.2, 42.4, 119, 120, 1772)] == ["1 s", "42 s", "119 s", "2 min", "30 min"]


def test_training_takes_every_core_but_one_unless_told(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    monkeypatch.delenv(jobs.SLOTS_ENV, raising=False)
    assert jobs.training_slots() == 7
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert jobs.training_slots() == 1  # one core: still one run
    for value, slots in (("3", 3), ("0", 1), ("many", 1)):
        monkeypatch.setenv(jobs.SLOTS_ENV, value)
        assert jobs.training_slots() == slots


def test_outside_a_served_app_a_run_is_never_stopped_for_a_missing_session():
    owner, alive = jobs._session_watch()
    assert owner is None and alive() is True


def test_a_student_keeps_one_run_in_the_queue_and_a_new_press_on_the_same_page_takes_its_place():
    release = threading.Event()
    running = [jobs.start(_stepper(release, pause=0.01), total=10**6, owner=f"busy{i}") for i in range(jobs.MAX_JOBS)]
    mine = jobs.start(_stepper(release), total=10, owner="me")
    other = jobs.start(_stepper(release), total=10, owner="someone else")
    try:
        assert mine.status == "queued" and other.status == "queued"
        with pytest.raises(jobs.ServerBusy) as info:  # the same student, on a second page
            jobs.start(_stepper(release), total=10, owner="me")
        assert "You already have a run waiting for a training slot (number 1 in the queue" in str(info.value)
        assert len(jobs.queue.line) == 2  # the refused press took no place
        jobs.queue.cancel(mine)  # pressing Train again on the same page (ui.jobs.launch) cancels the waiting run first
        assert jobs.queue.position(mine) == 0 and jobs.queue.position(other) == 1
        again = jobs.start(_stepper(release), total=10, owner="me")
        assert jobs.queue.position(again) == 2  # at the back of the line: no jumping the queue
        _wait(lambda: mine.status == "stopped")
        assert mine.progress.step == 0
    finally:
        release.set()
        _wait(lambda: not any(j.running for j in [*running, other, again]))
    assert other.status == "done" and again.status == "done"


def test_the_wait_a_queued_run_is_told_matches_the_wait_it_gets():
    def steps(progress: jobs.Progress) -> str:  # a run of exactly ``total`` steps, 10 ms each
        for step in range(1, progress.total + 1):
            if progress.report(StepInfo(step, progress.total, 1.0, 1e-3)):
                return "stopped"
            time.sleep(0.01)
        return "done"

    running = [jobs.start(steps, total=250) for _ in range(jobs.MAX_JOBS)]
    _wait(lambda: all(j.progress.step > 50 for j in running))
    told_at = time.time()
    waiting = jobs.start(steps, total=10)
    told = jobs.queue.seconds_until(waiting)
    _wait(lambda: waiting.status != "queued", timeout=30)
    waited = time.time() - told_at
    assert told == pytest.approx(waited, rel=0.25, abs=0.2)  # said "about N s": it was
    _wait(lambda: not any(j.running for j in [*running, waiting]))


def test_the_time_left_follows_the_recent_pace():
    release, pace = threading.Event(), {"pause": 0.002}

    def fn(progress: jobs.Progress) -> str:
        step = 0
        while not release.is_set():
            step += 1
            if progress.report(StepInfo(step, progress.total, 1.0, 1e-3)):
                return "stopped"
            time.sleep(pace["pause"])
        return "done"

    job = jobs.start(fn, total=100_000)
    try:
        _wait(lambda: job.progress.step > 300)
        pace["pause"] = 0.02  # ten times slower now (say, forty students joined its cohort)
        step = job.progress.step
        _wait(lambda: job.progress.step > step + jobs.PACE_STEPS + 5)
        per_step = job.seconds_left() / (job.progress.total - job.progress.step)
        assert per_step > 0.015  # the new pace, not the average since the start
    finally:
        release.set()
        _wait(lambda: not job.running)
