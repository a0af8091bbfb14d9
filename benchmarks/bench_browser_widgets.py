"""The main widgets of every page in a real browser: from the input to the page redrawn (measured, never asserted).

Starts `streamlit run server.py` (as `make run`), opens each page through its sidebar link, then moves each main
widget ``MOVES`` times (a seed typed, each one new; a slider stepped right, then back left to the value it had, as a
student at a keyboard does) and times each move with ``Page.timed``: from the key press until the script run it
caused has ended and the browser has finished drawing (its last long task). A film (:mod:`ui.components.film`) steps
in the browser with no script run: from the key press to the next frame painted. p50 and max per widget; the first move
after a page opens includes its cold caches. Needs Debian's chromium.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

MOVES = 4
WIDGETS = {  # sidebar link -> [(widget key, "number" typed | "slider" stepped right and left | "film" stepped likewise)]
    "1. Auto-encoders": [("ae_gen_seed", "number")],
    "2. Forward noising": [("fn_film", "film"), ("fn_seed", "number")],
    "3. Schedules": [("sc_film_t", "film"), ("sc_seed", "number")],
    "4. Training": [("train_seed", "number")],
    "5. Reverse denoising": [("rev_mnist_film", "film"), ("rev_seed", "number"), ("rev_n", "slider")],
    "6. Prediction targets": [("pt_seed", "number"), ("pt_outputs", "film")],
    "7. Latent diffusion": [("ld_seed", "number")],
    "8. Flow matching": [("fm_t", "slider"), ("fm_ode_steps", "slider"), ("fm_mnist_seed", "number")],
}


FILM_STEP = """async ([key, arrow]) => {
    const root = document.querySelector(`.st-key-${key} [data-dp-film]`).shadowRoot || document.querySelector(`.st-key-${key} [data-dp-film]`);
    const film = root.querySelector(".film"), title = film.querySelector(".title").textContent;
    const t0 = performance.now();
    film.dispatchEvent(new KeyboardEvent("keydown", { key: arrow, bubbles: true }));
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));  // painted
    if (film.querySelector(".title").textContent === title) throw new Error("the film did not step");
    return performance.now() - t0;
}"""


def main() -> None:
    from browser_support import CHROMIUM, Page, streamlit_server
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        print("chromium not installed: skipped")
        return
    rows: list[tuple[str, str, list[float]]] = []
    with streamlit_server() as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tab = Page(b, url)
        page = tab.page
        for link, widgets in WIDGETS.items():
            tab.follow(link, timeout=300)
            for key, kind in widgets:
                page.locator(f".st-key-{key}").first.scroll_into_view_if_needed()  # drawn when in view
                times = []
                for i in range(MOVES):
                    if kind == "film":  # in the browser: from the key press to the next frame painted
                        times.append(page.evaluate(FILM_STEP, [key, "ArrowLeft" if i % 2 else "ArrowRight"]) / 1000)
                    elif kind == "number":
                        field = page.locator(f".st-key-{key} input")
                        field.fill(str(100 + i))
                        times.append(tab.timed(lambda field=field: field.press("Enter")))
                    else:
                        handle = page.locator(f".st-key-{key} input[type='range']").first
                        times.append(tab.timed(lambda handle=handle, i=i: handle.press("ArrowLeft" if i % 2 else "ArrowRight")))
                    page.wait_for_timeout(300)
                rows.append((link, key, times))
        b.close()
    print(f"\n### every page's main widgets in the browser: from the input to the page redrawn (s), {MOVES} moves\n")
    print("| page | widget | p50 | max |")
    print("|---|---|---|---|")
    for link, key, times in rows:
        print(f"| {link} | `{key}` | {statistics.median(times):.2f} | {max(times):.2f} |")


if __name__ == "__main__":
    main()
