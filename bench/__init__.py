"""Benchmarks: each scenario prints its figure and a ratio against a baseline measured in the
same run (``python -m bench``; ``make bench``). Never part of ``make test``."""
