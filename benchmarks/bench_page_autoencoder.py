"""Page "1. Auto-encoders": first load and re-render after a widget change (AppTest), p50/p95."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from benchmarks.timing import measure, row, table, wait_for_warm_up
from core import paths

APP = str(paths.APP)


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/autoencoder.py").run()
    return at


def main() -> None:
    t0 = time.perf_counter()
    at = _open()  # cold: data, models and caches
    cold = time.perf_counter() - t0
    wait_for_warm_up()
    first = measure(lambda: _open(), repeats=5, warmup=1)
    state = {"i": 0}

    def move_digit() -> None:
        state["i"] = (state["i"] + 1) % 50
        at.slider(key="ae_digit").set_value(state["i"]).run()

    def move_sigma() -> None:
        state["i"] += 1
        at.slider(key="ae_sigma").set_value(round(0.05 * (state["i"] % 30), 2)).run()

    digit = measure(move_digit, repeats=10, warmup=2)
    sigma = measure(move_sigma, repeats=10, warmup=2)
    cached = measure(lambda: at.slider(key="ae_digit").set_value(3).run(), repeats=10, warmup=2)
    print(table("Page 1. Auto-encoders (AppTest, one thread)", [
        row("first load, cold server", {"p50": cold, "p95": cold}, "data, models, caches"),
        row("first load, warm caches", first, "new session"),
        row("re-render: new held-out digit", digit, "uncached digits then cached"),
        row("re-render: noise level", sigma, "damage + restore 8 digits"),
        row("re-render: cached path", cached, "same digit again"),
    ]))


if __name__ == "__main__":
    main()
