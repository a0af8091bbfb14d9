"""A classroom on one server: N simulated students, ramped 1 -> 10 -> 25 -> 50, through Streamlit's own protocol.

Each student is a real session on a real server (started as ``make run`` starts it, or ``--url``):
a websocket speaking Streamlit's protobuf messages, as the browser does. A student opens the home
page, visits every page, moves two of its controls (a slider to any value, a number input one to three
clicks of its + or - button), and on the pages that train live presses Train, then watches the live
view (the fragment reruns the page asks for) for a while. Between interactions a student looks at the
page for ``THINK`` seconds on average (``--think 0``: every student fires the next interaction at once,
a stress test). Timed: from the message sent to the run finished, per kind of interaction. Counted:
errors (an exception on a page, a lost connection, a run that never finished), training runs granted,
queued and refused, and the server's memory and threads over time, until every student has left and a
while after (the server must return to idle: no orphan thread, no busy core).

    python -m benchmarks.classroom                    # 1, 10, 25, 50 students, a fresh server
    python -m benchmarks.classroom --students 1,5 --url http://localhost:8501
    python -m benchmarks.classroom --students 10,25 --think 0   # no pause between interactions

Media files (the pages' images) are fetched as a browser would; charts are drawn by the browser
and are not part of these times (see ``bench_browser`` for a student's wait in Chromium).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from streamlit.testing.v1.element_tree import parse_tree_from_messages

from core import paths
from ui.i18n import MESSAGES

TRAIN = {"ae_train": "ae_stop", "train_start": "train_stop", "fm_train": "fm_stop", "pt_toy_train": "pt_toy_stop"}
"""The Train buttons of the live-training pages, and the Stop button that shows a run is going."""
WATCH = 12.0
"""Seconds a student watches a live run (following the page's fragment reruns) before moving on."""
TIMEOUT = 120.0
"""A run not finished after this long counts as an error."""
THINK = 5.0
"""Mean seconds a student looks at the page before the next interaction (drawn uniformly in 0.5x-1.5x);
``--think 0`` sends every interaction as soon as the last one is answered (a stress test, not a class)."""
QUEUED = MESSAGES["en"]["jobs.queued"].split(":")[0]
"""How the notice of a run that waits for a training slot begins (the catalogue's own words, English)."""
ONE_WAITING = MESSAGES["en"]["jobs.one_waiting"].split("(")[0]
"""How the notice begins when this student already has a run in the queue (one per student waits at a time)."""
MEDIA = re.compile(r"/media/[\w.-]+")


@dataclass
class Report:
    """What one ramp step measured: latencies per interaction kind, counts, and errors."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_page: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # "move a control" per page
    errors: list[str] = field(default_factory=list)
    granted: int = 0  # trained at once
    queued: int = 0  # waited in the server's queue for a slot
    refused: int = 0  # the queue was full too
    held: int = 0  # refused because this student had a run waiting already (on another page)
    echoed: int = 0  # values this student set, read back from the page's link (its query string) as they were set
    leaks: list[str] = field(default_factory=list)  # ... read back as something else: another session's state?

    def add(self, kind: str, seconds: float) -> None:
        self.times[kind].append(seconds)


class Student:
    """One browser session, speaking Streamlit's protocol."""

    def __init__(self, url: str, report: Report, rng: random.Random, think: float = THINK) -> None:
        self.ws_url = url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.http = url.rstrip("/")
        self.report, self.rng, self.think = report, rng, think
        self.query = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""
        self.page_name = "home"
        self.tree = None
        self.fragments: dict[str, float] = {}  # fragment id -> interval of its reruns
        self.ws = None
        self.values: dict[str, WidgetState] = {}  # widget id -> the WidgetState this student set
        self.cookie = ""  # behind nginx (deploy/): the cookie that keeps this browser on one replica
        self.moved: dict[str, float] = {}  # widget key -> the value this student's last move gave it
        self.last: list = []  # the messages of the last run (a fragment's, too)
        self.parse = True  # read the page's element tree after each whole run (a class mode follower reads less)

    async def run(self, kind: str, widget_states=None, fragment: str = "", page: str | None = None) -> bool:
        """Send one rerun and read until it finishes; returns False on an error (recorded)."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash if page is None else self.pages[page]
        state.page_name = "" if page is None else page
        if widget_states is not None:
            state.widget_states.CopyFrom(widget_states)
        if fragment:
            state.fragment_id, state.is_auto_rerun = fragment, True
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        messages, media, whole = [], set(), not fragment
        try:
            async with asyncio.timeout(TIMEOUT):
                while True:
                    fwd = ForwardMsg()
                    fwd.ParseFromString(await self.ws.recv())
                    which = fwd.WhichOneof("type")
                    if which == "delta":
                        messages.append(fwd)
                        media.update(MEDIA.findall(str(fwd.delta)))
                        if fwd.delta.new_element.WhichOneof("type") == "exception":
                            self.report.errors.append(f"{kind}: exception {fwd.delta.new_element.exception.message[:80]}")
                    elif which == "navigation":
                        self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
                        self.page_hash = fwd.navigation.page_script_hash
                    elif which == "page_info_changed":
                        self.query = fwd.page_info_changed.query_string
                    elif which == "auto_rerun":
                        self.fragments[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
                    elif which == "stop_auto_rerun":
                        self.fragments.pop(fwd.stop_auto_rerun.fragment_id, None)
                    elif which == "script_finished":
                        if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            messages.clear()  # st.rerun() (or a newer request): the run that follows is the answer
                            whole = True  # a fragment's st.rerun(scope="app") or st.switch_page: the whole page
                            continue
                        break
        except TimeoutError:
            self.report.errors.append(f"{kind}: no answer in {TIMEOUT:.0f} s")
            return False
        except websockets.ConnectionClosed as err:
            self.report.errors.append(f"{kind}: connection lost ({err})")
            return False
        await asyncio.gather(*(self._fetch(m) for m in media))  # the images, as the browser fetches them
        self.report.add(kind, time.perf_counter() - started)
        if kind == "move a control":
            self.report.by_page[self.page_name].append(time.perf_counter() - started)
        self.last = messages
        if whole and self.parse:  # a fragment's run redraws part of the page only
            self.tree = parse_tree_from_messages(messages)
        return True

    def _get(self, path: str) -> None:
        request = urllib.request.Request(self.http + path, headers={"Cookie": self.cookie} if self.cookie else {})
        with urllib.request.urlopen(request, timeout=30) as r:
            r.read()
            if not self.cookie and (set_cookie := r.headers.get("Set-Cookie")):
                self.cookie = set_cookie.split(";", 1)[0]

    async def _fetch(self, path: str) -> None:
        def get() -> None:
            self._get(path)

        try:
            await asyncio.to_thread(get)
        except OSError as err:  # a media file dropped by a later rerun is the browser's race too: not an error
            if "404" not in str(err):
                self.report.errors.append(f"media: {err}")

    def _move_two_controls(self):
        """Two of the page's controls moved as a student moves them, the widget states to send: a slider dragged to
        any of its values, a number input stepped with its + or - button one to three times (from its value now)."""
        widgets = [w for w in [*self.tree.main.get("slider"), *self.tree.main.get("select_slider"),
                               *self.tree.main.get("number_input")] if w.key and not w.disabled]
        moved, self.moved = [], {}
        for w in self.rng.sample(widgets, min(2, len(widgets))):
            state, p = WidgetState(id=w.id), w.proto
            if type(w).__name__ == "SelectSlider":
                state.string_array_value.data[:] = [self.rng.choice(list(p.options))]
            elif type(w).__name__ == "Slider" and len(p.default) != 1:
                continue  # a range slider: none among these pages' main controls
            elif type(w).__name__ == "Slider":  # dragged anywhere
                step = p.step or 1
                value = p.min + step * self.rng.randint(0, max(int((p.max - p.min) / step), 0))
                state.double_array_value.data[:] = [int(round(value)) if p.data_type == p.INT else float(value)]
                self.moved[w.key] = float(value)
            else:  # a number input (a seed, a digit): its + or - button pressed one to three times
                step = p.step or 1
                now = self.values[w.id].double_value if w.id in self.values else p.default
                clicks = self.rng.randint(1, 3)
                lo, hi = p.min if p.has_min else -float("inf"), p.max if p.has_max else float("inf")
                ways = [d for d in (-1, 1) if lo <= now + d * step * clicks <= hi]  # the buttons that stay in range
                value = now + self.rng.choice(ways or [0]) * step * clicks
                state.double_value = int(round(value)) if p.data_type == p.INT else float(value)
                self.moved[w.key] = float(state.double_value)
            moved.append(state)
        return self._states(moved)

    def _states(self, changed: list[WidgetState]) -> WidgetStates:
        """The widget states to send, as the browser does: every value this student set, the new ones included
        (a button's press is sent once; the values of controls left alone are the server's)."""
        for state in changed:
            self.values[state.id] = state
        out = WidgetStates()
        out.widgets.extend(self.values.values())
        for state in changed:
            if state.WhichOneof("value") == "trigger_value":
                del self.values[state.id]
        return out

    async def pause(self) -> None:
        """The student looks at what the last interaction drew, and reads, before the next one."""
        await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))

    async def lesson(self) -> None:
        """The whole visit: home, then every page with two moves, Train where there is one."""
        await asyncio.to_thread(self._get, "/")  # the page itself, as a browser loads it first (and its cookie)
        async with websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                      ping_interval=None,
                                      additional_headers={"Cookie": self.cookie} if self.cookie else None) as self.ws:
            if not await self.run("first visit (home)"):
                return
            for path in [p for p in self.pages if p]:
                await self.pause()
                if not await self.run("open a page", page=path):
                    return
                self.page_hash, self.page_name = self.pages[path], path
                for _ in range(2):
                    await self.pause()
                    if not await self.run("move a control", self._move_two_controls()):
                        return
                    self._check_echo()
                buttons = {b.key: b for b in self.tree.main.get("button") if b.key}
                for train, stop in TRAIN.items():
                    if train in buttons:
                        await self.pause()
                        await self._train(buttons[train], stop)

    def _check_echo(self) -> None:
        """No leak between sessions: the page's link (every control is bound to the query string) holds the
        values this student just set, not another student's. A value at its default is left out of the link."""
        link = urllib.parse.parse_qs(self.query)
        for key, value in self.moved.items():
            if key not in link:
                continue
            shown = link[key][-1]
            try:
                same = abs(float(shown) - value) <= 1e-6 * max(1.0, abs(value))
            except ValueError:
                same = False
            if same:
                self.report.echoed += 1
            else:
                self.report.leaks.append(f"{self.page_name}: {key} set to {value:g}, the page's link says {shown}")

    async def _train(self, button, stop: str) -> None:
        self.fragments.clear()
        if not await self.run("press Train", self._states([WidgetState(id=button.id, trigger_value=True)])):
            return
        stops = [b for b in self.tree.main.get("button") if b.key == stop and not b.disabled]
        if not stops:  # refused: the slots and the queue are all taken, or this student has a run waiting already
            if any(ONE_WAITING in w.value for w in self.tree.main.get("warning")):
                self.report.held += 1
            else:
                self.report.refused += 1
            return
        if any(QUEUED in i.value for i in self.tree.main.get("info")):
            self.report.queued += 1
        else:
            self.report.granted += 1
        until = time.perf_counter() + WATCH
        while self.fragments and time.perf_counter() < until:
            fragment, interval = next(iter(self.fragments.items()))
            await asyncio.sleep(interval)
            if not await self.run("live view (fragment)", fragment=fragment):
                return


# ----------------------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    """``streamlit run server.py`` as ``make run`` starts it, on a free port; waits until it answers."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(paths.SERVER), "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                            cwd=paths.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2).read()
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the app did not start in 120 s")


@contextlib.contextmanager
def replicas(n: int) -> Iterator[tuple[list[int], str]]:
    """``n`` app servers behind nginx, as ``make serve-class REPLICAS=n`` starts them; yields their pids and
    nginx's URL (each simulated student keeps the sticky cookie nginx gives it, as a browser does)."""
    from deploy.serve_class import serve

    with serve(n, _free_port(), paths.ROOT / "runs" / "classroom-replicas") as url:
        children = [int(d) for d in os.listdir("/proc") if d.isdigit() and _parent(int(d)) == os.getpid()]
        yield [p for p in children if b"streamlit" in open(f"/proc/{p}/cmdline", "rb").read()], url


def servers(stack: contextlib.ExitStack, url: str | None, n_replicas: int) -> tuple[list[int], str]:
    """The servers a benchmark runs against, stopped with ``stack``: the app at ``url`` (its processes not sampled),
    ``n_replicas`` behind nginx, or one server started as ``make run`` starts it. Their pids and the address."""
    if url:
        return [], url
    if n_replicas:
        return stack.enter_context(replicas(n_replicas))
    proc, url = start_server()
    stack.callback(lambda: (os.killpg(proc.pid, signal.SIGTERM), proc.wait(30)))
    return [proc.pid], url


def _parent(pid: int) -> int:
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def _family(pids: list[int]) -> list[int]:
    """``pids`` and every process below them (a server's worker processes: :mod:`core.workers`)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    family, todo = set(pids), list(pids)
    while todo:
        parent = todo.pop()
        for child, p in parents.items():
            if p == parent and child not in family:
                family.add(child)
                todo.append(child)
    return sorted(family)


class Monitor:
    """The servers' resident memory (MiB), threads and CPU (seconds), their worker processes included, summed, sampled
    every half second. CPU counts the processes alive at each reading (a worker that ended takes its seconds along)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.samples = pids, []

    def read(self) -> tuple[float, int, float]:
        rss = threads = cpu = 0.0
        for pid in _family(self.pids):
            try:
                status = open(f"/proc/{pid}/status").read()
                stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:  # gone between the listing and the reading
                continue
            rss += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
            threads += int(re.search(r"Threads:\s+(\d+)", status).group(1))
            cpu += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
        return rss, int(threads), cpu

    def cores_used(self) -> float:
        """Cores used on average over the samples (CPU seconds per second of wall time): 2.0 is both of two cores."""
        if len(self.samples) < 2:
            return float("nan")
        (t0, _, _, c0), (t1, _, _, c1) = self.samples[0], self.samples[-1]
        return (c1 - c0) / (t1 - t0) if t1 > t0 else float("nan")

    async def watch(self) -> None:
        while self.pids:
            self.samples.append((time.time(), *self.read()))
            await asyncio.sleep(0.5)


async def ramp_step(url: str, n: int, seed: int, stagger: float, think: float = THINK) -> tuple[Report, float]:
    """``n`` students arriving within ``stagger`` seconds, each through the whole lesson."""
    report = Report()

    async def one(k: int) -> None:
        await asyncio.sleep(stagger * k / max(n, 1))
        try:
            await Student(url, report, random.Random(seed * 1000 + k), think).lesson()
        except (OSError, websockets.WebSocketException) as err:
            report.errors.append(f"connect: {err}")

    started = time.perf_counter()
    await asyncio.gather(*(one(k) for k in range(n)))
    return report, time.perf_counter() - started


def _idle(monitor: Monitor, seconds: float) -> dict:
    """After the students left: CPU used over ``seconds`` (a share of one core), threads, memory."""
    rss0, threads0, cpu0 = monitor.read()
    time.sleep(seconds)
    rss1, threads1, cpu1 = monitor.read()
    return {"cpu_share": (cpu1 - cpu0) / seconds, "threads": threads1, "rss_mib": rss1}


def main(argv: list[str] | tuple[str, ...] = ()) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default="1,10,25,50", help="the ramp, comma-separated")
    parser.add_argument("--url", help="an app already running (default: start one as `make run` does)")
    parser.add_argument("--stagger", type=float, default=20.0, help="students arrive within this many seconds")
    parser.add_argument("--think", type=float, default=THINK,
                        help="mean seconds a student looks at the page between interactions (0: a stress test)")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds to wait after each step before measuring idle")
    parser.add_argument("--replicas", type=int, default=0,
                        help="run N servers behind nginx (deploy/serve_class.py) instead of one server")
    parser.add_argument("--out", help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        pids, url = servers(stack, args.url, args.replicas)
        results = _ramp(args, url, Monitor(pids))
    print(_table(results))


def _ramp(args, url: str, monitor: Monitor) -> list[dict]:
    """Each step of the ramp in turn on the same servers; the figures of each step."""
    results = []
    start = monitor.read() if monitor.pids else None
    for n in [int(x) for x in args.students.split(",")]:
        loop = asyncio.new_event_loop()
        watcher = loop.create_task(monitor.watch()) if monitor.pids else None
        report, wall = loop.run_until_complete(ramp_step(url, n, seed=n, stagger=args.stagger, think=args.think))
        if watcher:
            watcher.cancel()
            loop.run_until_complete(asyncio.gather(watcher, return_exceptions=True))
        loop.close()
        idle = _idle(monitor, 10.0) if monitor.pids else {}
        time.sleep(max(0.0, args.settle - 10.0))
        after = _idle(monitor, 10.0) if monitor.pids else {}
        peak = max((s[1] for s in monitor.samples), default=float("nan"))
        results.append({**_summary(n, report, wall, start, peak, idle, after), "cores_used": monitor.cores_used()})
        print(_table_row(results[-1]), flush=True)
        monitor.samples.clear()
        if args.out:
            with open(args.out, "w") as f:
                json.dump(results, f, indent=1)
    return results


def _summary(n, report: Report, wall, start, peak, idle, after) -> dict:
    kinds = {k: {"n": len(v), "p50": float(np.median(v)), "p95": float(np.percentile(v, 95))}
             for k, v in sorted(report.times.items())}
    return {"students": n, "wall_s": wall, "errors": report.errors, "granted": report.granted,
            "queued": report.queued, "refused": report.refused, "held": report.held, "kinds": kinds,
            "echoed": report.echoed, "leaks": report.leaks,
            "move_by_page": {p: {"n": len(v), "p50": float(np.median(v)), "p95": float(np.percentile(v, 95))}
                             for p, v in sorted(report.by_page.items())}, "rss_start_mib": start[0] if start else None,
            "rss_peak_mib": peak, "idle_after_10s": idle, "idle_after_settle": after}


def _table_row(r: dict) -> str:
    kinds = "; ".join(f"{k} p50 {v['p50']:.2f} / p95 {v['p95']:.2f} s (n={v['n']})" for k, v in r["kinds"].items())
    kinds += "; moves by page: " + ", ".join(f"{p} {v['p50']:.1f}/{v['p95']:.1f}" for p, v in r["move_by_page"].items())
    return (f"{r['students']} students in {r['wall_s']:.0f} s: {len(r['errors'])} errors; Train granted {r['granted']},"
            f" queued {r['queued']}, refused {r['refused']} (+{r['held']} with one waiting already); RSS start {r['rss_start_mib'] or 0:.0f} MiB, peak {r['rss_peak_mib']:.0f} MiB,"
            f" after {r['idle_after_settle'].get('rss_mib', float('nan')):.0f} MiB; cores used while they worked"
            f" {r.get('cores_used', float('nan')):.2f}; CPU after leaving"
            f" {r['idle_after_settle'].get('cpu_share', float('nan')):.0%} of a core,"
            f" {r['idle_after_settle'].get('threads', 0)} threads; values read back {r['echoed']}, leaks {len(r['leaks'])}"
            f" {r['leaks'][:3]}; {kinds}; errors: {r['errors'][:3]}")


def _table(results: list[dict]) -> str:
    kinds = sorted({k for r in results for k in r["kinds"]})
    head = "| students | errors | leaks (values read back) | Train granted / queued / refused (+ one waiting already) | " + " | ".join(f"{k} p50 / p95 (s)" for k in kinds) + \
        " | cores used | RSS start / peak / after (MiB) | CPU after leaving |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        cells = [f"{r['kinds'][k]['p50']:.2f} / {r['kinds'][k]['p95']:.2f}" if k in r["kinds"] else "-" for k in kinds]
        after = r["idle_after_settle"]
        lines.append(f"| {r['students']} | {len(r['errors'])} | {len(r['leaks'])} ({r['echoed']}) | {r['granted']} / {r['queued']} / {r['refused']} (+{r['held']}) | " + " | ".join(cells) +
                     f" | {r.get('cores_used', float('nan')):.2f}"
                     f" | {r['rss_start_mib'] or 0:.0f} / {r['rss_peak_mib']:.0f} / {after.get('rss_mib', 0):.0f} |"
                     f" {after.get('cpu_share', 0):.0%} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv[1:])
