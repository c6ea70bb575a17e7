"""The ``req`` mark against the spec, loaded as a plugin by tests/conftest.py.

``@pytest.mark.req("R5")`` (one or more IDs) says which requirement of SPEC.md a test proves.
An ID that is not in docs/requirements.txt (the IDs of SPEC.md, written by
scripts/requirement_ids.py) makes the test's module fail to collect, so a typo or a requirement
the spec dropped cannot pass unnoticed. At the end of the session the terminal summary shows
how many of the selected tests cite each ID, and the IDs no selected test cites."""

from collections import Counter
from pathlib import Path

import pytest

REQUIREMENTS = Path(__file__).resolve().parents[1] / "docs" / "requirements.txt"


def load_requirements(path=REQUIREMENTS):
    """{id: short title} of the committed list, in the spec's order."""
    known = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rid, _, title = line.partition("\t")
        known[rid.strip()] = title.strip()
    return known


def cited_ids(item):
    """The IDs the ``req`` marks of ``item`` cite (its own, its class's and its module's)."""
    ids = []
    for mark in item.iter_markers(name="req"):
        ids.extend(mark.args)
    return ids


_KNOWN = pytest.StashKey[dict]()
_COUNTS = pytest.StashKey[Counter]()


def pytest_configure(config):
    config.stash[_KNOWN] = load_requirements()
    config.stash[_COUNTS] = Counter()


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """Check the marks as each test is made: an unknown ID is an error of the module's
    collection, reported with the test's name and the IDs the spec does have."""
    result = yield
    if result is None:
        return result
    known = collector.config.stash[_KNOWN]
    items = result if isinstance(result, list) else [result]
    for item in items:
        if not isinstance(item, pytest.Item):
            continue
        for rid in cited_ids(item):
            if not isinstance(rid, str) or rid not in known:
                # A CollectError is reported as its message alone, as a collection error.
                raise pytest.Collector.CollectError(
                    f"{item.nodeid}: @pytest.mark.req({rid!r}) is not a requirement of "
                    "SPEC.md; the known IDs are in docs/requirements.txt (regenerate it with "
                    "scripts/requirement_ids.py if the spec changed)"
                )
    return result


def pytest_collection_finish(session):
    """Count the tests that will run (after -k, -m and deselection) per cited ID."""
    counts = session.config.stash[_COUNTS]
    for item in session.items:
        for rid in set(cited_ids(item)):
            counts[rid] += 1


def _wrapped(words, width):
    lines, line = [], ""
    for word in words:
        if line and len(line) + 2 + len(word) > width:
            lines.append(line)
            line = ""
        line = f"{line}  {word}" if line else word
    if line:
        lines.append(line)
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    known = config.stash[_KNOWN]
    counts = config.stash[_COUNTS]
    covered = [f"{rid}:{counts[rid]}" for rid in known if counts[rid] > 0]
    missing = [rid for rid in known if counts[rid] <= 0]
    width = max(terminalreporter._tw.fullwidth - 4, 40)
    terminalreporter.write_sep("-", "requirement coverage (selected tests per SPEC.md ID)")
    terminalreporter.write_line(f"covered {len(covered)} of {len(known)}:")
    for line in _wrapped(covered, width):
        terminalreporter.write_line("  " + line)
    terminalreporter.write_line(f"without any test ({len(missing)}):")
    for line in _wrapped(missing, width):
        terminalreporter.write_line("  " + line)
