"""Worker processes (core.workers): a shared result computed in another process is the one the server would compute;
a checkpoint travels as a reference; a worker that dies costs nothing but its call, computed here instead."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from core.io import load
from core.workers import Workers, default_workers, register


@pytest.fixture(scope="module")
def pool():
    workers = Workers(1)
    yield workers
    workers.shutdown()


@register  # at import: a worker imports this module and finds it by name
def _pid() -> int:
    return os.getpid()


def test_a_result_computed_by_a_worker_is_the_one_computed_here(pool):
    from ui.figures import reverse

    raw = reverse.mnist_steps.__wrapped__  # the function behind the caches
    ckpt = load("mnist-ddpm-eps-uncond")
    there, here = pool.run(raw, ckpt, None, 1.0, 4, 10, 2), raw(ckpt, None, 1.0, 4, 10, 2)
    np.testing.assert_array_equal(there["panels"], here["panels"])
    assert there["ts"] == here["ts"] and pool.calls == 1


def test_the_work_happens_in_another_process(pool):
    assert pool.run(_pid) != os.getpid()


def test_an_unregistered_function_runs_here(pool):
    calls = pool.calls
    assert pool.run(os.getpid) == os.getpid() and pool.calls == calls


def test_a_dead_worker_costs_only_its_call(pool):
    assert pool.run(_exit_now) == "computed here"  # the worker died; this call ran in the server process
    assert pool.run(_pid) != os.getpid()  # and the pool works again


@register
def _exit_now() -> str:
    """Kills the worker that runs it; in the server process, returns."""
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        os._exit(1)
    return "computed here"


def test_one_worker_per_core_but_one_unless_told(monkeypatch):
    monkeypatch.setenv("DIFFUSION_PLAYGROUND_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.delenv("DIFFUSION_PLAYGROUND_WORKERS")
    assert default_workers() == max(0, len(os.sched_getaffinity(0)) - 1)


def test_a_worker_ends_when_its_server_is_killed(tmp_path):
    """A server killed (not shut down) cannot stop its pool: its worker sees it gone and ends, instead of keeping its
    models (hundreds of MB) for nobody, as orphans of killed servers did."""
    import signal
    import subprocess
    import sys
    import time

    told = tmp_path / "worker.pid"
    server = subprocess.Popen([sys.executable, "-c", f"""
import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from core.workers import Workers
import test_workers
Path({str(told)!r}).write_text(str(Workers(1).run(test_workers._pid)))
import time; time.sleep(600)
"""], cwd=str(Path(__file__).resolve().parent.parent))
    try:
        deadline = time.time() + 120
        while not told.exists() or not told.read_text():
            assert time.time() < deadline and server.poll() is None, "the worker never answered"
            time.sleep(0.2)
        worker = int(told.read_text())
        os.kill(worker, 0)  # alive
        server.send_signal(signal.SIGKILL)
        server.wait()
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                os.kill(worker, 0)
            except ProcessLookupError:
                return  # gone
            time.sleep(0.2)
        pytest.fail("the worker outlived its killed server by 15 s")
    finally:
        if server.poll() is None:
            server.kill()
