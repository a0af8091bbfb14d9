"""How far a computation has come (core.progress): reports reach the thread's listener only, parts share the way,
sampling reports each network call, and a worker process's reports reach the process that waits."""

import threading
import time

import pytest

from core import progress
from core.io import load
from core.sampling import generate
from core.workers import Workers, register


def test_reports_reach_the_listener_of_their_thread_only():
    heard, other = [], []
    progress.report(0.5)  # nobody listens: nothing happens

    def elsewhere():
        with progress.listening(other.append):
            progress.report(0.9)

    with progress.listening(heard.append):
        t = threading.Thread(target=elsewhere)
        t.start()
        t.join()
        progress.report(0.25)
        progress.report(7)  # clipped
    progress.report(0.75)
    assert heard == [0.25, 1.0] and other == [0.9]
    assert progress.listener() is None


def test_parts_share_the_way():
    heard = []
    with progress.listening(heard.append):
        with progress.part(0.0, 0.2):
            progress.report(1.0)
        with progress.part(0.2, 1.0):
            progress.report(0.5)
            with progress.part(0.5, 1.0):  # nested: the second half of the second part
                progress.report(0.0)
        progress.report(1.0)
    assert heard == pytest.approx([0.2, 0.6, 0.6, 1.0])


@pytest.mark.parametrize("name, method, steps", [("mnist-ddpm-eps", "ddim", 10), ("mnist-flow-ot", "euler", 8),
                                                 ("mnist-flow-ot", "rk4", 4)])
def test_sampling_reports_its_way_to_the_end(name, method, steps):
    heard = []
    with progress.listening(heard.append):
        generate(load(name), 2, steps=steps, method=method, seed=0)
    assert heard == sorted(heard) and heard[0] < 0.3 and heard[-1] >= 0.85  # steady, from the start to the end
    assert len(heard) >= steps


@register
def _slow_count(n: int) -> int:
    for k in range(n):
        time.sleep(0.15)
        progress.report((k + 1) / n)
    return n


def test_a_worker_tells_the_waiting_process():
    workers = Workers(1)
    try:
        heard = []
        with progress.listening(heard.append):
            assert workers.run(_slow_count, 8) == 8
        assert workers.calls == 1  # computed in the worker process
        assert heard and heard == sorted(heard) and 0 < heard[0] < 1  # heard while it ran
        assert workers.run(_slow_count, 1) == 1  # nobody listens: the plain way
    finally:
        workers.shutdown()
