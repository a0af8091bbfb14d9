"""Class mode's rules and both of its stores (issue 25): SQLite, and a real ``redis-server`` started on the loopback
(skipped, with the reason, where Debian's redis-server is missing). The security cases of the issue are here: a forged
or replayed lecturer's action, an answer outside the choices, a second answer, a flood, a huge or scripted nickname,
guessing codes; and a restart that loses nothing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from core.classroom import EXPIRY, Classroom, Refused, format_code, new_student, normalise_code, open_backend
from core.classroom.classes import ANSWERS, MISSES


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A real redis-server on the loopback, persisting to an append-only file in ``folder`` (restartable)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port, self.proc = folder, _free_port(), None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                                      "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()  # SIGTERM: redis flushes its append-only file and exits
            self.proc.wait(10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    """``(url, restart)``: a store's address, and a function that restarts the store's server (SQLite: nothing to
    restart; a new connection reads the same file)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'classes.sqlite3'}", lambda: None
        return
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian: apt install redis-server): the Redis store is not tested here")
    server = RedisServer(tmp_path)
    server.start()

    def restart() -> None:
        server.stop()
        server.start()

    yield server.url, restart
    server.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_codes_read_well_and_normalise():
    assert normalise_code(" k7p-3qx ") == "K7P3QX"
    assert normalise_code("K7P3Q0") == ""  # 0 is not a letter of the codes (reads as O)
    assert normalise_code("<script>") == "" and normalise_code("K7P3QXX") == ""
    assert format_code("K7P3QX") == "K7P-3QX"


def test_a_class_from_start_to_end(store):
    url, _ = store
    room = Classroom(open_backend(url))
    code, token = room.start()
    assert normalise_code(code) == code and room.exists(code) and room.leads(code, token)
    assert room.view(code) == (0, {})
    students = [new_student() for _ in range(3)]
    for k, s in enumerate(students):
        assert room.join(format_code(code).lower(), s, client="10.0.0.1", nickname=f"Ana {k}", show=k == 0) == code
    assert room.members(code) == (3, ["Ana 0"])  # a nickname is shown only with the student's consent
    assert room.push(code, token, {"page": "reverse", "state": {"rev_seed": 3, "rev_sched": "cosine"}}) == 1
    assert room.push(code, token, {"page": "schedules", "state": {}}) == 2
    assert room.view(code) == (2, {"page": "schedules", "state": {}, "films": {}})
    q = room.ask(code, token, "schedule_budget", 3)
    assert q.round == 1 and not q.revealed and room.tally(code) == [0, 0, 0]
    for s, choice in zip(students, (2, 2, 0)):
        room.answer(code, s, q.round, choice)
    assert room.tally(code) == [1, 0, 2]
    assert room.answer_of(code, students[0], q.round) == 2 and room.answer_of(code, new_student(), q.round) is None
    assert room.reveal(code, token).revealed and room.question(code).revealed
    q2 = room.ask(code, token, "pt_dimension", 2)
    assert q2.round == 2 and room.tally(code) == [0, 0]  # a new round starts empty
    room.end(code, token)
    assert not room.exists(code) and room.view(code) is None
    with pytest.raises(Refused, match="no-class"):
        room.join(code, new_student(), client="10.0.0.1")


def test_only_the_lecturers_token_leads(store):
    url, _ = store
    room = Classroom(open_backend(url))
    code, token = room.start()
    other, other_token = room.start()
    for forged in ("", "x" * 43, other_token, token[:-1] + ("A" if token[-1] != "A" else "B")):
        for action in (lambda t: room.push(code, t, {"page": "home", "state": {}}), lambda t: room.ask(code, t, "q", 2),
                       lambda t: room.reveal(code, t), lambda t: room.close(code, t), lambda t: room.end(code, t)):
            with pytest.raises(Refused, match="not-lecturer"):
                action(forged)
    assert room.view(code) == (0, {}) and room.question(code) is None and room.exists(code)
    room.end(code, token)
    with pytest.raises(Refused, match="no-class"):  # the token of an ended class opens nothing
        room.push(code, token, {"page": "home", "state": {}})
    assert room.exists(other)


def test_answers_are_checked(store):
    url, _ = store
    room = Classroom(open_backend(url))
    code, token = room.start()
    student = new_student()
    room.join(code, student, client="c")
    with pytest.raises(Refused, match="closed"):  # no question open
        room.answer(code, student, 1, 0)
    q = room.ask(code, token, "q1", 3)
    for bad in (3, -1, 1.0, True, "1", None):
        with pytest.raises(Refused, match="choice"):
            room.answer(code, student, q.round, bad)
    with pytest.raises(Refused, match="invalid"):
        room.answer(code, "not an id <b>", q.round, 0)
    room.answer(code, student, q.round, 1)
    with pytest.raises(Refused, match="twice"):  # the same student again: not counted twice
        room.answer(code, student, q.round, 2)
    assert room.tally(code) == [0, 1, 0]
    room.ask(code, token, "q2", 3)
    with pytest.raises(Refused, match="closed"):  # the old round's request, replayed
        room.answer(code, student, q.round, 0)
    room.reveal(code, token)
    with pytest.raises(Refused, match="closed"):  # revealed: no more answers
        room.answer(code, new_student(), q.round + 1, 0)


def test_floods_and_guessing_are_limited(store):
    url, _ = store
    clock = Clock()
    room = Classroom(open_backend(url), clock=clock)
    code, token = room.start()
    flooder = new_student()
    q = room.ask(code, token, "q", 2)
    refusals = []
    for _ in range(ANSWERS[0] + 10):
        try:
            room.answer(code, flooder, q.round, 0)
        except Refused as err:
            refusals.append(err.reason)
    assert refusals.count("twice") == ANSWERS[0] - 1 and refusals.count("rate") == 10 and room.tally(code) == [1, 0]
    guesser = "192.0.2.7"
    for k in range(MISSES[0]):
        with pytest.raises(Refused, match="no-class"):
            room.join(f"ZZZZZ{'ABCDEFGHJKLMNPQRSTUVWXYZ'[k]}", new_student(), client=guesser)
    with pytest.raises(Refused, match="rate"):  # past the wrong guesses, even the right code waits
        room.join(code, new_student(), client=guesser)
    room.join(code, new_student(), client="192.0.2.8")  # another client is not held back
    clock.now += MISSES[1]
    room.join(code, new_student(), client=guesser)  # the next window


def test_nicknames_and_views_are_validated(store):
    url, _ = store
    room = Classroom(open_backend(url))
    code, token = room.start()
    for nickname in ("x" * 25, "<script>alert(1)</script>", "a\nb", "**bold**", "[x](javascript:1)", "\u202eevil"):
        with pytest.raises(Refused, match="invalid"):
            room.join(code, new_student(), client="c", nickname=nickname)
    assert room.members(code) == (0, [])  # nothing stored
    room.join(code, new_student(), client="c", nickname="Élodie O'Neil-2", show=True)
    assert room.members(code) == (1, ["Élodie O'Neil-2"])
    for view in ({"page": "../etc", "state": {}}, {"page": "home", "state": {}, "films": {"t": "x" * 201}}, {"page": "home", "state": {"a b": 1}}, {"page": "home", "state": {"k": {"x": 1}}},
                 {"page": "home", "state": {"k": float("nan")}}, {"page": "home", "state": {f"k{i}": 1 for i in range(65)}},
                 {"page": "home", "state": {"k": "x" * 201}}, {"page": 3, "state": {}}):
        with pytest.raises(Refused, match="invalid"):
            room.push(code, token, view)
    assert room.view(code) == (0, {})


def test_a_class_expires_when_idle(store):
    url, _ = store
    clock = Clock()
    room = Classroom(open_backend(url), clock=clock)
    code, token = room.start()
    clock.now += EXPIRY - 1
    room.push(code, token, {"page": "home", "state": {}})  # activity keeps it alive
    clock.now += EXPIRY - 1
    assert room.exists(code)
    clock.now += 2
    assert not room.exists(code) and room.view(code) is None


def test_a_restart_loses_no_class_and_no_answer(store):
    url, restart = store
    room = Classroom(open_backend(url))
    code, token = room.start()
    q = room.ask(code, token, "q", 2)
    students = [new_student() for _ in range(5)]
    for k, s in enumerate(students):
        room.answer(code, s, q.round, k % 2)
    room.push(code, token, {"page": "reverse", "state": {"rev_seed": 7}})
    restart()
    again = Classroom(open_backend(url))  # a new server process
    assert again.leads(code, token) and again.tally(code) == [3, 2] and again.view(code) == (1, {"page": "reverse", "state": {"rev_seed": 7}, "films": {}})
    with pytest.raises(Refused, match="twice"):
        again.answer(code, students[0], q.round, 1)


def test_answers_at_once_are_each_counted_once(store):
    """50 students answer at the same moment (threads, sharing the process's store), each twice: 50 counted."""
    url, _ = store
    room = Classroom(open_backend(url))
    code, token = room.start()
    q = room.ask(code, token, "q", 4)
    students = [new_student() for _ in range(50)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(students))

    def answer(s: str, k: int) -> None:
        barrier.wait()
        for _ in range(2):
            try:
                room.answer(code, s, q.round, k % 4)
                outcomes.append("ok")
            except Refused as err:
                outcomes.append(err.reason)

    threads = [threading.Thread(target=answer, args=(s, k)) for k, s in enumerate(students)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 50 and outcomes.count("twice") == 50
    assert room.tally(code) == [13, 13, 12, 12]


def test_the_store_is_chosen_by_one_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("DIFFUSION_PLAYGROUND_CLASSES", f"sqlite:///{tmp_path / 'c.sqlite3'}")
    Classroom(open_backend()).start()
    assert (tmp_path / "c.sqlite3").exists()
    with pytest.raises(ValueError):
        open_backend("postgres://x")
