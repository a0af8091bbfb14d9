"""Part 9 in a real browser: from a click to the redrawn page, for the quiz and the film strip (measured, never asserted).

Starts `streamlit run server.py`, opens page 9 and times, from the input until the script run has finished:
answering the quiz, moving to the next image, and typing another seed for the film strip (new, then
cached). Needs Debian's chromium.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def main() -> None:
    from browser_support import CHROMIUM, Page, streamlit_server
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        print("chromium not installed: skipped")
        return
    times: dict[str, list[float]] = {"quiz: answer": [], "quiz: next image": [], "film strip: new seed": [],
                                     "film strip: a seed seen before": []}
    with streamlit_server() as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tab = Page(b, url)
        tab.follow("9. Spotting generated images", timeout=300)
        page = tab.page

        def timed(kind: str, action) -> None:
            t0 = time.perf_counter()
            action()
            tab.wait(timeout=120)
            times[kind].append(time.perf_counter() - t0 - 0.6)  # Page.wait sleeps 0.3 s before and after

        for i in range(8):
            timed("quiz: answer", lambda i=i: page.get_by_role("button", name="Real" if i % 2 else "Generated").click())
            timed("quiz: next image", lambda: page.get_by_role("button", name="Next image").click())
        seed = page.locator(".st-key-sp_seed input")
        for seeds, kind in (([1, 2, 3], "film strip: new seed"), ([0, 1, 2], "film strip: a seed seen before")):
            for v in seeds:
                def choose(v=v):
                    seed.fill(str(v))
                    seed.press("Enter")
                timed(kind, choose)
        b.close()
    print("\n### page 9 in the browser: from the input to the end of the script run (s)\n")
    print("| interaction | p50 | max | n |")
    print("|---|---|---|---|")
    for kind, v in times.items():
        print(f"| {kind} | {statistics.median(v):.2f} | {max(v):.2f} | {len(v)} |")


if __name__ == "__main__":
    main()
