"""Helpers of the work-order tests."""

import copy
import shutil
import subprocess

from domovoy.workorders.defaults import DEFAULT_VERSION


def definition(**changes):
    """A copy of the shipped version's definition with some keys replaced."""
    data = copy.deepcopy({k: DEFAULT_VERSION[k] for k in ("title", "fields", "layout")})
    data.update(changes)
    return data


def pdf_text(content: bytes) -> str:
    """The text layer of a PDF, read by poppler's pdftotext (installed with poppler-utils)."""
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed for the PDF tests"
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")
