"""Deadlines with the hours organisations actually write on their cards (R15, issue 11)."""

import pytest
import time_machine

from domovoy.directory.models import Organization
from domovoy.servicedesk.models import Topic

from .helpers import at

pytestmark = [pytest.mark.req("R15"), pytest.mark.django_db]

DEMO = "пн–чт 8:00–17:00; пт 8:00–16:00; аварийная служба круглосуточно"


@pytest.fixture
def demo_hours(uo):
    Organization.objects.filter(pk=uo.pk).update(working_hours=DEMO)
    uo.refresh_from_db()
    return uo


def test_the_deadline_counts_the_demo_uos_own_hours_not_nine_to_six(file_request, demo_hours):
    # «Холодные батареи»: 8 working hours. Filed on Friday 2026-11-20 at 15:00: the UO works
    # until 16:00 on Fridays (1 h), then Monday 08:00–13:00 (5 h) and 14:00–16:00 (2 h).
    # Read as the fallback 09:00–18:00 it was Monday 15:00.
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        request = file_request("heating-cold-radiators", "Холодная батарея в спальне")
    assert request.executor_org == demo_hours
    assert request.deadline_at == at(2026, 11, 23, 16, 0)


def test_an_emergency_topic_in_working_hours_counts_the_duty_service(file_request, demo_hours):
    # A classifier may give an emergency topic a term in working hours (R2); then the UO's
    # round-the-clock emergency service counts, even on a holiday night (R8).
    Topic.objects.filter(code="sewer-blockage").update(deadline_working=True, deadline_hours=4)
    with time_machine.travel(at(2027, 1, 1, 3, 0), tick=False):
        request = file_request("sewer-blockage", "Засор, вода поднимается")
    assert request.is_emergency
    assert request.deadline_at == at(2027, 1, 1, 7, 0)
    # An office topic filed at the same moment waits for the first working day (11 January).
    with time_machine.travel(at(2027, 1, 1, 3, 0), tick=False):
        office = file_request("heating-cold-radiators", "Холодная батарея")
    assert office.deadline_at == at(2027, 1, 11, 17, 0)


def test_an_organisation_working_round_the_clock_counts_every_hour(file_request, uo):
    Organization.objects.filter(pk=uo.pk).update(working_hours="круглосуточно")
    with time_machine.travel(at(2026, 11, 21, 22, 0), tick=False):  # a Saturday night
        request = file_request("heating-cold-radiators", "Холодная батарея")
    assert request.deadline_at == at(2026, 11, 22, 6, 0)


def test_a_stored_card_that_cannot_be_read_still_gets_the_default_hours(file_request, uo):
    Organization.objects.filter(pk=uo.pk).update(working_hours="по записи")
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        request = file_request("heating-cold-radiators", "Холодная батарея")
    assert request.deadline_at == at(2026, 11, 23, 15, 0)
