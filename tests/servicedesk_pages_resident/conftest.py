"""The service-desk cast (tests/servicedesk/conftest.py) plus Anna's flat, an image and a
private media folder for uploads."""

import pytest

from tests import factories as f
from tests.servicedesk.conftest import (  # noqa: F401 - fixtures shared with the core tests
    anna,
    boris,
    call_centre,
    call_operator,
    classifier,
    contractor,
    contractor_dispatcher,
    file_request,
    links,
    rso_dispatcher,
    sr,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def flat(building, anna):  # noqa: F811 - the imported fixture, requested by name
    """Anna's flat 12 in the managed building, through her personal account (D3)."""
    premises, account = f.premises_with_account(building, number="12")
    account.residents.add(anna)
    return premises
