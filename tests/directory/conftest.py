"""Fixtures of the directory tests: a far control body and a hot-water link of the supplier
to the UO, beside the shared cast (tests/fixtures.py)."""

import datetime as dt

import pytest

from domovoy.directory.models import ServiceLink
from tests import factories as f


@pytest.fixture
def far_control(territory):
    org = f.OrganizationFactory(kinds=["control"], territory=territory["other_district"])
    return f.employee(org, roles=["controller"], username="farctrl").user


@pytest.fixture
def hot_water_link(uo, rso):
    return ServiceLink.objects.create(
        uo=uo, provider=rso, resource="hot_water", start=dt.date(2020, 1, 1)
    )
