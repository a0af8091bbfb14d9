"""Run every benchmark module and print a Markdown table per module."""

import importlib
import sys

MODULES = ["benchmarks.bench_core", "benchmarks.bench_models", "benchmarks.bench_page_forward_noising", "benchmarks.bench_page_schedules", "benchmarks.bench_toy_flow", "benchmarks.bench_together", "benchmarks.bench_page_flow_matching", "benchmarks.bench_page_autoencoder", "benchmarks.bench_page_training", "benchmarks.bench_page_reverse", "benchmarks.bench_page_prediction_targets", "benchmarks.bench_page_latent_diffusion", "benchmarks.bench_page_spotting", "benchmarks.bench_browser", "benchmarks.bench_browser_spotting", "benchmarks.bench_browser_widgets", "benchmarks.bench_browser_drawing", "benchmarks.bench_browser_waiting", "benchmarks.classroom", "benchmarks.class_mode"]

if __name__ == "__main__":
    for name in sys.argv[1:] or MODULES:
        importlib.import_module(name).main()
