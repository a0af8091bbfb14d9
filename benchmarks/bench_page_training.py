"""Part 4, training: first load and re-render after a widget change, through AppTest (measured, never asserted).

The page starts a live toy run on first load; the re-renders below happen while it trains in the
background, as they would for a student.
"""

from benchmarks.bench_page_forward_noising import bench_page


def main() -> None:
    bench_page("views/training.py", "page: 4. Training (AppTest, background run in progress)", [
        ("slider", "train_steps", [3000, 2000, 5000]),
        ("selectbox", "train_dataset", ["moons", "8gaussians", "spiral"]),
    ])


if __name__ == "__main__":
    main()
