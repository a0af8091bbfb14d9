"""Part 5, reverse denoising, in a real browser: the step-through film and the toy animation render, and Play
moves through the steps in the browser."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, needs_chromium]


def new_url(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_reverse(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("5. Reverse denoising")
    page.wait_for_selector(".st-key-rev_toy_chart .js-plotly-plot", timeout=120_000)
    tab.check("reverse")
    assert page.locator("h1").first.inner_text().startswith("5. Reverse denoising")

    film = page.locator(".st-key-rev_mnist_film")
    title = film.locator(".title")
    assert title.text_content().startswith("Step 1 of 50")
    expect(film.get_by_text("one-shot")).to_have_count(1)  # the column titles are drawn
    film.get_by_role("button", name="Play").click()  # plays in the browser, no rerun
    expect(title).to_have_text(re.compile("^Step 50 of 50"), timeout=60_000)
    assert new_url(page).get("rev_t") == "20"  # the link says where the film stopped
    film.locator("button").nth(2).click()  # ▶ at the end: stays on the last frame
    film.locator("button").first.click()  # ◀
    expect(title).to_have_text(re.compile("^Step 49 of 50"))
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


def test_the_film_keeps_its_step_in_the_address_after_another_control_moves(server, browser):
    # a fresh review found the address flipping between an old and a new step after a rerun (two timers)
    tab = Page(browser, server)
    page = tab.page
    tab.follow("5. Reverse denoising")
    film = page.locator(".st-key-rev_mnist_film")
    film.locator(".title").wait_for(timeout=120_000)
    step = film.locator("button").nth(2)  # ▶
    for _ in range(3):
        step.click()
    seed = page.locator(".st-key-rev_seed input")
    seed.fill("5")
    seed.press("Enter")
    tab.wait()
    for _ in range(3):
        step.click()
    expect(film.locator(".title")).to_have_text(re.compile(r"^Step 7 of 50: t = 880"))
    seen = set()
    for _ in range(12):
        seen.add(new_url(page).get("rev_t"))
        page.wait_for_timeout(200)
    assert seen == {"880"}


def test_a_setting_outside_the_bank_shows_a_progress_bar_and_the_time_left(server, browser):
    """A seed no one asked for, at 200 steps (a link): the page computes it (in a worker) under a progress bar that
    says how far it is and how long is left, then shows the film."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        seen, errors = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.expose_function("dpBar", lambda text, value: seen.append((text, value)))
        page.add_init_script("""setInterval(() => { const b = document.querySelector('[data-testid=stProgress]');
            if (b) window.dpBar(b.innerText, b.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')); }, 150)""")
        page.goto(server + "/reverse?rev_seed=8765&rev_steps=200")
        expect(page.locator(".st-key-rev_mnist_film .title")).to_have_text(re.compile(r"^Step \d+ of 200: t = "),
                                                                            timeout=180_000)
        texts = [t for t, _ in seen]
        assert any("left" in t for t in texts), f"no time left was said: {texts[:5]}"
        values = [int(v) for _, v in seen if v is not None]
        assert max(values) >= 50 and values == sorted(values)  # it moved forward, never back
        expect(page.locator("[data-testid=stProgress]")).to_have_count(0)  # and went away
        assert not errors, errors
    finally:
        page.close()
