"""Part 8, flow matching: first load and re-render after a widget change, via AppTest (p50/p95)."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from benchmarks.timing import measure, row, table, wait_for_warm_up
from core import paths

APP = str(paths.APP)


def main() -> None:
    t0 = time.perf_counter()
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("views/flow_matching.py").run()
    first = time.perf_counter() - t0  # includes training the two default models (once per server)
    assert not at.exception
    rows = [row("first load (imports, default models trained, cold caches)", {"p50": first, "p95": first}, "once per server")]
    wait_for_warm_up()
    rows.append(row("rerun, nothing changed (cached)", measure(lambda: at.run(), repeats=20, warmup=1)))
    ts = iter([0.0, 0.5, 1.0] * 20)
    rows.append(row("t slider moved, 3 values cycled (cached after the first)", measure(lambda: at.slider(key="fm_t").set_value(next(ts)).run(), repeats=21, warmup=3)))
    ns = iter([32, 64, 128] * 20)
    rows.append(row("pairs slider moved (cached after the first)", measure(lambda: at.slider(key="fm_npairs").set_value(next(ns)).run(), repeats=21, warmup=3)))
    ks = iter(range(5, 50))
    rows.append(row("ODE steps changed (new solve + W2, uncached)", measure(lambda: at.slider(key="fm_ode_steps").set_value(next(ks)).run(), repeats=8, warmup=1)))
    print(table("page: flow matching (AppTest, 1 thread)", rows))


if __name__ == "__main__":
    main()
