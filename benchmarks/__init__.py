"""Benchmarks (measurements, not tests). Run all with `make bench` or `python -m benchmarks`."""
