"""Drawing your own data in a real browser: from the end of a stroke to the page redrawn (measured, never asserted).

Starts `streamlit run server.py` (as `make run`), and on each page that offers the drawing draws ``STROKES`` strokes
(each a new one: a new drawing, so what depends on it is computed again) and times each with ``Page.timed``: from the
pointer's release until the script run it caused has ended and the browser has finished drawing. On the training and
flow pages a new drawing trains the reference models on it (once per drawing), under a progress bar. Then the digit pad
on page 1: a digit written, through five models. p50 and max. Needs Debian's chromium.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

STROKES = 3
PAGES = {  # address -> the canvas's key
    "/forward_noising?fn_source=your+2-D+drawing": "fn_pad",
    "/training?train_dataset=your+drawing+%28blue%29": "train_pad",
    "/flow_matching?fm_target=your+drawing+%28blue%29": "fm_pad",
}


def stroke(page, canvas, k: int) -> None:
    """A short diagonal stroke, placed by ``k`` (each one new)."""
    box = canvas.bounding_box()
    x0, y0 = box["x"] + box["width"] * (0.2 + 0.1 * k), box["y"] + box["height"] * 0.7
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 9):
        page.mouse.move(x0 + i * box["width"] * 0.03, y0 - i * box["height"] * 0.04)
    page.mouse.up()


def main() -> None:
    from browser_support import CHROMIUM, Page, streamlit_server
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        print("chromium not installed: skipped")
        return
    rows: list[tuple[str, list[float]]] = []
    with streamlit_server() as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for address, key in PAGES.items():
            tab = Page(b, url + address)
            canvas = tab.page.locator(f".st-key-{key} canvas")
            canvas.scroll_into_view_if_needed()
            times = [tab.timed(lambda k=k: stroke(tab.page, canvas, k), timeout=300) for k in range(STROKES)]
            rows.append((address.split("?")[0].strip("/"), times))
            tab.page.close()
        tab = Page(b, url + "/autoencoder")
        pad = tab.page.locator(".st-key-ae_digit_pad canvas")
        pad.scroll_into_view_if_needed()
        rows.append(("autoencoder (digit pad)", [tab.timed(lambda k=k: stroke(tab.page, pad, k), timeout=300)
                                                 for k in range(STROKES)]))
        b.close()
    print("\n### Drawing: from the end of a stroke to the page redrawn (s)\n")
    print("| page | p50 | max |")
    print("|---|---|---|")
    for name, times in rows:
        print(f"| {name} | {statistics.median(times):.2f} | {max(times):.2f} |")


if __name__ == "__main__":
    main()
