"""Part 4, training: first load and re-render after a widget change, through AppTest (measured, never asserted).

The page opens on a reference model (no run until the student presses Train); changing the data
set shows that data set's reference model (trained once per server the first time).
"""

from benchmarks.bench_page_forward_noising import bench_page


def main() -> None:
    bench_page("views/training.py", "page: 4. Training (AppTest)", [
        ("slider", "train_steps", [3000, 2000, 5000]),
        ("selectbox", "train_dataset", ["moons", "8gaussians", "spiral"]),
    ])


if __name__ == "__main__":
    main()
