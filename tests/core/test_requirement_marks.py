"""The ``req`` mark is checked against the spec's IDs (docs/requirements.txt, written from
SPEC.md by scripts/requirement_ids.py): an unknown ID is a collection error, and the run ends
with the tests per ID."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from tests.requirement_marks import REQUIREMENTS, load_requirements

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location(
        "requirement_ids", ROOT / "scripts" / "requirement_ids.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_list_has_every_section_of_the_spec():
    known = load_requirements()
    assert {"D1", "R1", "R19", "O7", "N2", "C11", "I5", "S8"} <= set(known)
    assert known["R5"] == "Redirect"
    assert REQUIREMENTS.read_text(encoding="utf-8").startswith("# Requirement IDs of SPEC.md")


def test_the_script_reads_ids_and_short_titles_from_the_spec_items():
    script = _script()
    spec = (
        "## R — Service requests\n\n"
        "- **R1** Intake (U 2.1): a resident files a request.\n"
        "- **R16** Obscene language is detected and flagged.\n"
        "Text that cites **R1** in passing is not an item.\n"
        "- **N2** Status notifications of requests to residents (M push on status).\n"
    )
    assert script.extract(spec) == [
        ("R1", "Intake"),
        ("R16", "Obscene language is detected and flagged"),
        ("N2", "Status notifications of requests to residents"),
    ]
    assert script.render([("R1", "Intake")]).endswith("R1\tIntake\n")


def test_an_unknown_id_fails_collection_and_the_summary_counts_the_known_ones(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    req(id): a requirement\n")
    (tmp_path / "test_marks.py").write_text(
        "import pytest\n\n"
        '@pytest.mark.req("R5")\ndef test_known():\n    pass\n\n'
        '@pytest.mark.req("R5", "S2")\ndef test_two():\n    pass\n'
    )
    # Only the plugin under test: the installed ones (Django, Hypothesis...) take seconds to load.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    run = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-W", "error"]
    run += ["-p", "tests.requirement_marks", "-c", str(tmp_path / "pytest.ini")]
    good = subprocess.run([*run, str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "R5:2  S2:1" in good.stdout
    assert "R1  R2" in good.stdout  # without any test

    (tmp_path / "test_typo.py").write_text(
        'import pytest\n\n@pytest.mark.req("R55")\ndef test_typo():\n    pass\n'
    )
    bad = subprocess.run([*run, str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode != 0
    assert "ERROR collecting" in bad.stdout
    assert "@pytest.mark.req('R55') is not a requirement of SPEC.md" in bad.stdout
