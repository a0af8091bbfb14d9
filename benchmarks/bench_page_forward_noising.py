"""Part 2, forward noising: first load and re-render after a widget change, through AppTest (measured, never asserted)."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from benchmarks.timing import measure, row, table, wait_for_warm_up
from core import paths

APP = str(paths.APP)


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    return at.switch_page(page).run()


def bench_page(page: str, title: str, moves: list[tuple[str, str, list]]) -> None:
    """``moves``: (widget kind, key, values); each re-render sets the next value in turn (cached after the first round)."""
    t0 = time.perf_counter()
    at = _open(page)
    first = time.perf_counter() - t0
    rows = [row("first load (fresh AppTest, caches as left by earlier runs)", {"p50": first, "p95": first}, "one run")]
    wait_for_warm_up()
    for kind, key, values in moves:
        state = {"i": 0}

        def rerun() -> None:
            state["i"] += 1
            getattr(at, kind)(key=key).set_value(values[state["i"] % len(values)]).run()

        rows.append(row(f"re-render after moving `{key}`", measure(rerun, repeats=20, warmup=len(values)),
                        f"cycling {values}"))
    print(table(title, rows))


def main() -> None:
    bench_page("views/forward_noising.py", "page: 2. Forward noising (AppTest)", [
        ("number_input", "fn_index", [0, 1, 2]),
        ("radio", "fn_schedule", ["cosine", "linear", "constant"]),
        ("number_input", "fn_b_col", [15, 20, 10]),
        ("selectbox", "fn_source", ["images", "moons", "spiral"]),
    ])


if __name__ == "__main__":
    main()
