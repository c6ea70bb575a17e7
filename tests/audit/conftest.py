import pytest

from tests import factories as f


@pytest.fixture
def control_org(territory):
    return f.OrganizationFactory(kinds=["control"], territory=territory["district"])


@pytest.fixture
def controller(control_org):
    return f.employee(control_org, roles=["controller"], username="gji").user
