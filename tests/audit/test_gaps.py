"""Item 11 of issue 9 (S3): role grants, organisation kinds, users, classifier topics and
announcements are in the audit trail, and request and outage histories are in the exportable
log — each with who, when, before and after, on the page and in the XLSX export."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from domovoy.audit.models import AuditEntry
from domovoy.audit.services import acting_as
from domovoy.directory import services as directory
from domovoy.servicedesk.models import Topic

pytestmark = [pytest.mark.req("S3"), pytest.mark.django_db]


def _export_rows(client):
    response = client.get("/audit/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [
        tuple(c if c is not None else "" for c in row)
        for row in book.active.iter_rows(min_row=2, values_only=True)
    ]


def _entry(**filters):
    entries = list(AuditEntry.objects.filter(**filters))
    assert entries, f"no audit entry with {filters}"
    return entries[0]


def test_a_role_grant_is_in_the_log_with_before_and_after(
    client, uo_admin, uo_dispatcher, functional_operator
):
    api = APIClient()
    api.force_login(uo_admin)
    employee = uo_dispatcher.employee
    response = api.post(
        f"/api/v1/employees/{employee.pk}/roles/",
        {"roles": ["uo_dispatcher", "uo_engineer"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    entry = _entry(
        model_label="directory.employee", object_id=str(employee.pk), changes__has_key="roles"
    )
    assert entry.changes["roles"] == [["uo_dispatcher"], ["uo_dispatcher", "uo_engineer"]]
    assert entry.actor == uo_admin
    assert entry.at is not None
    client.force_login(functional_operator)
    # The stored codes are shown in words on the page and in the export (issue 12).
    assert "Инженер УО" in client.get("/audit/?model=directory.employee").content.decode()
    assert any("Инженер УО" in str(row[8]) and row[6] == "роли" for row in _export_rows(client))


def test_a_new_employee_roles_and_user_are_in_the_log_without_the_password(uo, uo_admin):
    with acting_as(uo_admin):
        employee, password = directory.employee_create(
            organization=uo,
            full_name="Иванова Мария Петровна",
            position="Диспетчер",
            roles=["uo_dispatcher"],
            send_credentials=False,
        )
    user_entry = _entry(model_label="directory.user", object_id=str(employee.user.pk))
    assert user_entry.action == AuditEntry.Action.CREATE
    assert user_entry.actor == uo_admin
    assert "password" not in user_entry.changes
    assert user_entry.changes["username"] == [None, employee.user.username]
    assert not AuditEntry.objects.filter(changes__icontains=password).exists()
    roles = _entry(model_label="directory.employee", changes__has_key="roles")
    assert roles.changes["roles"] == [[], ["uo_dispatcher"]]


def test_a_user_change_is_in_the_log(uo_admin, uo_dispatcher):
    with acting_as(uo_admin):
        directory.employee_deactivate(employee=uo_dispatcher.employee)
    entry = _entry(model_label="directory.user", object_id=str(uo_dispatcher.pk), action="update")
    assert entry.changes["is_active"] == [True, False]
    assert entry.actor == uo_admin


def test_organisation_kinds_are_in_the_log(client, uo, functional_operator):
    with acting_as(functional_operator):
        directory.organization_update(organization=uo, data={}, kinds=["uo", "contractor"])
    entry = _entry(
        model_label="directory.organization", object_id=str(uo.pk), changes__has_key="kinds"
    )
    assert entry.changes["kinds"] == [["uo"], ["contractor", "uo"]]
    assert entry.actor == functional_operator
    client.force_login(functional_operator)
    assert any(
        row[6] == "виды деятельности" and "Подрядная" in str(row[8]) for row in _export_rows(client)
    )


def test_classifier_topics_are_in_the_log(functional_operator):
    with acting_as(functional_operator):
        call_command("load_classifier", verbosity=0)
        topic = Topic.objects.filter(parent__isnull=False).first()
        before = topic.name
        topic.name = "Новое название темы"
        topic.save()
    assert AuditEntry.objects.filter(model_label="servicedesk.topic", action="create").exists()
    entry = _entry(model_label="servicedesk.topic", object_id=str(topic.pk), action="update")
    assert entry.changes["name"] == [before, "Новое название темы"]
    assert entry.actor == functional_operator


def test_announcements_are_in_the_log(client, functional_operator):
    client.force_login(functional_operator)
    response = client.post(
        "/help/announcements/new/",
        {"title": "Плановые работы", "body": "Портал будет недоступен ночью", "audience": "all"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = _entry(model_label="announcements.announcement", action="create")
    assert entry.changes["title"] == [None, "Плановые работы"]
    assert entry.actor == functional_operator
    page = client.get("/audit/?model=announcements.announcement").content.decode()
    assert "Плановые работы" in page


def test_request_history_is_in_the_exportable_log(client, sr, uo_dispatcher, functional_operator):
    api = APIClient()
    api.force_login(uo_dispatcher)
    sr.refresh_from_db()
    response = api.post(
        f"/api/v1/requests/{sr.pk}/accept/", {"comment": "Принята в работу"}, format="json"
    )
    assert response.status_code == 200, response.content
    entries = AuditEntry.objects.filter(
        model_label="servicedesk.servicerequest", object_id=str(sr.pk)
    )
    assert entries.filter(action="create").exists(), "the filing is in the log"
    accepted = entries.filter(action="update").first()
    assert accepted is not None
    assert accepted.actor == uo_dispatcher
    assert accepted.changes["status"][0] and accepted.changes["status"][1]
    assert accepted.changes["status"][0] != accepted.changes["status"][1]
    client.force_login(functional_operator)
    rows = [r for r in _export_rows(client) if r[4] == str(sr.pk) and r[6] == "статус"]
    assert len(rows) >= 2
    assert any(r[7] and r[8] for r in rows), "before and after of a status change"
    assert all(isinstance(r[0], dt.datetime) for r in rows), "when"
    assert any(uo_dispatcher.last_name in r[1] for r in rows), "who"


def test_outage_history_is_in_the_exportable_log(
    client, publish_planned, rso_dispatcher, functional_operator
):
    start = timezone.now() + dt.timedelta(days=15)
    outage = publish_planned(start)
    entry = _entry(model_label="outages.outage", object_id=str(outage.pk))
    assert entry.actor == rso_dispatcher
    assert entry.action == AuditEntry.Action.CREATE
    client.force_login(functional_operator)
    assert any(r[4] == str(outage.pk) and r[3] == entry.model for r in _export_rows(client))


def test_signing_in_writes_no_history_of_the_user(client, uo_dispatcher):
    HistoricalUser = type(uo_dispatcher).history.model
    before = HistoricalUser.objects.filter(id=uo_dispatcher.pk).count()
    response = client.post("/login/", {"username": "uodisp", "password": "secret-pass-1"})
    assert response.status_code == 302
    assert HistoricalUser.objects.filter(id=uo_dispatcher.pk).count() == before
