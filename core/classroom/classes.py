"""The rules of class mode: who may do what, what is valid, and the limits that keep a class safe from abuse.

Every action of the lecturer carries the lecturer's token and is refused without the right one (a student who forges
the request has no token; a token of another class or of an ended class opens nothing). A student's answer is checked
against the round open now (an old request replayed is refused), the choices of the question, and one answer per
student per round (a second is refused, never counted twice). Answers, joins and wrong codes are rate-limited.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.classroom.backends import Backend

EXPIRY = 4 * 3600.0
"""Seconds without activity (a lecturer's action, a join, an answer) after which a class ends by itself."""

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""The letters of a class code: 32, without I, O, 0, 1 (each reads as another on a projector)."""
CODE_LENGTH = 6
"""32**6, about 1.07e9 codes: with :data:`MISSES` wrong guesses per client per window, enumerating them is hopeless."""
MISSES = (20, 600.0)
"""At most 20 joins with a wrong code per client in 10 minutes; beyond, every join of that client waits."""
ANSWERS = (30, 60.0)
"""At most 30 answer attempts per student per minute (one counts per round; the rest is a flood)."""
JOINS = (30, 60.0)
"""At most 30 joins per student per minute."""
NICKNAME = re.compile(r"^[\w .'-]{1,24}$")
"""An optional nickname: up to 24 letters, digits, spaces and ``. ' -`` (no markup, nothing to escape)."""
STUDENT = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
"""A student's anonymous id, as :func:`new_student` makes it."""
KEY = re.compile(r"^[A-Za-z_][\w.-]{0,63}$")
"""A question key, a page name, a setting's name."""
MAX_VIEW_BYTES = 16_000
"""A view is a page and its shareable settings: a few hundred bytes. Anything larger is refused."""
MAX_CHOICES = 12


class Refused(Exception):
    """An action the class does not accept. ``reason`` is one of: ``no-class`` (unknown or expired code),
    ``not-lecturer`` (wrong token), ``rate`` (too many attempts), ``closed`` (no question open, or not this round),
    ``choice`` (not one of the question's choices), ``twice`` (this student answered this round already),
    ``invalid`` (a malformed nickname, id, key or view)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Question:
    """The question open to the class: its key, how many choices, the round and whether it is revealed."""

    key: str
    choices: int
    round: int
    revealed: bool = False


def new_student() -> str:
    """A student's anonymous id (kept in the student's session; nothing else identifies an answer)."""
    return secrets.token_urlsafe(16)


def normalise_code(text: str) -> str:
    """What a student typed, as a code: capitals, without spaces or dashes (``k7p 3qx`` -> ``K7P3QX``); ``""`` when it
    cannot be one."""
    code = re.sub(r"[\s-]", "", str(text or "")).upper()
    return code if len(code) == CODE_LENGTH and all(c in ALPHABET for c in code) else ""


def format_code(code: str) -> str:
    """The code as the projector shows it: ``K7P-3QX``."""
    return f"{code[:3]}-{code[3:]}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_view(view: dict) -> str:
    """``view`` (``{"page": name, "state": {setting: value}, "films": {parameter: frame}}``) as compact JSON, or
    :class:`Refused` ``invalid``: a page name, at most 64 settings and 64 films' frames, plain values (numbers, short
    strings, booleans, short lists of them)."""
    def plain(v) -> bool:
        if isinstance(v, int):  # booleans too
            return True
        if isinstance(v, float):
            return math.isfinite(v)
        if isinstance(v, str):
            return len(v) <= 200
        return False

    def settings(d) -> bool:
        return isinstance(d, dict) and len(d) <= 64 and all(
            isinstance(k, str) and KEY.match(k) and (plain(v) or (isinstance(v, list | tuple) and len(v) <= 32
                                                              and all(plain(x) for x in v)))
            for k, v in d.items())

    page, state, films = view.get("page"), view.get("state", {}), view.get("films", {})
    ok = isinstance(page, str) and (page == "" or KEY.match(page)) and settings(state) and settings(films)
    text = json.dumps({"page": page, "state": state, "films": films}, sort_keys=True, separators=(",", ":")) if ok else ""
    if not ok or len(text) > MAX_VIEW_BYTES:
        raise Refused("invalid")
    return text


class Classroom:
    """Class mode's rules over a store (:class:`core.classroom.backends.Backend`). Thread- and process-safe: every
    change is one atomic operation of the store."""

    def __init__(self, backend: Backend, clock: Callable[[], float] = time.time, expiry: float = EXPIRY) -> None:
        self.backend, self.clock, self.expiry = backend, clock, expiry

    # -- the lecturer -------------------------------------------------------------------------------------------
    def start(self) -> tuple[str, str]:
        """A new class: its code and the lecturer's token (returned once; the store keeps its sha256 only)."""
        token = secrets.token_urlsafe(32)
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            if self.backend.create(code, {"token": _digest(token), "active": self.clock()}):
                return code, token

    def leads(self, code: str, token: str | None) -> bool:
        """Whether ``token`` is the lecturer's token of the live class ``code``."""
        record = self._live(code)
        return bool(record and token and hmac.compare_digest(record["token"], _digest(str(token))))

    def push(self, code: str, token: str, view: dict) -> int:
        """The lecturer shows ``view``; returns its version (the followers go where it says)."""
        self._lecturer(code, token)
        return self.backend.push(code, _clean_view(view), self.clock())

    def ask(self, code: str, token: str, key: str, choices: int) -> Question:
        """Open question ``key`` (``choices`` options) to the class: a new round, no answers yet."""
        self._lecturer(code, token)
        if not (isinstance(key, str) and KEY.match(key) and isinstance(choices, int) and 2 <= choices <= MAX_CHOICES):
            raise Refused("invalid")
        round_ = self.backend.next_round(code, self.clock())
        self.backend.update(code, {"question": json.dumps({"key": key, "choices": choices, "round": round_,
                                                           "revealed": False})})
        return Question(key, choices, round_)

    def reveal(self, code: str, token: str) -> Question:
        """Show the class the answer of the open question (answers are no longer taken)."""
        self._lecturer(code, token)
        q = self.question(code)
        if q is None:
            raise Refused("closed")
        self.backend.update(code, {"question": json.dumps({"key": q.key, "choices": q.choices, "round": q.round,
                                                           "revealed": True}), "active": self.clock()})
        return Question(q.key, q.choices, q.round, True)

    def close(self, code: str, token: str) -> None:
        """Take the question off the class (the next one can be opened)."""
        self._lecturer(code, token)
        self.backend.update(code, {"question": "", "active": self.clock()})

    def end(self, code: str, token: str) -> None:
        """End the class: its code opens nothing any more, its answers are deleted."""
        self._lecturer(code, token)
        self.backend.delete(code)

    # -- everyone -----------------------------------------------------------------------------------------------
    def exists(self, code: str) -> bool:
        return self._live(code) is not None

    def view(self, code: str) -> tuple[int, dict] | None:
        """The lecturer's view and its version (0 and ``{}`` before the first push); ``None`` if the class is gone."""
        record = self._live(code)
        if record is None:
            return None
        return int(record.get("version") or 0), (json.loads(record["view"]) if record.get("view") else {})

    def look(self, code: str) -> tuple[int, dict, Question | None] | None:
        """What a follower looks at, in one read: the view's version, the view, the open question; ``None`` if the
        class is gone."""
        record = self._live(code)
        if record is None:
            return None
        view = json.loads(record["view"]) if record.get("view") else {}
        question = Question(**json.loads(record["question"])) if record.get("question") else None
        return int(record.get("version") or 0), view, question

    def question(self, code: str) -> Question | None:
        """The question open to the class now, if any."""
        record = self._live(code)
        if not record or not record.get("question"):
            return None
        return Question(**json.loads(record["question"]))

    def tally(self, code: str) -> list[int]:
        """How many students gave each choice in the current round (the lecturer's chart): counts, never who."""
        q = self.question(code)
        if q is None:
            return []
        counts = [0] * q.choices
        for choice, n in self.backend.tally(code, q.round).items():
            if 0 <= choice < q.choices:
                counts[choice] = n
        return counts

    def answer_of(self, code: str, student: str, round_: int) -> int | None:
        """The choice ``student`` gave in round ``round_`` (to show a student their own answer again after a reload)."""
        if not STUDENT.match(str(student)) or not self.exists(code):
            return None
        return self.backend.choice(code, round_, student)

    def members(self, code: str) -> tuple[int, list[str]]:
        """How many students joined, and the nicknames of those who agreed to show theirs."""
        rows = self.backend.members(code)
        return len(rows), sorted(n for n, shown in rows if shown and n)

    # -- the students -------------------------------------------------------------------------------------------
    def forget(self, code: str, student: str) -> None:
        """``student`` is no longer counted among the class's members (a session that turned out to be the
        lecturer's, or a student's browser that found its earlier id again)."""
        if STUDENT.match(str(student)) and self.exists(code):
            self.backend.leave(code, student)

    def join(self, code: str, student: str, client: str, nickname: str = "", show: bool = False) -> str:
        """``student`` joins class ``code`` (as typed: it is normalised); returns the code. ``client`` (the student's
        address) counts the wrong codes: past :data:`MISSES`, every join of that client is refused for a while."""
        if not STUDENT.match(str(student)) or (nickname and not NICKNAME.match(str(nickname))):
            raise Refused("invalid")
        now = self.clock()
        misses = f"miss:{hashlib.sha256(str(client).encode()).hexdigest()[:32]}"
        if self.backend.count(misses, now, MISSES[1]) >= MISSES[0] or self.backend.hit(f"join:{student}", now, JOINS[1]) > JOINS[0]:
            raise Refused("rate")
        clean = normalise_code(code)
        if not clean or not self.exists(clean):
            self.backend.hit(misses, now, MISSES[1])
            raise Refused("no-class")
        self.backend.join(clean, student, nickname.strip(), bool(show and nickname), now)
        return clean

    def answer(self, code: str, student: str, round_: int, choice: int) -> None:
        """``student`` answers ``choice`` in round ``round_`` of the open question. Refused: a class gone, a question
        closed or revealed or of another round (an old request replayed), a choice it does not have, a second answer,
        a flood."""
        if not STUDENT.match(str(student)):
            raise Refused("invalid")
        now = self.clock()
        if self.backend.hit(f"answer:{student}", now, ANSWERS[1]) > ANSWERS[0]:
            raise Refused("rate")
        q = self.question(code)
        if q is None or q.revealed or q.round != round_:
            raise Refused("no-class" if not self.exists(code) else "closed")
        if isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice < q.choices:
            raise Refused("choice")
        if not self.backend.answer(code, q.round, student, choice):
            raise Refused("twice")
        self.backend.update(code, {"active": now})

    # -- inside -------------------------------------------------------------------------------------------------
    def _live(self, code: str) -> dict | None:
        if not (isinstance(code, str) and len(code) == CODE_LENGTH):
            return None
        record = self.backend.get(code)
        if record is None:
            return None
        if float(record.get("active") or 0) + self.expiry < self.clock():
            self.backend.delete(code)
            return None
        return record

    def _lecturer(self, code: str, token: str) -> None:
        if not self.exists(code):
            raise Refused("no-class")
        if not self.leads(code, token):
            raise Refused("not-lecturer")
