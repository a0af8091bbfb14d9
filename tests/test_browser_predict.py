"""Predict, then reveal, in a real browser: the student picks, commits, and sees the verdict and the why."""

import pytest
from browser_support import Page, needs_chromium

from ui.components.predict import questions

pytestmark = [pytest.mark.browser, needs_chromium]


def test_predict_then_reveal(server, browser):
    q = questions("en")["fm_one_step"]
    tab = Page(browser, server)
    page = tab.page
    tab.follow("8. Flow matching", timeout=240)
    box = page.locator(".st-key-pq_fm_one_step")
    box.scroll_into_view_if_needed()
    box.get_by_text(q.options[q.answer]).click()
    tab.wait()
    box.get_by_role("button", name="Commit and reveal").click()
    tab.wait()
    box.get_by_text(q.why[:30]).wait_for(timeout=30_000)
    box.scroll_into_view_if_needed()
    tab.check("predict_revealed")
