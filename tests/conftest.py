"""The test suite's plugins: the shared fixtures (tests/fixtures.py), the browser
(tests/browser_fixtures.py), a real worker process (tests/core/consumer.py) and the check of
the ``req`` marks against the spec with the coverage summary (tests/requirement_marks.py)."""

pytest_plugins = [
    "tests.fixtures",
    "tests.browser_fixtures",
    "tests.core.consumer",
    "tests.requirement_marks",
]
