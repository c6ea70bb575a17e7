"""The work-order API (R9): forms and versions for operators (G 2.4), work orders of requests
for the executor and the parties; JSON errors for forbidden paths (S2) and bad data (S7)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from domovoy.workorders import services
from domovoy.workorders.models import VersionStatus, WorkOrder

from .conftest import good_data
from .helpers import definition

pytestmark = [pytest.mark.req("R9"), pytest.mark.django_db]


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_executor_creates_a_work_order_and_reads_it(form, in_work, uo_dispatcher, uo):
    api = api_as(uo_dispatcher)
    response = api.post(
        "/api/v1/work-orders/", {"request": in_work.pk, "data": good_data()}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    wo = WorkOrder.objects.get()
    assert body["number"] == wo.number and body["request_number"] == in_work.number
    assert (body["template_kind"], body["version_number"]) == ("standard", 1)
    assert body["executor_org"] == uo.pk and body["data"]["labour_hours"] == 1.5
    assert body["pdf_url"] == f"/api/v1/work-orders/{wo.pk}/pdf/"
    assert api.get(f"/api/v1/work-orders/{wo.pk}/").json()["number"] == wo.number
    listed = api.get("/api/v1/work-orders/", {"request": in_work.pk}).json()
    assert [r["id"] for r in listed["results"]] == [wo.pk]
    assert api.get("/api/v1/work-orders/", {"request_number": "2026-999999"}).json()["count"] == 0


@pytest.mark.req("S7")
def test_bad_data_gets_a_json_error_with_fields_and_nothing_is_stored(form, in_work, uo_dispatcher):
    api = api_as(uo_dispatcher)
    response = api.post(
        "/api/v1/work-orders/",
        {"request": in_work.pk, "data": good_data(work_date="завтра", works=[])},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["work_date"] == ["Введите дату в виде ДД.ММ.ГГГГ"]
    assert body["fields"]["works"] == ["Перечислите выполненные работы: хотя бы одну строку"]
    response = api.post("/api/v1/work-orders/", {"request": 999999, "data": {}}, format="json")
    assert response.status_code == 400 and "request" in response.json()["fields"]
    response = api.post("/api/v1/work-orders/", {"data": {}}, format="json")
    assert response.status_code == 400 and "request" in response.json()["fields"]
    assert not WorkOrder.objects.exists()


@pytest.mark.req("S2")
def test_strangers_cannot_create_or_read_a_work_order(
    form, in_work, work_order, other_uo_dispatcher, boris, anna
):
    for user in (other_uo_dispatcher, anna):
        response = api_as(user).post(
            "/api/v1/work-orders/", {"request": in_work.pk, "data": good_data()}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    for user in (other_uo_dispatcher, boris):
        api = api_as(user)
        assert api.get(f"/api/v1/work-orders/{work_order.pk}/").status_code == 403
        assert api.get("/api/v1/work-orders/").json()["count"] == 0
    assert WorkOrder.objects.count() == 1
    # The resident who filed the request reads its work order.
    assert api_as(anna).get(f"/api/v1/work-orders/{work_order.pk}/").status_code == 200


def test_the_list_runs_a_constant_number_of_queries(form, in_work, uo_dispatcher):
    api = api_as(uo_dispatcher)
    services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/v1/work-orders/").json()["count"] == 1
    for _ in range(4):
        services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    with CaptureQueriesContext(connection) as five:
        assert api.get("/api/v1/work-orders/").json()["count"] == 5
    assert len(five) == len(one)


def test_operators_load_and_approve_a_version_through_the_api(
    form, technical_operator, functional_operator
):
    top, fop = api_as(technical_operator), api_as(functional_operator)
    listed = top.get("/api/v1/work-order-templates/").json()["results"]
    assert [(t["kind"], len(t["versions"])) for t in listed] == [("standard", 1)]
    v1_id = listed[0]["active_version"]
    response = top.post(
        f"/api/v1/work-order-templates/{form.pk}/versions/",
        {**definition(title="Заказ-наряд, ред. 2"), "note": "Новый заголовок"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    v2 = response.json()
    assert (v2["number"], v2["status"]) == (2, VersionStatus.DRAFT)
    assert top.post(f"/api/v1/work-order-template-versions/{v2['id']}/approve/").status_code == 403
    response = fop.post(f"/api/v1/work-order-template-versions/{v2['id']}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert fop.get(f"/api/v1/work-order-template-versions/{v1_id}/").json()["status"] == "retired"
    versions = fop.get(f"/api/v1/work-order-templates/{form.pk}/versions/").json()["results"]
    assert [(v["number"], v["status"]) for v in versions] == [(2, "active"), (1, "retired")]
    response = fop.post(f"/api/v1/work-order-template-versions/{v2['id']}/approve/")
    assert response.status_code == 409 and response.json()["code"] == "wrong_status"


def test_the_functional_operator_defines_a_form_through_the_api(functional_operator, uo_dispatcher):
    response = api_as(functional_operator).post(
        "/api/v1/work-order-templates/",
        {"kind": "emergency", "title": "Наряд на аварийные работы"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["active_version"] is None
    response = api_as(uo_dispatcher).post(
        "/api/v1/work-order-templates/", {"kind": "x", "title": "Форма"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.req("S2")
def test_non_operators_cannot_read_or_change_the_forms(
    form, uo_dispatcher, anna, functional_operator
):
    for user in (uo_dispatcher, anna):
        api = api_as(user)
        assert api.get("/api/v1/work-order-templates/").status_code == 403
        response = api.post(
            f"/api/v1/work-order-templates/{form.pk}/versions/", definition(), format="json"
        )
        assert response.status_code == 403
    response = api_as(functional_operator).post(
        f"/api/v1/work-order-templates/{form.pk}/versions/", definition(), format="json"
    )
    assert response.status_code == 403  # the functional operator approves, does not load
    assert form.versions.count() == 1


@pytest.mark.req("S7")
def test_a_bad_version_gets_a_json_error_by_key(form, technical_operator):
    response = api_as(technical_operator).post(
        f"/api/v1/work-order-templates/{form.pk}/versions/",
        definition(layout=[{"kind": "header"}]),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_definition" and set(body["fields"]) == {"layout"}
    assert form.versions.count() == 1
