"""Onboarding through the REST API (D5): intake by anyone, decisions by operators only."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from domovoy.directory.models import Account, Organization
from domovoy.onboarding.models import OnboardingRequest

from .files import account_rows, after_commit, employee_rows, uo_post_data

pytestmark = pytest.mark.req("D5")
URL = "/api/v1/onboarding-requests/"


def _create(api, data=None):
    with after_commit():
        return api.post(URL, data or uo_post_data(), format="multipart")


@pytest.mark.django_db
def test_anyone_files_a_request_and_gets_the_secret_status_link(api):
    response = _create(api)
    assert response.status_code == 201, response.json()
    body = response.json()
    onboarding = OnboardingRequest.objects.get(pk=body["id"])
    assert body["status"] == "validating"  # the worker checks the files
    assert onboarding.status == "submitted"
    assert body["status_url"].endswith(f"/onboarding/r/{onboarding.token}/")
    assert onboarding.summary["accounts"]["count"] == 6


@pytest.mark.django_db
@pytest.mark.req("S7")
def test_bad_rows_found_by_the_worker_are_listed_and_nothing_else_is_kept(api):
    rows = account_rows(12)
    rows[3][7] = rows[2][7]  # a duplicate account number
    rows[9][1] = ""  # no settlement
    response = _create(api, uo_post_data(accounts=rows))
    assert response.status_code == 201
    onboarding = OnboardingRequest.objects.get(pk=response.json()["id"])
    assert onboarding.status == "invalid"
    found = {(r["sheet"], r["line"], r["column"]) for r in onboarding.errors}
    sheet = "Лицевые счета МКД"  # the workbook's own sheet name
    assert found == {(sheet, 5, "Лицевой счёт"), (sheet, 11, "Населённый пункт")}
    assert onboarding.summary["error_count"] == 2
    assert onboarding.files.count() == 0 and Account.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.req("D1")
def test_card_errors_come_back_per_field(api):
    response = _create(api, uo_post_data(kpp="12", email="nope"))
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "kpp" in fields
    assert OnboardingRequest.objects.count() == 0


@pytest.mark.django_db
def test_the_intake_is_throttled(api, settings):
    settings.API_THROTTLE_INTAKE_ANONYMOUS = "2/min"
    codes = [api.post(URL, {"inn": "1"}, format="multipart").status_code for _ in range(3)]
    assert codes == [400, 400, 429]


@pytest.mark.django_db
def test_anonymous_and_non_operators_cannot_list_or_decide(api, uo_dispatcher, resident):
    created = _create(api).json()
    assert api.get(URL).status_code in (401, 403)
    assert api.post(f"{URL}{created['id']}/approve/").status_code in (401, 403)
    for user in (uo_dispatcher, resident):
        api.force_authenticate(user)
        assert api.get(URL).status_code == 403
        assert api.post(f"{URL}{created['id']}/approve/").status_code in (403, 404)
    assert OnboardingRequest.objects.get().status == "submitted"


@pytest.mark.django_db
def test_a_uo_admin_approving_gets_403(api, uo_admin, functional_operator):
    api.force_authenticate(uo_admin)
    created = _create(api, uo_post_data(904, accounts=[], employees=employee_rows()[:1]))
    assert created.status_code == 201, created.json()
    onboarding = OnboardingRequest.objects.get()
    response = api.post(f"{URL}{onboarding.pk}/approve/")
    assert response.status_code == 403
    assert OnboardingRequest.objects.get().status == "submitted"


@pytest.mark.django_db
def test_operators_list_with_filters_read_and_approve(api, functional_operator):
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC), tick=False):
        old = _create(api, uo_post_data(905)).json()
    fresh = _create(api, uo_post_data(906, accounts=account_rows(3, street="ул. Новая"))).json()
    api.force_authenticate(functional_operator)
    listed = api.get(URL).json()
    assert {r["id"] for r in listed["results"]} == {old["id"], fresh["id"]}
    overdue = api.get(URL, {"overdue": "true"}).json()["results"]
    assert [r["id"] for r in overdue] == [old["id"]] and overdue[0]["overdue"] is True
    assert [r["id"] for r in api.get(URL, {"overdue": "false"}).json()["results"]] == [fresh["id"]]
    assert api.get(URL, {"status": "approved"}).json()["results"] == []
    detail = api.get(f"{URL}{fresh['id']}/").json()
    assert detail["card"]["inn"] and detail["summary"]["accounts"]["count"] == 3
    assert detail["credentials"] == []

    response = api.post(f"{URL}{fresh['id']}/approve/", {"comment": "ok"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assert Organization.objects.filter(pk=response.json()["organization"]).exists()
    assert api.post(f"{URL}{fresh['id']}/approve/").status_code == 409


@pytest.mark.django_db
def test_request_changes_needs_a_comment_and_mails_the_correction_link(
    api, functional_operator, django_capture_on_commit_callbacks
):
    created = _create(api).json()
    api.force_authenticate(functional_operator)
    url = f"{URL}{created['id']}/request-changes/"
    response = api.post(url, {"comment": ""}, format="json")
    assert response.status_code == 400 and "comment" in response.json()["fields"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, {"comment": "Нет телефона инженера"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "changes_requested"
    token = OnboardingRequest.objects.get().token
    assert f"/onboarding/r/{token}/correct/" in mail.outbox[-1].body


@pytest.mark.django_db
def test_a_uo_admin_reads_its_contractor_requests_only(api, uo_admin, other_uo_admin):
    api.force_authenticate(uo_admin)
    data = uo_post_data(907, accounts=[], employees=employee_rows()[:1])
    response = api.post(URL, data, format="multipart")
    assert response.status_code == 201
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.on_behalf_of is not None and onboarding.kinds == ["contractor"]
    assert [r["id"] for r in api.get(URL).json()["results"]] == [onboarding.pk]
    assert api.get(f"{URL}{onboarding.pk}/").status_code == 200
    api.force_authenticate(other_uo_admin)
    assert api.get(URL).json()["results"] == []
    assert api.get(f"{URL}{onboarding.pk}/").status_code == 404
