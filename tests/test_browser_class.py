"""Class mode in real browsers (issue 25): a lecturer and two students, three Chromium contexts (three sessions, as
three devices). The students follow the lecturer's page and settings, one steps away and comes back with one click,
both answer a question the lecturer opened, the projector counts them, and the verdict waits for the reveal."""

import re

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

from core.classroom import Classroom, open_backend
from ui.components.predict import questions

pytestmark = [pytest.mark.browser, needs_chromium]

FOLLOW_WITHIN = 15_000  # ms: a follower looks once a second; a loaded test machine gets some slack


def _seed(tab: Page, value: int) -> None:
    field = tab.page.locator(".st-key-sc_seed input")
    field.fill(str(value))
    field.press("Enter")
    tab.wait()


def test_a_lecturer_leads_two_students(server, browser):
    q = questions("en")["sc_budget"]
    lecturer = Page(browser, server)
    lecturer.follow("3. Schedules")
    lecturer.page.get_by_text("Class mode").first.click()
    lecturer.page.get_by_role("button", name="Start a class (lecturer)").click()
    lecturer.wait()
    code = re.search(r"[?&]class=(\w{6})", lecturer.page.url).group(1)
    assert "lead=" not in lecturer.page.url  # the lecturer's token is never in the address
    lecturer.page.set_viewport_size({"width": 1280, "height": 720})
    lecturer.check("class_lecturer_projector")

    a = Page(browser, f"{server}/?class={code}")  # the join link
    b = Page(browser, server)  # types the code, with a nickname kept private
    b.page.get_by_text("Class mode").first.click()
    b.page.locator(".st-key-class_join_code input").fill(code.lower())
    b.page.locator(".st-key-class_join_nick input").fill("Bob")
    b.page.get_by_role("button", name="Join", exact=True).click()
    b.wait()
    b.page.set_viewport_size({"width": 390, "height": 844})
    for s in (a, b):  # both go to the lecturer's page
        s.page.wait_for_function("location.pathname.endsWith('/schedules')", timeout=FOLLOW_WITHIN)
        s.wait()
    assert Classroom(open_backend()).members(code) == (2, [])  # Bob did not consent: no name shown

    _seed(lecturer, 42)  # the lecturer moves a setting: the class follows
    for s in (a, b):
        s.page.wait_for_function("location.search.includes('sc_seed=42')", timeout=FOLLOW_WITHIN)
        s.wait()
        assert s.page.locator(".st-key-sc_seed input").input_value() == "42"

    _seed(a, 7)  # a student explores: they stop following, and say so
    assert "exploring on your own" in a.page.locator(".st-key-class_status").inner_text()
    _seed(lecturer, 43)
    b.page.wait_for_function("location.search.includes('sc_seed=43')", timeout=FOLLOW_WITHIN)
    a.page.wait_for_timeout(2500)
    assert a.page.locator(".st-key-sc_seed input").input_value() == "7"  # still theirs
    a.page.locator(".st-key-class_back_top button").click()  # one click back
    a.page.wait_for_function("location.search.includes('sc_seed=43')", timeout=FOLLOW_WITHIN)
    a.wait()
    assert "follow the lecturer" in a.page.locator(".st-key-class_status").inner_text()

    film = lecturer.page.locator(".st-key-sc_film_t")  # the lecturer scrubs the film: the class's films follow
    film.scroll_into_view_if_needed()
    for _ in range(3):
        film.get_by_role("button", name="Next frame").click()
    shown = film.locator(".value").inner_text()  # three frames on from the default, t = 250
    assert shown != "t = 250"
    t = shown.removeprefix("t = ")
    for s in (a, b):
        s.page.wait_for_function(f"location.search.includes('sc_t={t}')", timeout=FOLLOW_WITHIN)
        s.wait()
        expect(s.page.locator(".st-key-sc_film_t .value")).to_have_text(shown)

    _seed(lecturer, 0)  # back to the default: the followers' settings go back too (it leaves their addresses)
    for s in (a, b):
        s.page.wait_for_function("!location.search.includes('sc_seed=')", timeout=FOLLOW_WITHIN)
        s.wait()
        assert s.page.locator(".st-key-sc_seed input").input_value() == "0"
    _seed(lecturer, 43)
    lecturer.follow("5. Reverse denoising", timeout=240)  # from a page whose settings are in the address, to another
    for s in (a, b):
        s.page.wait_for_function("location.pathname.endsWith('/reverse')", timeout=FOLLOW_WITHIN)
        s.wait(240)
    field = lecturer.page.locator(".st-key-rev_seed input")  # a control inside one of the page's fragments
    field.fill("1")
    field.press("Enter")
    lecturer.wait(240)
    for s in (a, b):
        s.page.wait_for_function("location.search.includes('rev_seed=1')", timeout=FOLLOW_WITHIN)
        s.wait(240)
        assert s.page.locator(".st-key-rev_seed input").input_value() == "1"
    lecturer.follow("3. Schedules")
    for s in (a, b):
        s.page.wait_for_function("location.pathname.endsWith('/schedules') && location.search.includes('sc_seed=43')",
                                 timeout=FOLLOW_WITHIN)
        s.wait()
        assert s.page.locator(".st-key-sc_seed input").input_value() == "43"

    box = lecturer.page.locator(".st-key-pq_sc_budget")  # the lecturer opens the question to the class
    box.scroll_into_view_if_needed()
    box.get_by_role("button", name="Ask the class").click()
    lecturer.wait()
    for s, pick in ((a, q.answer), (b, (q.answer + 1) % len(q.options))):
        sbox = s.page.locator(".st-key-pq_sc_budget")
        sbox.get_by_role("button", name="Send my answer").wait_for(timeout=FOLLOW_WITHIN)
        sbox.scroll_into_view_if_needed()
        assert q.why[:30] not in sbox.inner_text()  # no answer before the reveal
        sbox.locator("[class*='st-key-pq_sc_budget_class_']").get_by_text(q.options[pick], exact=True).click()
        send = sbox.get_by_role("button", name="Send my answer")
        expect(send).to_be_enabled()
        send.click()
        s.wait()
        assert "Waiting for the lecturer to reveal" in sbox.inner_text() and q.why[:30] not in sbox.inner_text()
    box.get_by_text("Answers: 2 of 2 students joined").wait_for(timeout=5000)  # the projector's live count
    lecturer.check("class_lecturer_answers", projector=True)
    box.get_by_role("button", name="Reveal to the class").click()
    lecturer.wait()
    for s, verdict in ((a, "Right"), (b, "Not this time")):
        sbox = s.page.locator(".st-key-pq_sc_budget")
        sbox.get_by_text(q.why[:30]).wait_for(timeout=FOLLOW_WITHIN)
        s.wait()
        assert verdict in sbox.inner_text()
    b.page.reload()  # a student's browser keeps its anonymous id: one answer per round still holds
    b.wait()
    b.errors.clear()  # a reload at a page's address: Streamlit's two probes of /schedules/_stcore/* (404), as any deep link
    b.page.locator(".st-key-pq_sc_budget").get_by_text("Not this time").wait_for(timeout=FOLLOW_WITHIN)  # their own answer
    assert Classroom(open_backend()).members(code)[0] == 2
    b.check("class_student_phone_revealed")
    a.check("class_student_revealed")
    lecturer.check("class_lecturer_revealed")

    lecturer.page.reload()  # an accident: the lecturer's browser keeps the lead, the projector leads again
    lecturer.wait()
    lecturer.page.locator(".st-key-class_end").wait_for(timeout=FOLLOW_WITHIN)
    assert lecturer.page.locator(".st-key-class_status").count() == 0  # not a follower of itself

    lecturer.page.get_by_role("button", name="End the class").click()
    lecturer.wait()
    a.page.wait_for_function("!location.search.includes('class=')", timeout=FOLLOW_WITHIN)
    assert not Classroom(open_backend()).exists(code)


def test_a_student_who_joins_on_a_phone_sees_the_page_not_the_sidebar(server, browser):
    """On a phone the sidebar covers the page: after the student typed the code there and joined, it folds (once)."""
    code, _ = Classroom(open_backend()).start()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(server + "/schedules")
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000)
        page.locator("[data-testid=stExpandSidebarButton]").click()
        page.get_by_text("Class mode").first.click()
        field = page.locator(".st-key-class_join_code input")
        field.fill(code)
        field.press("Enter")
        page.locator(".st-key-class_join button").first.click()
        expect(page.locator("[data-testid=stMain]").get_by_text(f"You are in class {code[:3]}-{code[3:]}")).to_be_visible(
            timeout=FOLLOW_WITHIN)
        expect(page.locator("[data-testid=stExpandSidebarButton]")).to_be_visible(timeout=FOLLOW_WITHIN)  # folded
    finally:
        context.close()
