"""Part 7, latent diffusion, in a real browser: every figure renders, and a new seed redraws the generation."""

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, needs_chromium]


def test_latent_diffusion(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("7. Latent diffusion", timeout=240)
    page.wait_for_selector(".st-key-ld_codes .js-plotly-plot", timeout=240_000)
    tab.check("latent_diffusion", projector=True)
    assert page.locator("h1").first.inner_text().startswith("7. Latent diffusion")
    for key in ("ld_pipeline", "ld_generation", "ld_interp", "ld_codes"):
        expect(page.locator(f".st-key-{key} .js-plotly-plot")).to_have_count(1)
    assert page.get_by_text("Stable Diffusion").count() >= 1  # the cost table

    before = page.locator(".st-key-ld_generation image").first.get_attribute("href")
    box = page.locator(".st-key-ld_seed input")
    box.fill("5")
    box.press("Enter")
    tab.wait()
    page.wait_for_function(
        f"() => document.querySelector('.st-key-ld_generation image').getAttribute('href') !== {before!r}",
        timeout=60_000)
    tab.check("latent_diffusion_seed5")
