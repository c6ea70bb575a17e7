"""core.periods: one rule for "valid from … to …" rows (end inclusive, empty end = open)."""

import datetime as dt

import pytest
from django.db.models import Q

from domovoy.api.models import IntegrationAgreement
from domovoy.core import periods
from domovoy.directory.models import ManagementPeriod
from tests.factories import BuildingFactory, OrganizationFactory, manage

D = dt.date

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    building = BuildingFactory()
    org = OrganizationFactory()
    closed = manage(building, org, start=D(2020, 1, 1), end=D(2020, 12, 31))
    other = BuildingFactory()
    open_ = manage(other, org, start=D(2021, 1, 1))
    return closed, open_


def test_active_on_includes_both_ends_and_open_periods(rows):
    closed, open_ = rows
    active = lambda day: set(ManagementPeriod.objects.active_on(day))  # noqa: E731
    assert active(D(2019, 12, 31)) == set()
    assert active(D(2020, 1, 1)) == {closed}
    assert active(D(2020, 12, 31)) == {closed}
    assert active(D(2021, 1, 1)) == {open_}
    assert active(D(2099, 1, 1)) == {open_}


def test_active_on_defaults_to_today(rows):
    _closed, open_ = rows
    assert list(ManagementPeriod.objects.active_on()) == [open_]


def test_overlapping(rows):
    closed, open_ = rows
    over = lambda a, b=None: set(ManagementPeriod.objects.overlapping(a, b))  # noqa: E731
    assert over(D(2019, 1, 1), D(2019, 12, 31)) == set()
    assert over(D(2019, 1, 1), D(2020, 1, 1)) == {closed}
    assert over(D(2020, 12, 31), D(2021, 1, 1)) == {closed, open_}
    assert over(D(2030, 1, 1)) == {open_}
    assert over(D(2019, 1, 1)) == {closed, open_}


def test_related_manager_and_q_through_a_relation(rows):
    closed, _open = rows
    assert list(closed.building.management.active_on(D(2020, 6, 1))) == [closed]
    q = periods.active_on_q(D(2020, 6, 1), prefix="management__")
    assert list(type(closed.building).objects.filter(q)) == [closed.building]


def test_other_field_names():
    qs = IntegrationAgreement.objects.active_on(D(2024, 1, 1))
    sql = str(qs.query)
    assert "valid_from" in sql and "valid_to" in sql
    assert qs.query.where is not None


def test_q_builders_are_plain_q():
    assert isinstance(periods.overlapping_q(D(2020, 1, 1)), Q)
