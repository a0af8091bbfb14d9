"""Part 3, schedules: first load and re-render after a widget change, through AppTest (measured, never asserted)."""

from benchmarks.bench_page_forward_noising import bench_page


def main() -> None:
    bench_page("views/schedules.py", "page: 3. Schedules (AppTest)", [
        ("number_input", "sc_index", [0, 1, 2]),
        ("select_slider", "sc_T", [1000, 100, 50]),
        ("select_slider", "sc_threshold", [0.01, 0.05, 0.001]),
    ])


if __name__ == "__main__":
    main()
