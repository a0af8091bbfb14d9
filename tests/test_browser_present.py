"""Presenter mode in a real browser: large type and figures at 1280x720, and the keyboard stepping the
animation most in view (→ / ← a Plotly animation's slider or a page's step slider, space to play)."""

import pytest
from browser_support import Page, needs_chromium

from ui import theme

pytestmark = [pytest.mark.browser, needs_chromium]


def _title(page, key: str) -> str:
    return page.locator(f".st-key-{key} .gtitle").text_content()


def test_presenter_mode_and_the_keyboard(server, browser):
    tab = Page(browser, server)
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_text("Presenter mode").click()
    page.wait_for_function("() => window.location.search.includes('present=1')", timeout=30_000)
    tab.wait()
    tab.follow("5. Reverse denoising", timeout=240)
    chart = page.locator(".st-key-rev_mnist_chart")
    chart.locator(".gtitle").wait_for(timeout=120_000)
    assert "present=1" in page.url
    body = page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer'] p").first
    assert float(body.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20  # 16 px without the mode
    title = float(chart.locator(".gtitle").evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert title >= 1.25 * theme.size("title")  # the figure's type, scaled
    assert chart.evaluate("e => e.querySelector('.main-svg').getBoundingClientRect().right <= e.parentElement.getBoundingClientRect().right + 1")
    # its title whole on screen (Streamlit's theme anchors a title left: centred titles say xanchor="center")
    assert chart.evaluate("e => { const t = e.querySelector('.gtitle').getBoundingClientRect(), "
                          "f = e.querySelector('.main-svg').getBoundingClientRect(); return t.left >= f.left && t.right <= f.right; }")
    # one main figure per screen: the page's tallest figure (700 px) fits the projector's 720 with its title bar
    assert chart.evaluate("e => e.querySelector('.main-svg').getBoundingClientRect().height") <= theme.PRESENTER["figure_height"]
    # the secondary controls are folded away: the page has a GIF, a PNG and a code section, none on screen
    assert page.locator("[data-testid='stDownloadButton']").count() >= 2
    assert page.locator("[data-testid='stDownloadButton']:visible").count() == 0
    assert page.locator("[data-testid='stExpander']:has([data-testid='stCode']):visible").count() == 0

    chart.scroll_into_view_if_needed()
    page.mouse.click(5, 400)  # focus the page, not a widget
    assert _title(page, "rev_mnist_chart").startswith("Step 1 of 50")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.st-key-rev_mnist_chart .gtitle').textContent.startsWith('Step 2 of 50')",
                           timeout=10_000)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(500)
    assert _title(page, "rev_mnist_chart").startswith("Step 2 of 50")
    page.keyboard.press(" ")  # play to the end
    page.wait_for_function("() => document.querySelector('.st-key-rev_mnist_chart .gtitle').textContent.startsWith('Step 50 of 50')",
                           timeout=60_000)
    tab.check("present_reverse")


def test_the_arrow_keys_step_a_page_slider(server, browser):
    tab = Page(browser, server + "/schedules?present=1&sc_t=100")
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 720})
    tab.wait(240)
    page.locator(".st-key-sc_t").wait_for(timeout=60_000)
    assert page.locator("[data-testid='stSidebar'][data-collapsed='true']").count() == 1  # a link opens it collapsed
    page.mouse.click(5, 400)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('sc_t=101')", timeout=30_000)
    tab.wait()
    tab.errors = [e for e in tab.errors if "404" not in e]  # a deep link makes Streamlit probe /schedules/_stcore/*
    tab.check("present_schedules", projector=True)
