"""Part 8, flow matching, in a real browser: renders, the t slider moves the field, the photos show, live training runs."""

import pytest
from browser_support import Page, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def test_flow_matching(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("8. Flow matching", timeout=180)
    page.wait_for_selector(".st-key-fm_paths_chart .js-plotly-plot")
    tab.check("flow_matching")
    assert page.locator("h1").first.inner_text().startswith("8. Flow matching")
    assert "crossings" in page.locator(".st-key-fm_pairs_chart").inner_text()

    slider = page.locator(".st-key-fm_t input[type='range']")  # Streamlit 1.67: a react-aria range input
    assert slider.input_value() == "0.5"
    slider.focus()
    page.keyboard.press("End")  # t = 1
    tab.wait()
    assert slider.input_value() == "1"
    assert "t = 1.00" in page.locator(".st-key-fm_field_chart").inner_text()
    tab.check("flow_matching_t_end")

    page.get_by_text("And on photos?").scroll_into_view_if_needed()  # CIFAR-10 samples, at the bottom
    page.get_by_text("cifar10-flow-ot").wait_for()
    tab.wait()
    tab.check("flow_matching_photos")

    page.locator(".st-key-fm_steps input[type='range']").focus()
    page.keyboard.press("Home")  # 100 steps each: the smallest run (AppTest trains longer ones)
    tab.wait()
    page.locator(".st-key-fm_train button").click()
    tab.expect_text("your models", "flow_matching_train", timeout=180)
    tab.wait()
    page.wait_for_selector(".st-key-fm_loss_chart .js-plotly-plot")
    tab.check("flow_matching_trained")
