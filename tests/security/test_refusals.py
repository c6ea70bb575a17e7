"""Item 10 of issue 9 (S3, S5): a refused access to a personal-data route leaves a trace — who,
organisation, when, method, path, route and object, status, address — that the technical
operator reads on a page and through the API; nobody else does."""

import pytest
from rest_framework.test import APIClient

from domovoy.audit.models import RefusedAccess
from domovoy.audit.refusals import is_personal_data_route

pytestmark = [pytest.mark.req("S3"), pytest.mark.django_db]


def test_a_foreign_dispatcher_refused_on_the_request_page_leaves_a_row(
    client, sr, other_uo_dispatcher, other_uo
):
    client.force_login(other_uo_dispatcher)
    response = client.get(f"/requests/work/{sr.number}/", REMOTE_ADDR="198.51.100.4")
    assert response.status_code in (403, 404)
    row = RefusedAccess.objects.get()
    assert row.user == other_uo_dispatcher
    assert row.username == "otherdisp"
    assert row.organization_id == other_uo.pk
    assert row.method == "GET"
    assert row.path == f"/requests/work/{sr.number}/"
    assert row.route == "servicedesk:staff_detail"
    assert row.object_id == f"number={sr.number}"
    assert row.status == response.status_code
    assert row.address == "198.51.100.4"


def test_a_foreign_dispatcher_refused_by_the_api_leaves_a_row(sr, other_uo_dispatcher):
    api = APIClient()
    api.force_authenticate(other_uo_dispatcher)
    response = api.get(f"/api/v1/requests/{sr.pk}/")
    assert response.status_code in (403, 404)
    row = RefusedAccess.objects.get()
    assert (row.user, row.route, row.object_id) == (
        other_uo_dispatcher,
        "sd-request-detail",
        f"pk={sr.pk}",
    )


def test_a_token_refused_by_the_api_is_recorded_with_its_service_account(sr, technical_operator):
    import datetime as dt

    from django.utils import timezone

    from domovoy.api import services

    today = timezone.localdate()
    agreement = services.integration_agreement_create(
        actor=technical_operator,
        number="REF-1",
        system_name="Портал",
        parties="Администрация",
        valid_from=today - dt.timedelta(days=1),
        valid_to=today + dt.timedelta(days=1),
        scopes=["directory:read"],
    )
    token = services.integration_token_issue(actor=technical_operator, agreement=agreement)[1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(f"/api/v1/requests/{sr.pk}/").status_code in (403, 404)
    assert RefusedAccess.objects.get().user == agreement.user


def test_anonymous_refusals_are_not_recorded(client, sr):
    client.get(f"/requests/work/{sr.number}/")
    APIClient().get(f"/api/v1/requests/{sr.pk}/")
    assert not RefusedAccess.objects.exists()


def test_allowed_reads_and_routes_without_personal_data_are_not_recorded(
    client, sr, uo_dispatcher, other_uo_dispatcher
):
    client.force_login(uo_dispatcher)
    assert client.get(f"/requests/work/{sr.number}/").status_code == 200
    client.force_login(other_uo_dispatcher)
    assert client.get("/no-such-page/").status_code == 404
    assert not RefusedAccess.objects.exists()


def test_the_technical_operator_lists_refusals_on_a_page_and_in_the_api(
    client, sr, other_uo_dispatcher, technical_operator
):
    client.force_login(other_uo_dispatcher)
    client.get(f"/requests/work/{sr.number}/")
    client.force_login(technical_operator)
    page = client.get("/audit/refusals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "otherdisp" in html and f"/requests/work/{sr.number}/" in html
    assert "otherdisp" not in client.get("/audit/refusals/?username=nobody").content.decode()
    assert "otherdisp" not in client.get("/audit/refusals/?date_from=2099-01-01").content.decode()
    assert client.get("/audit/refusals/?date_from=garbage").status_code == 200

    api = APIClient()
    api.force_authenticate(technical_operator)
    body = api.get("/api/v1/audit/refusals/", {"username": "otherdisp"}).json()
    assert body["count"] == 1
    assert body["results"][0]["route"] == "servicedesk:staff_detail"
    assert api.get("/api/v1/audit/refusals/", {"date_from": "x"}).status_code == 400


def test_the_refusal_log_is_paginated(client, technical_operator, other_uo_dispatcher):
    RefusedAccess.objects.bulk_create(
        RefusedAccess(
            user=other_uo_dispatcher,
            username="otherdisp",
            method="GET",
            path=f"/requests/work/{n}/",
            route="servicedesk:staff_detail",
            status=404,
        )
        for n in range(60)
    )
    client.force_login(technical_operator)
    html = client.get("/audit/refusals/").content.decode()
    assert html.count("/requests/work/") == 50
    assert "Страница 1 из 2" in html


@pytest.mark.parametrize(
    "who", ["functional_operator", "uo_admin", "uo_dispatcher", "resident", "other_uo_dispatcher"]
)
def test_other_roles_cannot_read_the_refusal_log(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get("/audit/refusals/").status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/audit/refusals/").status_code == 403


def test_the_personal_data_routes_are_declared_once():
    for name in (
        "servicedesk:staff_detail",
        "servicedesk:staff_attachment",
        "sd-request-detail",
        "sd-attachment",
        "directory:building",
        "account-detail",
        "onboarding:file",
        "audit:log",
        "api-audit-list",
    ):
        assert is_personal_data_route(name), name
    for name in ("outages:public", "home", "login", None):
        assert not is_personal_data_route(name), name
