"""Part 6, prediction targets, in a real browser: every figure renders, and moving t redraws the outputs table."""

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, needs_chromium]


def test_prediction_targets(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("6. Prediction targets", timeout=240)
    page.wait_for_selector(".st-key-pt_toy_grid .js-plotly-plot", timeout=240_000)
    tab.check("prediction_targets", projector=True)
    assert page.locator("h1").first.inner_text().startswith("6. Prediction targets")
    outputs = page.locator(".st-key-pt_outputs")
    assert outputs.locator(".gtitle").text_content().startswith("t = 990")
    expect(outputs.get_by_text("trained on image I₀")).to_have_count(1)
    expect(page.locator(".st-key-pt_quality .js-plotly-plot")).to_have_count(1)
    expect(page.locator(".st-key-pt_oneshot .js-plotly-plot")).to_have_count(1)

    slider = page.locator(".st-key-pt_t input[type='range']")
    slider.focus()
    page.keyboard.press("Home")  # t = 1
    tab.wait()
    page.wait_for_function(
        "() => document.querySelector('.st-key-pt_outputs .gtitle').textContent.startsWith('t = 1:')", timeout=60_000)
    tab.check("prediction_targets_t1")
