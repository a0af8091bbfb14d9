"""Part 9, spotting generated images: first load and re-render after a widget change, through AppTest (measured, never asserted)."""

from benchmarks.bench_page_forward_noising import bench_page


def main() -> None:
    bench_page("views/spotting.py", "page: 9. Spotting generated images (AppTest)", [
        ("selectbox", "sp_label", [3, 5, 8]),
        ("selectbox", "sp_bias_digit", [1, 4, 7]),
        ("select_slider", "sp_w", [3.0, 5.0, 0.0]),
        ("number_input", "sp_up_digit", [0, 1, 2]),
    ])


if __name__ == "__main__":
    main()
