"""Part 7, latent diffusion: first load and re-render after a widget change, through AppTest (measured, never asserted)."""

from benchmarks.bench_page_forward_noising import bench_page


def main() -> None:
    bench_page("views/latent_diffusion.py", "page: 7. Latent diffusion (AppTest)", [
        ("slider", "ld_digit", [0, 1, 2]),
        ("number_input", "ld_seed", [0, 1, 2]),
        ("select_slider", "ld_steps", [10, 5, 20]),
        ("number_input", "ld_b", [8, 9, 10]),
    ])


if __name__ == "__main__":
    main()
