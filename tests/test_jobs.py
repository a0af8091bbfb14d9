"""Live training jobs: rationed per server, truthful when busy, and stopped when their session ends."""

from __future__ import annotations

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


def test_when_every_slot_is_taken_the_message_says_when_the_first_run_ends():
    release = threading.Event()
    running = [jobs.start(_stepper(release, pause=0.01), total=500) for _ in range(jobs.MAX_JOBS)]
    try:
        _wait(lambda: all(j.progress.step > 5 for j in running))
        with pytest.raises(jobs.ServerBusy) as info:
            jobs.start(_stepper(release), total=10)
        message = str(info.value)
        assert f"already training {jobs.MAX_JOBS} models" in message and "another tab" in message
        seconds = int(message.split("finish in about ")[1].split(" s")[0])
        expected = min(j.seconds_left() for j in running)
        assert abs(seconds - expected) <= max(2, 0.5 * expected)
    finally:
        release.set()
        _wait(lambda: not any(j.running for j in running))


def test_outside_a_served_app_a_run_is_never_stopped_for_a_missing_session():
    assert jobs._session_watch()() is True
