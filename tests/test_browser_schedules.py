"""Part 3, schedules, in a real browser: renders, and the t slider moves the line on the curves."""

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, needs_chromium]


def test_schedules(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("3. Schedules")
    page.wait_for_selector(".st-key-sc_film .js-plotly-plot")
    tab.check("schedules")
    assert page.locator("h1").first.inner_text().startswith("3. Schedules")
    expect(page.locator(".js-plotly-plot")).to_have_count(3)
    legend = [t.text_content() for t in page.locator(".st-key-sc_curves .legendtext").all()]
    assert legend == ["constant", "linear", "cosine"]

    slider = page.locator(".st-key-sc_t input[type='range']")
    assert slider.input_value() == "250"
    slider.focus()
    page.keyboard.press("End")  # t = T
    tab.wait()
    assert slider.input_value() == "1000"
    expect(page.get_by_text("ā_{1000}")).to_have_count(0)  # rendered as math, not raw text
    tab.check("schedules_t_end")
