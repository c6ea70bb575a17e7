"""The shared cast (tests/fixtures.py) plus Anna's flat."""

import pytest

from tests import factories as f


@pytest.fixture
def flat(building, anna):
    """Anna's flat 12 in the managed building, through her personal account (D3)."""
    premises, account = f.premises_with_account(building, number="12")
    account.residents.add(anna)
    return premises
