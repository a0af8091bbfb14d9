"""Formulas on a projector: at 1280 px wide no inline formula breaks mid-expression (``ui.chrome.BASE_CSS``) and
none sticks out of its column (a long one is split where the lesson chooses, or set on several display lines)."""

import pytest
from browser_support import Page, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

PAGES = ["Home", "1. Auto-encoders", "2. Forward noising", "3. Schedules", "4. Training", "5. Reverse denoising",
         "6. Prediction targets", "7. Latent diffusion", "8. Flow matching", "9. Spotting generated images"]

# every rendered formula whose right edge passes its column's (or its bordered box's, or its expander's)
OVERFLOWING = """() => {
  const out = [];
  for (const k of document.querySelectorAll('[data-testid="stMain"] .katex')) {
    const box = k.closest('[data-testid="stColumn"], [data-testid="stVerticalBlockBorderWrapper"], [data-testid="stExpanderDetails"]')
      || k.closest('[data-testid="stMarkdownContainer"]');
    const r = k.getBoundingClientRect(), c = box.getBoundingClientRect();
    if (r.width > 0 && r.right > c.right + 2) out.push(`${Math.round(r.right - c.right)} px: ${k.textContent.slice(0, 50)}`);
  }
  return out;
}"""


def test_no_formula_breaks_or_sticks_out_at_1280_px(server, browser):
    tab = Page(browser, server)
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 720})
    wide = {}
    for link in PAGES:
        tab.follow(link, timeout=180)
        page.wait_for_timeout(500)  # formulas are typeset as the markdown mounts
        assert page.locator('[data-testid="stMain"] .katex').count() > 0, link
        assert page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stMain\"] .katex')).whiteSpace") == "nowrap"
        if sticking := page.evaluate(OVERFLOWING):
            wide[link] = sticking
    assert not wide, wide
