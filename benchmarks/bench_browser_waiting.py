"""Does the progress bar tell the truth? The time left it says against the time it took (measured, never asserted).

Starts `streamlit run server.py` (as `make run`) and opens pages with settings outside the shipped bank (new seeds, many
steps), so that each computes under the progress bar (:mod:`ui.components.waiting`). The browser reads the bar every
100 ms; for each reading that says a time left, the error is that time against the time the bar really stayed after
it. Reported: the first estimate (said and true) and the median absolute error over all readings. Needs Debian's
chromium.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

CASES = [  # (what, address)
    ("reverse, 100 steps, a new seed", "/reverse?rev_seed=7001&rev_steps=100"),
    ("reverse, 200 steps, a new seed", "/reverse?rev_seed=7002&rev_steps=200"),
    ("reverse, 200 steps, 4 samples", "/reverse?rev_seed=7003&rev_steps=200&rev_n=4"),
    ("prediction targets, a new seed", "/prediction_targets?pt_seed=7004"),
    ("flow digits, a new seed", "/flow_matching?fm_mnist_seed=7005"),
]
LEFT = re.compile(r"About (\d+) (s|min) left")
WATCH = """setInterval(() => { const b = document.querySelector('[data-testid=stProgress]');
    window.dpBar(b ? b.innerText : null); }, 100)"""


def main() -> None:
    from browser_support import CHROMIUM, streamlit_server
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        print("chromium not installed: skipped")
        return
    rows = []
    with streamlit_server() as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for what, address in CASES:
            page = b.new_page(viewport={"width": 1440, "height": 1000})
            seen: list[tuple[float, str | None]] = []
            page.expose_function("dpBar", lambda text: seen.append((time.monotonic(), text)))
            page.add_init_script(WATCH)
            page.goto(url + address)
            page.wait_for_timeout(1500)
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=600_000)
            page.wait_for_timeout(500)
            shown = [t for t, text in seen if text]
            if not shown:
                rows.append((what, None))
                page.close()
                continue
            gone = max(shown)
            said = [(t, int(m.group(1)) * (60 if m.group(2) == "min" else 1)) for t, text in seen
                    if text and (m := LEFT.search(text))]
            errors = [abs(left - (gone - t)) for t, left in said]
            first = said[0] if said else None
            rows.append((what, {"shown": gone - min(shown), "first_said": first[1] if first else None,
                                "first_true": gone - first[0] if first else None,
                                "median_error": statistics.median(errors) if errors else None}))
            page.close()
        b.close()
    print("\n### The progress bar's time left against the time it took (s)\n")
    print("| computation | bar shown | first said / true | median error of every reading |")
    print("|---|---|---|---|")
    for what, r in rows:
        if r is None:
            print(f"| {what} | no bar (ready at once) | | |")
        else:
            first = f"{r['first_said']} / {r['first_true']:.1f}" if r["first_said"] is not None else "-"
            err = f"{r['median_error']:.1f}" if r["median_error"] is not None else "-"
            print(f"| {what} | {r['shown']:.1f} | {first} | {err} |")


if __name__ == "__main__":
    main()
