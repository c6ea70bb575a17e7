"""Fixtures of the core tests: a real worker process."""

from tests.core.consumer import consumer  # noqa: F401
