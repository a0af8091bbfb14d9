"""First load of every page through a real browser (headless Chromium), on a freshly started server.

Starts `streamlit run server.py` and opens the home page; then follows each sidebar link once (cold page
caches) and a second time (warm), timing from the click until the page is drawn (``Page.timed``: the run
has ended and the browser's main thread is done with its last long task). Twice:
once clicking at once (the warm-up thread, ``ui.resources.warm``, still running) and once after ``READ`` seconds
on the home page (a student reading it; the warm-up has finished). Measured, never asserted.
Needs Debian's chromium.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

PAGES = ["1. Auto-encoders", "2. Forward noising", "3. Schedules", "4. Training", "5. Reverse denoising",
         "6. Prediction targets", "7. Latent diffusion", "8. Flow matching", "9. Spotting generated images"]
READ = 15.0  # seconds on the home page before the first click, in the second pass


def visits(read: float) -> dict[str, list[float]]:
    """``{page: [first visit, second visit]}`` in seconds, on a fresh server, after ``read`` s on the home page."""
    from browser_support import CHROMIUM, Page, streamlit_server
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {name: [] for name in PAGES}
    with streamlit_server() as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        tab = Page(b, url)
        time.sleep(read)
        for _ in range(2):
            for name in PAGES:
                link = tab.page.get_by_role("link", name=name).first
                times[name].append(tab.timed(link.click))
                tab.page.wait_for_timeout(300)
        b.close()
    return times


def main() -> None:
    from browser_support import CHROMIUM

    if CHROMIUM is None:
        print("chromium not installed: skipped")
        return
    now, later = visits(0.0), visits(READ)
    print("\n### pages in the browser: from the click to the page drawn (s)\n")
    print(f"| page | first visit, clicked at once | first visit after {READ:.0f} s on the home page | second visit |")
    print("|---|---|---|---|")
    for name in PAGES:
        print(f"| {name} | {now[name][0]:.1f} | {later[name][0]:.1f} | {min(now[name][1], later[name][1]):.1f} |")


if __name__ == "__main__":
    main()
