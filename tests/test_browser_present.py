"""Presenter mode in a real browser: large type and figures at 1280x720, and the keyboard stepping the
animation most in view (→ / ← a film, a Plotly animation's slider or a page's step slider, space to play)."""

import re

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, needs_chromium]


def test_presenter_mode_and_the_keyboard(server, browser):
    tab = Page(browser, server)
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_text("Presenter mode").click()
    page.wait_for_function("() => window.location.search.includes('present=1')", timeout=30_000)
    tab.wait()
    tab.follow("5. Reverse denoising", timeout=240)
    film = page.locator(".st-key-rev_mnist_film")
    film.locator(".title").wait_for(timeout=120_000)
    assert "present=1" in page.url
    body = page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer'] p").first
    assert float(body.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20  # 16 px without the mode
    title = film.locator(".title")
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 24  # the film's type, scaled
    # the picture fits the projector's screen with its title and controls, and a digit is large enough to read
    page.locator("[data-testid='stSidebarCollapseButton'] button").click()  # as a lecturer does once the mode is on
    page.wait_for_timeout(800)
    box = film.locator("img").bounding_box()
    assert box["height"] <= 720 - 100 and box["x"] + box["width"] <= 1280
    assert box["width"] / 5 >= 100  # five columns: each digit at least 100 px wide
    # the secondary controls are folded away: the page has a GIF, a PNG and a code section, none on screen
    assert page.locator("[data-testid='stDownloadButton']").count() >= 2
    assert page.locator("[data-testid='stDownloadButton']:visible").count() == 0
    assert page.locator("[data-testid='stExpander']:has([data-testid='stCode']):visible").count() == 0

    film.scroll_into_view_if_needed()
    page.mouse.click(5, 400)  # focus the page, not a widget
    assert title.text_content().startswith("Step 1 of 50")
    page.keyboard.press("ArrowRight")
    expect(title).to_have_text(re.compile("^Step 2 of 50"), timeout=10_000)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(500)
    assert title.text_content().startswith("Step 2 of 50")
    page.keyboard.press(" ")  # play to the end
    expect(title).to_have_text(re.compile("^Step 50 of 50"), timeout=60_000)
    tab.check("present_reverse")


def test_the_arrow_keys_step_the_film_most_in_view(server, browser):
    tab = Page(browser, server + "/schedules?present=1&sc_t=100")
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 720})
    tab.wait(240)
    page.locator(".st-key-sc_film_t .title").wait_for(timeout=60_000)
    assert page.locator("[data-testid='stSidebar'][data-collapsed='true']").count() == 1  # a link opens it collapsed
    page.locator(".st-key-sc_film_t").scroll_into_view_if_needed()
    page.mouse.click(5, 400)
    page.keyboard.press("ArrowRight")  # the film most in view: the next step it holds
    page.wait_for_function("() => window.location.search.includes('sc_t=110')", timeout=30_000)
    tab.wait()
    tab.errors = [e for e in tab.errors if "404" not in e]  # a deep link makes Streamlit probe /schedules/_stcore/*
    tab.check("present_schedules", projector=True)


def test_a_presenter_link_keeps_a_way_to_the_sidebar_and_every_page_leads_to_the_next(server, browser):
    tab = Page(browser, server + "/schedules?present=1")
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 720})
    tab.wait(240)
    assert page.locator("[data-testid='stSidebar'][data-collapsed='true']").count() == 1  # a link opens it collapsed
    page.locator("[data-testid='stExpandSidebarButton']").click()  # the way back to the switches
    expect(page.get_by_text("Presenter mode")).to_be_visible()
    nxt = page.get_by_role("link", name="4. Training →")
    nxt.scroll_into_view_if_needed()
    expect(page.get_by_role("link", name="← 2. Forward noising")).to_have_count(1)
    nxt.click()
    tab.wait(240)
    assert page.locator("h1").first.inner_text().startswith("4. Training") and "present=1" in page.url
    tab.errors = [e for e in tab.errors if "404" not in e]  # a deep link makes Streamlit probe /schedules/_stcore/*
