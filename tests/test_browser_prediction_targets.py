"""Part 6, prediction targets, in a real browser: every figure renders, and stepping t swaps the outputs table in the
browser, writes t into the link, and the link opens there again."""

import re

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

from ui.components.predict import questions

pytestmark = [pytest.mark.browser, needs_chromium]


def test_prediction_targets(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("6. Prediction targets", timeout=240)
    box = page.locator(".st-key-pq_pt_dim")  # a prediction first: the grid answers it
    box.wait_for(timeout=240_000)
    box.scroll_into_view_if_needed()
    box.get_by_text(questions("en")["pt_dim"].options[0], exact=True).click()
    tab.wait()
    box.get_by_role("button", name="Commit and reveal").click()
    page.wait_for_selector(".st-key-pt_toy_grid .js-plotly-plot", timeout=240_000)
    tab.check("prediction_targets", projector=True)
    assert page.locator("h1").first.inner_text().startswith("6. Prediction targets")
    outputs = page.locator(".st-key-pt_outputs")
    title = outputs.locator(".title")
    assert title.text_content().startswith("t = 990")
    expect(outputs.get_by_text("trained on image I")).to_have_count(1)
    expect(page.locator(".st-key-pt_quality .js-plotly-plot")).to_have_count(1)
    expect(page.locator(".st-key-pt_oneshot .js-plotly-plot")).to_have_count(1)

    picture = outputs.locator("img").get_attribute("src")
    outputs.locator("input[type='range']").fill("0")  # t = 1: the browser swaps the picture, the server is not asked
    expect(title).to_have_text(re.compile(r"^t = 1:"))
    assert outputs.locator("img").get_attribute("src") != picture
    page.wait_for_function("() => new URL(location.href).searchParams.get('pt_t') === '1'")  # the link says so
    tab.check("prediction_targets_t1")
    page.goto(page.url)  # the link opens the film at t = 1
    expect(page.locator(".st-key-pt_outputs .title")).to_have_text(re.compile(r"^t = 1:"), timeout=240_000)
