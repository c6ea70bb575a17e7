"""The cast of the service-desk core tests (a UO «managing» the building, its supplier and
contractor, a call centre, a functional operator, the resident Анна), reused for the pages."""

import pytest

from tests import factories as f
from tests.servicedesk.conftest import (  # noqa: F401 - fixtures
    anna,
    call_centre,
    call_operator,
    classifier,
    contractor,
    contractor_dispatcher,
    file_request,
    links,
    other_uo_dispatcher,
    rso_dispatcher,
    sr,
    uo_engineer,
)


@pytest.fixture
def control_org(territory):
    return f.OrganizationFactory(kinds=["control"], territory=territory["city"])


@pytest.fixture
def control_officer(control_org):
    """A control body's specialist: reads the territory, is party to nothing."""
    return f.employee(control_org, roles=["controller"], username="gzhi").user


@pytest.fixture
def client_of(client):
    """A test client logged in as the given user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
