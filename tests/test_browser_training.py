"""Part 4, training, in a real browser: the page opens on a reference model; Train starts a live run (at the smallest
number of steps: a full run is AppTest's to wait for), which finishes; Train then Stop."""

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, needs_chromium]


def test_training(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("4. Training")
    page.wait_for_selector("text=trained earlier")  # a reference model until the student presses Train
    page.locator(".js-plotly-plot").nth(2).wait_for(timeout=90_000)  # loss curve, samples vs data, MNIST loss over t
    expect(page.locator(".js-plotly-plot")).to_have_count(3)
    tab.check("training")
    assert page.locator("h1").first.inner_text().startswith("4. Training")

    page.locator(".st-key-train_steps input[type='range']").focus()
    page.keyboard.press("Home")  # 500 steps
    tab.wait()
    page.locator(".st-key-train_start button").click()
    tab.expect_text("Training: step", "training_started")
    tab.check("training_live")

    tab.expect_text("Finished: 500 steps", "training_finished", timeout=240)  # then the page redraws once
    tab.wait()
    expect(page.locator(".js-plotly-plot")).to_have_count(3)  # loss curve, samples vs data, MNIST loss over t
    expect(page.get_by_text("Samples, step 500")).to_have_count(1)
    tab.check("training_done")

    page.locator(".st-key-train_steps input[type='range']").focus()
    page.keyboard.press("End")  # 10,000 steps: far longer than the test
    tab.wait()
    page.locator(".st-key-train_start button").click()
    tab.expect_text("Training: step", "training_restarted")
    page.locator(".st-key-train_stop button").click()
    tab.expect_text("Stopped at step", "training_stopped")  # the live view sees the run end and redraws the page
    tab.wait()
    assert page.locator(".st-key-train_stop button").is_disabled()
    tab.check("training_stopped")
