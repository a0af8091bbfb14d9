"""Part 3, schedules, in a real browser: renders, and stepping t in the film moves the dots along the
curves, in the browser."""

import re

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

from ui.components.film import steps

pytestmark = [pytest.mark.browser, needs_chromium]


def test_schedules(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("3. Schedules")
    page.wait_for_selector(".st-key-sc_film .js-plotly-plot")
    tab.check("schedules")
    assert page.locator("h1").first.inner_text().startswith("3. Schedules")
    expect(page.locator(".js-plotly-plot")).to_have_count(2)  # curves, film strip: the step budget waits for the prediction
    legend = [t.text_content() for t in page.locator(".st-key-sc_curves .legendtext").all()]
    assert legend == ["constant", "linear", "cosine"]

    images = page.locator(".st-key-sc_film_t")
    title = images.locator(".title")
    assert title.text_content().startswith("t = 250: āₜ = ")
    cursor = images.locator("svg circle").first.get_attribute("cy")
    images.locator("input[type='range']").fill(str(len(steps(1000)) - 1))  # t = T, in the browser
    expect(title).to_have_text(re.compile(r"^t = 1000: "))
    assert images.locator("svg circle").first.get_attribute("cy") != cursor  # the dots moved along the curves
    page.wait_for_function("() => new URL(location.href).searchParams.get('sc_t') === '1000'")
    tab.check("schedules_t_end")
