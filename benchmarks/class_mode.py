"""Class mode under a class (issue 25): one lecturer and N students joined to one class, through Streamlit's own
protocol (the simulated sessions of :mod:`benchmarks.classroom`).

The lecturer starts a class and opens page 3; the students join with the join link and follow. Each student's
browser looks at the class as a browser does: the panel's fragment, rerun at the interval the server asks for. The
lecturer then moves page 3's noise seed ``--moves`` times, a few seconds apart, and the time from each move (the
lecturer's message sent) until each follower's page shows it (a run of the follower that ends with the new seed in its
address) is recorded. Then the lecturer opens the page's question to the class; each student answers after a few
seconds of thought (picks an option, then presses Send, as a browser does: two messages); the lecturer's live chart
(its fragment) is read as it refreshes, and the time from each answer sent until the chart's count includes it is
recorded (answers sorted by sending time: the k-th answer is on the chart once the count reaches k). Finally the
lecturer reveals, every student's page must show the verdict, and the store's count is checked: no answer lost, none
counted twice.

    python -m benchmarks.class_mode --students 50                 # a fresh server, as `make run`
    python -m benchmarks.class_mode --students 50 --replicas 2    # two replicas behind nginx, Redis (make serve-class)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import time
import urllib.parse

import numpy as np
import websockets
from streamlit.proto.WidgetStates_pb2 import WidgetState

from benchmarks.classroom import Monitor, Report, Student, servers
from core import paths
from core.classroom import Classroom, open_backend

SEED = "sc_seed"
QUESTION = "sc_budget"
COUNT = re.compile(r"Answers: (\d+) of (\d+) students joined")


def _widget(tree, kind: str, key: str, where: str = "main"):
    return next((w for w in getattr(tree, where).get(kind) if w.key == key), None)


class Follower(Student):
    """A student in the class: joins by the link, then looks at the class as the browser's fragment does."""

    def __init__(self, url, report, rng, code: str) -> None:
        super().__init__(url, report, rng)
        self.parse = False
        self.code = code
        self.reached: dict[int, float] = {}  # the lecturer's seed -> when this student's page showed it
        self.sent_at: float | None = None  # when this student's answer left (Send pressed)
        self.verdict = False
        self.answered_round: int | None = None

    async def join(self) -> bool:
        await asyncio.to_thread(self._get, "/")
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                           ping_interval=None, additional_headers={"Cookie": self.cookie} if self.cookie else None)
        self.query = f"class={self.code}"
        return await self.run("join by the link")

    def _elements(self, kind: str):
        """The elements of ``kind`` the last run drew (read from its messages: a whole element tree per follower and
        per run would make this client, not the server, the bottleneck of a 50-student class)."""
        for m in self.last:
            if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element":
                element = m.delta.new_element
                if element.WhichOneof("type") == kind:
                    yield getattr(element, kind)

    def _seed_shown(self) -> None:
        """The seed the page drew last (its number input's value, set by the server: the lecturer's value taken)."""
        for box in self._elements("number_input"):
            if box.id.endswith(f"-{SEED}") and box.set_value:
                self.reached.setdefault(int(box.value), time.perf_counter())

    async def follow(self, until: float) -> None:
        """Poll the class (the fragment, at the interval asked) and answer the question when it appears."""
        while time.perf_counter() < until:
            fragments = dict(self.fragments)
            if not fragments:
                await asyncio.sleep(0.5)
                continue
            fragment, interval = next(iter(fragments.items()))
            await asyncio.sleep(interval)
            if not await self.run("follower's look (fragment)", fragment=fragment):
                return
            self._seed_shown()
            await self._maybe_answer()
            if any("Right:" in a.body or "Not this time:" in a.body for a in self._elements("alert")):
                self.verdict = True

    async def _maybe_answer(self) -> None:
        if self.sent_at is not None:
            return
        radio = next((w for w in self._elements("radio") if f"-pq_{QUESTION}_class_" in w.id), None)
        if radio is None:
            return
        await asyncio.sleep(self.rng.uniform(1.0, 4.0))  # reads the question, thinks
        pick = WidgetState(id=radio.id, string_value=self.rng.choice(list(radio.options)))  # a radio sends its label
        if not await self.run("pick an answer", self._states([pick])):
            return
        send = next((b for b in self._elements("button") if b.id.endswith(f"-pq_{QUESTION}_send")), None)
        if send is None or send.disabled:
            self.report.errors.append("the Send button did not come")
            return
        self.sent_at = time.perf_counter()
        await self.run("send the answer", self._states([WidgetState(id=send.id, trigger_value=True)]))


async def lesson(url: str, n: int, moves: int, gap: float, seed: int, store: str | None = None) -> dict:
    report = Report()
    lecturer = Student(url, report, random.Random(seed))
    await asyncio.to_thread(lecturer._get, "/")
    async with websockets.connect(lecturer.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60, ping_interval=None,
                                  additional_headers={"Cookie": lecturer.cookie} if lecturer.cookie else None) as lecturer.ws:
        await lecturer.run("lecturer: first visit")
        start = _widget(lecturer.tree, "button", "class_start", "sidebar")
        await lecturer.run("lecturer: start a class", lecturer._states([WidgetState(id=start.id, trigger_value=True)]))
        code = urllib.parse.parse_qs(lecturer.query)["class"][0]
        await lecturer.run("lecturer: open page 3", page="schedules")
        lecturer.page_hash = lecturer.pages["schedules"]
        students = [Follower(url, report, random.Random(seed * 1000 + k), code) for k in range(n)]
        joined = await asyncio.gather(*(s.join() for s in students))
        total = moves * gap + 60.0
        until = time.perf_counter() + total
        followers = [asyncio.create_task(s.follow(until)) for s, ok in zip(students, joined) if ok]
        await asyncio.sleep(5.0)  # every follower on page 3
        sent: dict[int, float] = {}
        for k in range(moves):
            box = _widget(lecturer.tree, "number_input", SEED)
            value = 100 + k
            sent[value] = time.perf_counter()
            query = urllib.parse.parse_qs(lecturer.query)
            query[SEED] = [str(value)]  # as the browser writes a bound widget's value into its address, and sends it
            lecturer.query = urllib.parse.urlencode(query, doseq=True)
            await lecturer.run("lecturer: move the seed", lecturer._states([WidgetState(id=box.id, double_value=value)]))
            await asyncio.sleep(gap)
        ask = _widget(lecturer.tree, "button", f"pq_{QUESTION}_ask")
        lecturer.fragments.clear()
        await lecturer.run("lecturer: ask the class", lecturer._states([WidgetState(id=ask.id, trigger_value=True)]))
        live = min(lecturer.fragments, key=lecturer.fragments.get, default=None)  # the live chart: the fastest fragment
        seen: list[tuple[float, int]] = []  # (time, count on the chart)
        deadline = time.perf_counter() + 45.0
        while live and time.perf_counter() < deadline:
            await asyncio.sleep(lecturer.fragments.get(live, 1.0))
            await lecturer.run("lecturer: live chart (fragment)", fragment=live)
            text = " ".join(str(m.delta) for m in lecturer.last)
            if (m := COUNT.search(text)):
                seen.append((time.perf_counter(), int(m.group(1))))
                if int(m.group(1)) >= sum(ok for ok in joined):
                    break
        reveal = _widget(lecturer.tree, "button", f"pq_{QUESTION}_reveal")
        await lecturer.run("lecturer: reveal", lecturer._states([WidgetState(id=reveal.id, trigger_value=True)]))
        await asyncio.sleep(8.0)  # every student's page shows the verdict
        for f in followers:
            f.cancel()
        for outcome in await asyncio.gather(*followers, return_exceptions=True):
            if isinstance(outcome, Exception) and not isinstance(outcome, asyncio.CancelledError):
                report.errors.append(f"follower: {outcome!r}")
        for s in students:
            if s.ws is not None:
                await s.ws.close()
        tally = Classroom(open_backend(store)).tally(code)
    reach = [s.reached[v] - t for v, t in sent.items() for s in students if v in s.reached]
    missed = sum(1 for v in sent for s in students if v not in s.reached)
    answers = sorted(s.sent_at for s in students if s.sent_at is not None)
    delays = []
    for k, t in enumerate(answers, start=1):
        shown = next((when for when, count in seen if count >= k and when >= t), None)
        if shown is not None:
            delays.append(shown - t)
    return {"students": n, "joined": int(sum(joined)), "errors": report.errors[:10], "n_errors": len(report.errors),
            "move_reach": _stats(reach), "moves_missed": missed,
            "answers_sent": len(answers), "answers_on_chart": seen[-1][1] if seen else 0, "answer_delay": _stats(delays),
            "store_tally": tally, "verdicts_shown": sum(s.verdict for s in students),
            "kinds": {k: _stats(v) for k, v in sorted(report.times.items())}}


def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": float(np.median(values)), "p95": float(np.percentile(values, 95)), "max": float(max(values))}


def main(argv: list[str] | tuple[str, ...] = ()) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--moves", type=int, default=8)
    parser.add_argument("--gap", type=float, default=5.0, help="seconds between the lecturer's moves")
    parser.add_argument("--replicas", type=int, default=0)
    parser.add_argument("--url")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        pids, url = servers(stack, args.url, args.replicas)
        monitor = Monitor(pids)
        loop = asyncio.new_event_loop()
        watcher = loop.create_task(monitor.watch()) if pids else None
        cpu0 = monitor.read()[2] if pids else 0.0
        t0 = time.time()
        store = None
        if args.replicas and (written := paths.ROOT / "runs" / "classroom-replicas" / "classes.url").exists():
            store = written.read_text()  # the Redis that make serve-class started
        result = loop.run_until_complete(lesson(url, args.students, args.moves, args.gap, seed=args.students, store=store))
        if watcher:
            watcher.cancel()
            loop.run_until_complete(asyncio.gather(watcher, return_exceptions=True))
        result["server_cores_used"] = ((monitor.read()[2] - cpu0) / (time.time() - t0)) if pids else None
        result["rss_peak_mib"] = max((s[1] for s in monitor.samples), default=None)
        loop.close()
    print(json.dumps(result, indent=1))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(__import__("sys").argv[1:])
