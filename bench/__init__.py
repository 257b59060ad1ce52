"""Reproducible benchmarks; their results are in the README."""
