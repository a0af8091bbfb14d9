"""Where class mode keeps its state, shared by every server process: one setting picks the store.

* ``sqlite:///path/classes.sqlite3`` (the default, under :func:`core.paths.classes`): SQLite in WAL mode, one file on
  the machine's disk. Every process of one machine (``make run``, the replicas of ``make serve-class``) reads and
  writes it; a restart keeps every class and every answer.
* ``redis://host:port/db``: a Redis server, for replicas on several machines (``make serve-class`` starts Debian's
  ``redis-server`` with an append-only file, so a restart loses nothing either).

A backend offers a few atomic operations; the rules are :class:`core.classroom.Classroom`'s, written once.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from core import paths

ENV = "DIFFUSION_PLAYGROUND_CLASSES"
"""The store of class mode: ``sqlite:///PATH`` or ``redis://HOST:PORT/DB`` (default: SQLite under the cache)."""


class Backend(Protocol):
    """The atomic operations class mode needs. A class record holds ``token`` (sha256), ``active`` (time),
    ``version`` and ``view`` (JSON), ``round`` and ``question`` (JSON, or ``""``)."""

    def create(self, code: str, record: dict) -> bool: ...  # False if the code is taken
    def get(self, code: str) -> dict | None: ...
    def update(self, code: str, fields: dict) -> None: ...
    def push(self, code: str, view: str, now: float) -> int: ...  # version + 1, the view, active: at once
    def next_round(self, code: str, now: float) -> int: ...
    def answer(self, code: str, round_: int, student: str, choice: int) -> bool: ...  # False: answered already
    def tally(self, code: str, round_: int) -> dict[int, int]: ...
    def choice(self, code: str, round_: int, student: str) -> int | None: ...
    def join(self, code: str, student: str, nickname: str, shown: bool, now: float) -> None: ...
    def members(self, code: str) -> list[tuple[str, bool]]: ...
    def leave(self, code: str, student: str) -> None: ...
    def hit(self, bucket: str, now: float, window: float) -> int: ...  # count one; how many in this window
    def count(self, bucket: str, now: float, window: float) -> int: ...  # how many, without counting
    def delete(self, code: str) -> None: ...


def open_backend(url: str | None = None) -> Backend:
    """The store named by ``url`` (default: ``$DIFFUSION_PLAYGROUND_CLASSES``, else SQLite under the cache)."""
    url = url or os.environ.get(ENV) or f"sqlite:///{paths.classes()}"
    if url.startswith("sqlite:///"):
        return SQLite(Path(url[len("sqlite:///"):]))
    if url.startswith(("redis://", "rediss://", "unix://")):
        return Redis(url)
    raise ValueError(f"{ENV} must start with sqlite:/// or redis://, not {url[:20]!r}")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (code TEXT PRIMARY KEY, token TEXT NOT NULL, active REAL NOT NULL,
    version INTEGER NOT NULL DEFAULT 0, view TEXT NOT NULL DEFAULT '', round INTEGER NOT NULL DEFAULT 0,
    question TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS answers (code TEXT NOT NULL, round INTEGER NOT NULL, student TEXT NOT NULL,
    choice INTEGER NOT NULL, PRIMARY KEY (code, round, student));
CREATE TABLE IF NOT EXISTS members (code TEXT NOT NULL, student TEXT NOT NULL, nickname TEXT NOT NULL,
    shown INTEGER NOT NULL, seen REAL NOT NULL, PRIMARY KEY (code, student));
CREATE TABLE IF NOT EXISTS hits (bucket TEXT NOT NULL, window INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (bucket, window));
"""
_FIELDS = ("token", "active", "version", "view", "round", "question")


class SQLite:
    """Class mode in one SQLite file (WAL: readers never wait for the writer; a busy writer is waited for)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """The process's one connection, in autocommit mode, one statement at a time (a lock: Streamlit runs each
        script run in a new thread, and a connection per thread cost a connect per run). Other processes have theirs."""
        with self._lock:
            if self._conn is None or self._pid != os.getpid():
                self._conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: a crash of the server loses nothing committed
                self._pid = os.getpid()
            yield self._conn

    def _one(self, sql: str, args: tuple = ()) -> tuple | None:
        with self._db() as db:
            return db.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._db() as db:
            return db.execute(sql, args).fetchall()

    def _changed(self, sql: str, args: tuple = ()) -> int:
        with self._db() as db:
            return db.execute(sql, args).rowcount

    def create(self, code: str, record: dict) -> bool:
        return self._changed("INSERT OR IGNORE INTO classes (code, token, active) VALUES (?, ?, ?)",
                             (code, record["token"], record["active"])) == 1

    def get(self, code: str) -> dict | None:
        row = self._one(f"SELECT {', '.join(_FIELDS)} FROM classes WHERE code = ?", (code,))
        return dict(zip(_FIELDS, row)) if row else None

    def update(self, code: str, fields: dict) -> None:
        names = [k for k in fields if k in _FIELDS]
        self._changed(f"UPDATE classes SET {', '.join(f'{k} = ?' for k in names)} WHERE code = ?",
                      (*(fields[k] for k in names), code))

    def push(self, code: str, view: str, now: float) -> int:
        row = self._one("UPDATE classes SET version = version + 1, view = ?, active = ? WHERE code = ? RETURNING version",
                        (view, now, code))
        return int(row[0]) if row else 0

    def next_round(self, code: str, now: float) -> int:
        row = self._one("UPDATE classes SET round = round + 1, active = ? WHERE code = ? RETURNING round", (now, code))
        return int(row[0]) if row else 0

    def answer(self, code: str, round_: int, student: str, choice: int) -> bool:
        return self._changed("INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?)", (code, round_, student, choice)) == 1

    def choice(self, code: str, round_: int, student: str) -> int | None:
        row = self._one("SELECT choice FROM answers WHERE code = ? AND round = ? AND student = ?", (code, round_, student))
        return int(row[0]) if row else None

    def tally(self, code: str, round_: int) -> dict[int, int]:
        rows = self._all("SELECT choice, COUNT(*) FROM answers WHERE code = ? AND round = ? GROUP BY choice", (code, round_))
        return {int(c): int(n) for c, n in rows}

    def join(self, code: str, student: str, nickname: str, shown: bool, now: float) -> None:
        self._changed("INSERT OR REPLACE INTO members VALUES (?, ?, ?, ?, ?)", (code, student, nickname, int(shown), now))

    def members(self, code: str) -> list[tuple[str, bool]]:
        return [(n, bool(s)) for n, s in self._all("SELECT nickname, shown FROM members WHERE code = ?", (code,))]

    def leave(self, code: str, student: str) -> None:
        self._changed("DELETE FROM members WHERE code = ? AND student = ?", (code, student))

    def hit(self, bucket: str, now: float, window: float) -> int:
        w = int(now // window)
        with self._db() as db:
            row = db.execute("INSERT INTO hits VALUES (?, ?, 1) ON CONFLICT (bucket, window) DO UPDATE SET n = n + 1 "
                             "RETURNING n", (bucket, w)).fetchone()
            if row[0] == 1:  # a new window: forget the old ones of this bucket
                db.execute("DELETE FROM hits WHERE bucket = ? AND window < ?", (bucket, w))
        return int(row[0])

    def count(self, bucket: str, now: float, window: float) -> int:
        row = self._one("SELECT n FROM hits WHERE bucket = ? AND window = ?", (bucket, int(now // window)))
        return int(row[0]) if row else 0

    def delete(self, code: str) -> None:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                for table in ("answers", "members", "classes"):
                    db.execute(f"DELETE FROM {table} WHERE code = ?", (code,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise


class Redis:
    """Class mode in Redis: a hash per class (``dp:class:CODE``), a hash per round of answers (student -> choice,
    written with ``HSETNX``: one per student), a hash of members, counters with an expiry for the rate limits."""

    PREFIX = "dp:"

    def __init__(self, url: str) -> None:
        import redis  # only where a lecturer chose Redis

        self.r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5.0, socket_connect_timeout=5.0)

    def _k(self, *parts) -> str:
        return self.PREFIX + ":".join(str(p) for p in parts)

    def create(self, code: str, record: dict) -> bool:
        if not self.r.set(self._k("taken", code), 1, nx=True, ex=30 * 86400):  # a code is never given twice in a month
            return False
        self.r.hset(self._k("class", code), mapping={"token": record["token"], "active": record["active"], "version": 0,
                                                     "view": "", "round": 0, "question": ""})  # whole, at once
        return True

    def get(self, code: str) -> dict | None:
        record = self.r.hgetall(self._k("class", code))
        if "token" not in record:
            return None
        return {**record, "active": float(record.get("active") or 0), "version": int(record.get("version") or 0),
                "round": int(record.get("round") or 0)}

    def update(self, code: str, fields: dict) -> None:
        key = self._k("class", code)
        if self.r.exists(key):
            self.r.hset(key, mapping={k: v for k, v in fields.items() if k in _FIELDS})

    def push(self, code: str, view: str, now: float) -> int:
        key = self._k("class", code)
        with self.r.pipeline() as p:  # MULTI/EXEC: the view, the time and the version at once
            p.hset(key, mapping={"view": view, "active": now})
            p.hincrby(key, "version", 1)
            return int(p.execute()[1])

    def next_round(self, code: str, now: float) -> int:
        key = self._k("class", code)
        with self.r.pipeline() as p:
            p.hset(key, "active", now)
            p.hincrby(key, "round", 1)
            return int(p.execute()[1])

    def answer(self, code: str, round_: int, student: str, choice: int) -> bool:
        return bool(self.r.hsetnx(self._k("answers", code, round_), student, int(choice)))

    def choice(self, code: str, round_: int, student: str) -> int | None:
        value = self.r.hget(self._k("answers", code, round_), student)
        return int(value) if value is not None else None

    def tally(self, code: str, round_: int) -> dict[int, int]:
        counts: dict[int, int] = {}
        for v in self.r.hvals(self._k("answers", code, round_)):
            counts[int(v)] = counts.get(int(v), 0) + 1
        return counts

    def join(self, code: str, student: str, nickname: str, shown: bool, now: float) -> None:
        self.r.hset(self._k("members", code), student, json.dumps([nickname, bool(shown), now]))

    def members(self, code: str) -> list[tuple[str, bool]]:
        return [(v[0], bool(v[1])) for v in map(json.loads, self.r.hvals(self._k("members", code)))]

    def leave(self, code: str, student: str) -> None:
        self.r.hdel(self._k("members", code), student)

    def hit(self, bucket: str, now: float, window: float) -> int:
        key = self._k("hits", bucket, int(now // window))
        with self.r.pipeline() as p:
            p.incr(key)
            p.expire(key, int(window) + 1)
            return int(p.execute()[0])

    def count(self, bucket: str, now: float, window: float) -> int:
        return int(self.r.get(self._k("hits", bucket, int(now // window))) or 0)

    def delete(self, code: str) -> None:
        rounds = int(self.r.hget(self._k("class", code), "round") or 0)
        self.r.delete(self._k("class", code), self._k("members", code),
                      *(self._k("answers", code, k) for k in range(1, rounds + 1)))
