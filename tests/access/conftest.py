"""The cast of the workflow tests (tests/servicedesk/conftest.py) for the access tests."""

from tests.servicedesk.conftest import (  # noqa: F401
    anna,
    call_centre,
    call_operator,
    classifier,
    contractor,
    file_request,
    links,
    sr,
)
