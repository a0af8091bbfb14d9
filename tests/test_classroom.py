"""The classroom load test's student (``benchmarks/classroom.py``) drives a real session through Streamlit's
protocol: the pages open, the controls it moves reach the page (the address follows), Train starts a run."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
import websockets

from benchmarks import class_mode, classroom

pytestmark = pytest.mark.slow


def test_a_simulated_student_opens_pages_moves_controls_and_trains(server, monkeypatch):
    monkeypatch.setattr(classroom, "WATCH", 2.0)
    report = classroom.Report()
    student = classroom.Student(server, report, random.Random(0))

    async def visit() -> None:
        async with websockets.connect(student.ws_url, subprotocols=["streamlit"], max_size=None) as student.ws:
            assert await student.run("first visit (home)")
            assert {"schedules", "training"} <= set(student.pages)
            assert await student.run("open a page", page="schedules")
            student.page_hash = student.pages["schedules"]
            assert [s.value for s in student.tree.main.get("title")] == ["3. Schedules"]
            before = student.query
            for _ in range(4):  # a control may land on its default (left out of the address): move again
                assert await student.run("move a control", student._move_two_controls())
                if student.query != before:
                    break
            assert student.query != before  # the moved controls reached the page: their values are in the address
            student._check_echo()
            assert report.echoed >= 1 and not report.leaks  # read back as this student set them
            student.moved = {next(iter(student.moved)): -12345.0}  # as if another student's value came back
            student._check_echo()
            assert len(report.leaks) == 1 and "set to -12345" in report.leaks[0]
            report.leaks.clear()
            assert await student.run("open a page", page="training")
            student.page_hash = student.pages["training"]
            train = next(b for b in student.tree.main.get("button") if b.key == "train_start")
            await student._train(train, classroom.TRAIN["train_start"])

    with ThreadPoolExecutor(1) as pool:  # a thread of its own: Playwright's fixtures keep an event loop in this one
        pool.submit(asyncio.run, visit()).result()
    assert not report.errors, report.errors
    assert report.granted == 1 and report.refused == 0
    assert 1 <= len(report.times["move a control"]) <= 4 and report.times["live view (fragment)"]


def test_the_class_mode_benchmark_follows_a_lecturer_and_counts_every_answer(server):
    """``benchmarks/class_mode.py`` on 3 simulated students: every move reaches every follower, every answer is
    counted once by the store and reaches the lecturer's chart, every student sees the verdict."""

    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, class_mode.lesson(server, 3, moves=2, gap=3.0, seed=1)).result()
    assert result["n_errors"] == 0, result["errors"]
    assert result["joined"] == 3 and result["moves_missed"] == 0 and result["move_reach"]["n"] == 6
    assert result["answers_sent"] == 3 and result["answers_on_chart"] == 3 and sum(result["store_tally"]) == 3
    assert result["verdicts_shown"] == 3
