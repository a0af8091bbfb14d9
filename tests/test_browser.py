"""Every page in a real browser (see ``browser_support``)."""

import pytest
from browser_support import Page, needs_chromium
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, needs_chromium]


def test_home(server, browser):
    tab = Page(browser, server)
    tab.check("home")
    assert "Diffusion Playground" in tab.page.locator("h1").first.inner_text()
    expect(tab.page.get_by_text("The route")).to_have_count(1)
