"""Issue 12 item 10b (R9, U 3.5.2е): the completion report starts from the work order's works,
on the card's «Выполнено» form and in the API's action list; nobody else is offered it."""

import html

import pytest
from django.test import Client
from rest_framework.test import APIClient

from domovoy.workorders import services

from .conftest import good_data

pytestmark = [pytest.mark.req("R9"), pytest.mark.django_db, pytest.mark.work_order_required]


def card(user, sr) -> str:
    client = Client()
    client.force_login(user)
    return html.unescape(client.get(f"/requests/work/{sr.number}/").content.decode())


def test_the_complete_form_starts_with_the_work_orders_works(form, in_work, uo_dispatcher):
    wo = services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    page = card(uo_dispatcher, in_work)
    start = page.index('name="complete-report"')
    textarea = page[start : page.index("</textarea>", start)]
    assert f"Выполнены работы по заказ-наряду № {wo.number}:" in textarea
    assert "1. Замена доводчика входной двери — 1 шт." in textarea
    assert "2. Регулировка петель — 2 шт." in textarea


def test_the_latest_work_order_is_the_one_offered(form, in_work, uo_dispatcher):
    services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    later = services.work_order_create(
        request=in_work,
        actor=uo_dispatcher,
        data=good_data(works=[{"name": "Замена петли", "unit": "шт.", "quantity": "1"}]),
    )
    page = card(uo_dispatcher, in_work)
    assert f"по заказ-наряду № {later.number}:" in page and "1. Замена петли — 1 шт." in page


def test_the_api_offers_the_same_text_as_the_reports_initial_value(
    form, in_work, uo_dispatcher, anna
):
    wo = services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    api = APIClient()
    api.force_authenticate(uo_dispatcher)
    actions = {a["action"]: a for a in api.get(f"/api/v1/requests/{in_work.pk}/actions/").json()}
    report = next(p for p in actions["complete"]["params"] if p["name"] == "report")
    assert report["initial"] == services.work_order_report_text(wo)
    comment = next(p for p in actions["complete"]["params"] if p["name"] == "comment")
    assert comment["initial"] == ""

    # The resident is not offered the completion (nor its text).
    resident = APIClient()
    resident.force_authenticate(anna)
    theirs = resident.get(f"/api/v1/requests/{in_work.pk}/actions/").json()
    assert "complete" not in {a["action"] for a in theirs}
    assert "Выполнены работы по заказ-наряду" not in str(theirs)


def test_a_posted_report_is_what_the_executor_wrote_not_the_prefill(form, in_work, uo_dispatcher):
    services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    client = Client()
    client.force_login(uo_dispatcher)
    in_work.refresh_from_db()
    response = client.post(
        f"/requests/work/{in_work.number}/act/complete/",
        {
            "complete-version": in_work.version,
            "complete-report": "Заменён доводчик, отрегулированы петли",
            "complete-comment": "Дверь исправлена",
        },
    )
    assert response.status_code == 302
    in_work.refresh_from_db()
    assert in_work.completion_report == "Заменён доводчик, отрегулированы петли"


def test_without_a_work_order_the_report_starts_empty(in_work, uo_dispatcher, settings):
    settings.SERVICEDESK_WORK_ORDER_REQUIRED = False
    page = card(uo_dispatcher, in_work)
    start = page.index('name="complete-report"')
    textarea = page[start : page.index("</textarea>", start)]
    assert "заказ-наряду" not in textarea
