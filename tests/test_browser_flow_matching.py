"""Part 8, flow matching, in a real browser: renders, the field plays through t in the browser, the photos
show, live training runs."""

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

    field = page.locator(".st-key-fm_field_chart")  # t steps in the browser: the figure's own frames
    assert "t = 0.50" in field.inner_text()
    field.locator(".updatemenu-button").first.click()  # ▶ Play: to t = 1, no script run
    page.wait_for_function(
        "() => document.querySelector('.st-key-fm_field_chart').innerText.includes('t = 1.00')", timeout=60_000)
    page.wait_for_function("() => new URL(location.href).searchParams.get('fm_t') === '1'")  # the link follows it
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
