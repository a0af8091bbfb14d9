"""Part 5, reverse denoising: first load and re-render after a widget change, through AppTest (measured, never asserted)."""

from benchmarks.bench_page_forward_noising import bench_page


def main() -> None:
    bench_page("views/reverse.py", "page: 5. Reverse denoising (AppTest)", [
        ("number_input", "rev_seed", [0, 1, 2]),
        ("selectbox", "rev_label", ["any", 3, 7]),
        ("number_input", "rev_toy_seed", [0, 1, 2]),
    ])


if __name__ == "__main__":
    main()
