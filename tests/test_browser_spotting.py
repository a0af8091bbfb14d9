"""Part 9, spotting generated images, in a real browser: every figure renders, and a quiz answer reveals the truth."""

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

from ui.components.predict import questions

pytestmark = [pytest.mark.browser, needs_chromium]


def test_spotting(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("9. Spotting generated images", timeout=240)
    box = page.locator(".st-key-pq_sp_guidance")  # a prediction first: the guidance figures answer it
    box.wait_for(timeout=240_000)
    box.scroll_into_view_if_needed()
    box.get_by_text(questions("en")["sp_guidance"].options[0], exact=True).click()
    tab.wait()
    box.get_by_role("button", name="Commit and reveal").click()
    tab.wait()
    for key in ("sp_strip", "sp_evolution", "sp_classes", "sp_guidance_grid", "sp_guidance", "sp_spectra",
                "sp_upsampling", "sp_detector"):
        page.wait_for_selector(f".st-key-{key} .js-plotly-plot", timeout=240_000)
    tab.check("spotting", projector=True)
    assert page.locator("h1").first.inner_text().startswith("9. Spotting generated images")
    from core.forensics.shipped import stage_names
    from core.io import load

    last = load(stage_names()[-1]).meta["steps"]  # the shipped model's steps label the strip's last column
    expect(page.locator(".st-key-sp_strip").get_by_text(f"{last:,}", exact=True)).to_have_count(1)

    page.get_by_role("button", name="Generated").click()
    page.get_by_text("this image is").first.wait_for(timeout=60_000)
    expect(page.get_by_text("Where it comes from")).to_have_count(1)
    page.get_by_role("button", name="Next image").click()
    page.get_by_text("Image 2 of 10").wait_for(timeout=60_000)
    tab.check("spotting_quiz")
