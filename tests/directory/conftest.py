"""Fixtures of the directory tests: a control body, a call-centre dispatcher, a supplier
linked to the UO, clients signed in as the cast of tests/conftest.py."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from domovoy.directory.models import ServiceLink
from tests import factories as f


@pytest.fixture
def control_org(territory):
    return f.OrganizationFactory(kinds=["control"], territory=territory["city"])


@pytest.fixture
def controller(control_org):
    return f.employee(control_org, roles=["controller"], username="ctrl").user


@pytest.fixture
def far_control(territory):
    org = f.OrganizationFactory(kinds=["control"], territory=territory["other_district"])
    return f.employee(org, roles=["controller"], username="farctrl").user


@pytest.fixture
def rso_dispatcher(rso):
    return f.employee(rso, roles=["supplier_dispatcher"], username="rsodisp").user


@pytest.fixture
def hot_water_link(uo, rso):
    return ServiceLink.objects.create(
        uo=uo, provider=rso, resource="hot_water", start=dt.date(2020, 1, 1)
    )


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def api():
    return APIClient()


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client
