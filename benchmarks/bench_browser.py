"""First load of every page through a real browser (headless Chromium), on a freshly started server.

Starts `streamlit run app.py`, opens the home page, then follows each sidebar link once (cold
page caches) and a second time (warm), timing from the click until the script run has finished.
Measured, never asserted. Needs Debian's chromium.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

PAGES = ["1. Auto-encoders", "2. Forward noising", "3. Schedules", "4. Training", "5. Reverse denoising", "8. Flow matching"]


def main() -> None:
    from browser_support import CHROMIUM, Page, streamlit_server

    if CHROMIUM is None:
        print("chromium not installed: skipped")
        return
    from playwright.sync_api import sync_playwright

    rows = []
    with streamlit_server() as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        tab = Page(b, url)
        for visit in ("first visit (cold caches)", "second visit (warm)"):
            for name in PAGES:
                t0 = time.perf_counter()
                tab.page.get_by_role("link", name=name).first.click()
                tab.wait(timeout=120)
                rows.append(f"| {name} | {visit} | {(time.perf_counter() - t0 - 0.6) * 1e3:.0f} |")
        b.close()
    print("\n### pages in the browser: from the click to the end of the script run (ms)\n")
    print("| page | visit | ms |\n|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
