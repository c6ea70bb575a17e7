"""R9 / U 3.5.2е: an executor completes a request only with a work order drawn since it last
went back to work; the card shows the work orders and the way to draw one."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from domovoy.core.errors import ApplicationError
from domovoy.servicedesk import services as sd
from domovoy.servicedesk.models import ServiceRequest
from domovoy.workorders import services

from .conftest import NOW, good_data

pytestmark = [pytest.mark.req("R9"), pytest.mark.django_db, pytest.mark.work_order_required]


def actions(sr, user):
    return {t.action for t in sd.allowed_actions(sr, user)}


def complete(sr, actor):
    return sd.service_request_transition(
        request=sr,
        action="complete",
        actor=actor,
        report="Заменён доводчик",
        comment="Доводчик заменён, дверь закрывается",
    )


def test_completion_without_a_work_order_is_refused_and_changes_nothing(in_work, uo_dispatcher):
    assert "complete" not in actions(in_work, uo_dispatcher)
    with pytest.raises(ApplicationError) as refused:
        complete(in_work, uo_dispatcher)
    assert refused.value.code == "work_order_drawn"
    assert "заказ-наряд" in refused.value.message
    row = ServiceRequest.objects.get(pk=in_work.pk)
    assert (row.status, row.version, row.events.count()) == (
        in_work.status,
        in_work.version,
        in_work.events.count(),
    )


def test_a_drawn_work_order_lets_the_executor_complete(form, in_work, uo_dispatcher):
    services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    assert "complete" in actions(in_work, uo_dispatcher)
    complete(in_work, uo_dispatcher)
    assert ServiceRequest.objects.get(pk=in_work.pk).status == "done"


def test_after_a_reopening_the_old_work_order_no_longer_counts(form, in_work, uo_dispatcher, anna):
    services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    complete(in_work, uo_dispatcher)
    sr = ServiceRequest.objects.get(pk=in_work.pk)
    sd.service_request_transition(
        request=sr, action="reopen", actor=anna, comment="Дверь снова не закрывается"
    )
    sr = ServiceRequest.objects.get(pk=in_work.pk)
    assert "complete" not in actions(sr, uo_dispatcher)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        services.work_order_create(request=sr, actor=uo_dispatcher, data=good_data())
        assert "complete" in actions(sr, uo_dispatcher)


def test_the_rule_can_be_switched_off(settings, in_work, uo_dispatcher):
    settings.SERVICEDESK_WORK_ORDER_REQUIRED = False
    complete(in_work, uo_dispatcher)
    assert ServiceRequest.objects.get(pk=in_work.pk).status == "done"


def test_the_card_lists_work_orders_and_offers_to_draw_one(form, in_work, uo_dispatcher, anna):
    staff = Client()
    staff.force_login(uo_dispatcher)
    page = staff.get(f"/requests/work/{in_work.number}/").content.decode()
    assert f"/workorders/requests/{in_work.pk}/new/" in page
    assert 'data-action-button="complete"' not in page
    wo = services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    page = staff.get(f"/requests/work/{in_work.number}/").content.decode()
    assert f'data-work-order="{wo.number}"' in page and f"/workorders/{wo.pk}/pdf/" in page
    assert 'data-action-button="complete"' in page
