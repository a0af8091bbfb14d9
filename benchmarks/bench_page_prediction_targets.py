"""Part 6, prediction targets: first load and re-render after a widget change, through AppTest (measured, never asserted)."""

from benchmarks.bench_page_forward_noising import bench_page


def main() -> None:
    bench_page("views/prediction_targets.py", "page: 6. Prediction targets (AppTest)", [
        ("number_input", "pt_digit", [3, 4, 5]),
        ("number_input", "pt_digit", [3, 4, 5]),
        ("selectbox", "pt_label", ["any", 3, 7]),
    ])


if __name__ == "__main__":
    main()
