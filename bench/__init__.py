"""Reproducible benchmarks, each beside its anchor in the same run (`bench/anchors/`); their results are in the
README. Every one also runs in `make test` in smoke mode (`--smoke`), so that none rots."""
