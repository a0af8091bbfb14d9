"""Part 2, forward noising, in a real browser: renders, t steps in the browser (the film), a click on the
image picks a pixel."""

import re

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, needs_chromium]


def test_forward_noising(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("2. Forward noising")
    page.wait_for_selector(".st-key-fn_cloud .js-plotly-plot")
    tab.check("forward_noising")
    assert page.locator("h1").first.inner_text().startswith("2. Forward noising")
    expect(page.locator(".js-plotly-plot")).to_have_count(3)  # strip, pixel picker, cloud (the histograms are the film's)
    # the cloud has its own Play button and slider (the animation runs in the browser)
    expect(page.locator(".st-key-fn_cloud .updatemenu-button")).to_have_count(3)  # Play, Slow, Pause
    cloud = page.locator(".st-key-fn_cloud")
    cloud.locator(".updatemenu-button").first.click()  # ▶ Play: the title follows the frames (it used to stay at t = 0)
    page.wait_for_function(
        "() => document.querySelector('.st-key-fn_cloud .gtitle').textContent.startsWith('t = 1000')", timeout=60_000)

    # step t in the film: the pictures, the title and the histograms change in the browser, with no script run
    film = page.locator(".st-key-fn_film")
    title, picture = film.locator(".title"), film.locator("img")
    assert title.text_content().startswith("t = 250:")
    before = (picture.get_attribute("src"), film.locator("svg").inner_html())
    runs = page.evaluate("() => performance.getEntriesByType('resource').length")
    film.locator("input[type='range']").fill("0")
    expect(title).to_have_text(re.compile(r"^t = 0: āₜ = 1\.0000"))
    assert picture.get_attribute("src") != before[0] and film.locator("svg").inner_html() != before[1]
    film.locator(".film").focus()
    page.keyboard.press("ArrowRight")
    expect(title).to_have_text(re.compile(r"^t = 1:"))
    assert page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").count() == 1
    page.wait_for_function("() => new URL(location.href).searchParams.get('fn_t') === '1'")  # the link says t = 1
    assert page.evaluate("() => performance.getEntriesByType('resource').length") == runs  # nothing was fetched
    tab.check("forward_noising_t")

    # click a pixel of the picker image: pixel A moves there
    picker = page.locator(".st-key-fn_picker .js-plotly-plot .nsewdrag").first
    picker.scroll_into_view_if_needed()
    box = picker.bounding_box()
    assert page.locator(".st-key-fn_a_row input").input_value() == "14"
    x, y = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.3  # about row 8, column 14
    page.mouse.move(x, y)  # Plotly picks the point under the pointer on hover, as a real mouse does
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    tab.wait()
    assert page.locator(".st-key-fn_a_row input").input_value() == "8"
    assert page.locator(".st-key-fn_a_col input").input_value() == "14"
    assert page.locator(".st-key-fn_click input[type='radio']").nth(1).is_checked()  # the next click moves B
    tab.check("forward_noising_click")
