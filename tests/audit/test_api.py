"""The audit trail through the API: list, filters, export; read-only (S3)."""

import io

import openpyxl
import pytest

from domovoy.audit.models import AuditEntry
from domovoy.audit.services import acting_as
from domovoy.directory.services import organization_update

pytestmark = [pytest.mark.req("S3"), pytest.mark.django_db]


@pytest.fixture
def changed(uo, uo_admin):
    old = uo.working_hours
    with acting_as(uo_admin):
        organization_update(organization=uo, data={"working_hours": "круглосуточно"})
    return {"org": uo, "old": old}


def test_an_operator_lists_the_log_with_before_and_after(
    api, functional_operator, changed, uo_admin
):
    api.force_authenticate(functional_operator)
    response = api.get("/api/v1/audit/", {"action": "update", "object_id": changed["org"].pk})
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["actor"] == uo_admin.pk
    assert row["model"] == "организация"
    assert row["model_label"] == "directory.organization"
    assert row["changes"] == {"working_hours": [changed["old"], "круглосуточно"]}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused_with_405(api, functional_operator, changed, method):
    api.force_authenticate(functional_operator)
    count = AuditEntry.objects.count()
    response = getattr(api, method)("/api/v1/audit/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert getattr(api, method)("/api/v1/audit/export.xlsx", {}).status_code == 405
    assert AuditEntry.objects.count() == count


@pytest.mark.req("S2")
def test_a_uo_dispatcher_gets_403(api, uo_dispatcher, changed):
    api.force_authenticate(uo_dispatcher)
    assert api.get("/api/v1/audit/").status_code == 403
    assert api.get("/api/v1/audit/export.xlsx").status_code == 403


@pytest.mark.req("S2")
def test_anonymous_callers_are_refused(api):
    assert api.get("/api/v1/audit/").status_code in (401, 403)


def test_the_api_export_holds_the_filtered_rows(
    api, functional_operator, changed, other_uo, uo_admin
):
    with acting_as(uo_admin):
        organization_update(organization=other_uo, data={"okved": "99.99"})
    api.force_authenticate(functional_operator)
    response = api.get("/api/v1/audit/export.xlsx", {"object_id": changed["org"].pk})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [v for row in book.active.iter_rows(values_only=True) for v in row]
    assert "круглосуточно" in values
    assert "99.99" not in values


def test_a_bad_filter_gets_a_json_error(api, functional_operator):
    api.force_authenticate(functional_operator)
    response = api.get("/api/v1/audit/export.xlsx", {"date_from": "вчера"})
    assert response.status_code == 400
    assert "date_from" in response.json()["fields"]
    response = api.get("/api/v1/audit/", {"date_from": "вчера"})
    assert response.status_code == 400
