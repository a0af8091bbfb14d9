"""Class mode in the app's script (AppTest): the lecturer's controls exist only in the lecturer's session, a join link
with a hostile or unknown code gets a notice and the page runs on, and a student's session never holds the token."""

from __future__ import annotations

from page_support import APP
from streamlit.testing.v1 import AppTest

from core.classroom import Classroom, open_backend
from ui import classmode


def app_test(page: str, query: dict | None = None) -> AppTest:
    """A fresh session that opens ``views/PAGE`` from a link (with ``query`` in its address)."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update(query or {})
    at.switch_page(f"views/{page}").run()
    return at


def _start(at):
    at.button(key="class_start").click().run()
    return at.session_state[classmode.CODE], at.session_state[classmode.TOKEN]


def test_a_lecturer_starts_a_class_and_a_student_joins_by_the_link():
    lecturer = app_test("schedules.py")
    code, token = _start(lecturer)
    assert not lecturer.exception and lecturer.query_params["class"] == code
    assert Classroom(open_backend()).leads(code, token)
    assert any(b.key == "pq_sc_budget_ask" for b in lecturer.button)  # the lecturer can ask the class

    student = app_test("schedules.py", query={"class": code.lower()})
    assert not student.exception and student.session_state[classmode.CODE] == code
    assert classmode.TOKEN not in student.session_state  # the student holds no token
    keys = {b.key for b in student.button}
    assert not keys & {"pq_sc_budget_ask", "pq_sc_budget_reveal", "class_end"}  # nor any of the lecturer's controls
    assert "class_leave" in keys


def test_a_hostile_or_unknown_code_is_refused_with_a_notice():
    for bad in ("<script>alert(1)</script>", "ZZZZZZ", "x" * 5000):
        at = app_test("schedules.py", query={"class": bad})
        assert not at.exception
        assert classmode.CODE not in at.session_state or not at.session_state[classmode.CODE]
        assert "class" not in at.query_params
        assert any("No class has this code" in t.proto.body or "Too many attempts" in t.proto.body for t in at.toast)


def test_the_secret_link_gives_the_lead_back_and_leaves_the_address():
    first = app_test("schedules.py")
    code, token = _start(first)
    again = app_test("schedules.py", query={"class": code, "lead": token})  # after a reload, or another device
    assert not again.exception and again.session_state[classmode.TOKEN] == token
    assert "lead" not in again.query_params
    forged = app_test("schedules.py", query={"class": code, "lead": "x" * 43})
    assert classmode.TOKEN not in forged.session_state and "lead" not in forged.query_params


def test_asking_a_second_question_says_it_closes_the_first():
    """One question at a time: with another question open, the lecturer's 'Ask the class' says it closes that one (it
    used to close it silently)."""
    lecturer = app_test("schedules.py")
    code, token = _start(lecturer)
    Classroom(open_backend()).ask(code, token, "fn_corr", 3)  # a question of another page is open
    lecturer.run()
    assert "Another question is open to the class" in " ".join(c.value for c in lecturer.caption)
    lecturer.button(key="pq_sc_budget_ask").click().run()
    assert Classroom(open_backend()).question(code).key == "sc_budget"
    assert "Another question is open" not in " ".join(c.value for c in lecturer.caption)
