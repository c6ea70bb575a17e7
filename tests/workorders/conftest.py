"""The work-order cast: the shared cast (tests/fixtures.py: Anna's request about the entrance
door with «УК Центр», the lift contractor, the water supplier, a stranger UO, the operators),
the shipped default form, and a filled-in work order's data."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from domovoy.servicedesk import services as sd

MSK = ZoneInfo("Europe/Moscow")
# A Tuesday in working hours: the request's deadlines and the numbering year are fixed.
NOW = dt.datetime(2026, 3, 10, 11, 0, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def form(db):
    """The shipped default form, version 1 in force."""
    from domovoy.workorders.models import WorkOrderTemplate

    call_command("load_workorder_templates", verbosity=0)
    return WorkOrderTemplate.objects.get(kind="standard")


@pytest.fixture
def in_work(sr, uo_dispatcher):
    """Anna's request, taken in work by «УК Центр»."""
    sd.service_request_transition(
        request=sr, action="start", actor=uo_dispatcher, comment="Взяли в работу"
    )
    sr.refresh_from_db()
    return sr


def good_data(**overrides):
    data = {
        "performer": "Слесарь Кузнецов А. В.",
        "crew": "Кузнецов А. В., Орлов П. С.",
        "work_date": "10.03.2026",
        "work_time": "10:30 — 12:15",
        "labour_hours": "1,5",
        "cause": "Износ доводчика, течь масла",
        "works": [
            {"name": "Замена доводчика входной двери", "unit": "шт.", "quantity": "1"},
            {"name": "Регулировка петель", "unit": "шт.", "quantity": 2},
        ],
        "materials": "Доводчик Dorma TS-77 — 1 шт.",
        "result": "Дверь закрывается плотно",
    }
    data.update(overrides)
    return data


@pytest.fixture
def work_order(form, in_work, uo_dispatcher):
    from domovoy.workorders import services

    return services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
