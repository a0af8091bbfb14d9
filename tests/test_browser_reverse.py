"""Part 5, reverse denoising, in a real browser: both animations render, and Play moves through the steps."""

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, needs_chromium]


def test_reverse(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("5. Reverse denoising")
    page.wait_for_selector(".st-key-rev_toy_chart .js-plotly-plot", timeout=120_000)
    tab.check("reverse")
    assert page.locator("h1").first.inner_text().startswith("5. Reverse denoising")

    chart = page.locator(".st-key-rev_mnist_chart")
    assert chart.locator(".gtitle").text_content().startswith("Step 1 of 50")
    expect(chart.get_by_text("one-shot")).to_have_count(1)  # the column titles are drawn
    chart.locator(".updatemenu-button").first.click()  # ▶ Play: runs in the browser, no rerun
    page.wait_for_function(
        "() => document.querySelector('.st-key-rev_mnist_chart .gtitle').textContent.startsWith('Step 50 of 50')",
        timeout=60_000,
    )
    tab.check("reverse_played")

    toy = page.locator(".st-key-rev_toy_chart")
    assert toy.locator(".gtitle").text_content() == "t = 1000"
    toy.locator(".updatemenu-button").first.click()
    page.wait_for_function(
        "() => document.querySelector('.st-key-rev_toy_chart .gtitle').textContent.startsWith('t = 0')",
        timeout=60_000,
    )
    toy.scroll_into_view_if_needed()
    tab.check("reverse_toy_played")
