"""Formula injection (issue 9, item 5): every CSV/XLSX export of the project writes a stored
text that starts with ``= + - @`` as text with a ``'`` in front, never as a live formula, and
keeps real numbers numeric. One test per export endpoint, each with every planted payload."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from domovoy.audit.services import acting_as
from domovoy.core import exports
from domovoy.directory.models import Building, Organization
from domovoy.directory.services import organization_update
from domovoy.servicedesk.models import Topic
from tests.fixtures import msk

pytestmark = [pytest.mark.django_db, pytest.mark.req("S7")]

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(1)"]


def xlsx_cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_xlsx_neutralised(content: bytes, payload: str):
    cells = xlsx_cells(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a live formula"
    values = [c.value for c in cells]
    assert payload not in values
    planted = [c for c in cells if c.value == "'" + payload]
    assert planted and all(c.data_type == "s" for c in planted)


def assert_csv_neutralised(content: bytes, payload: str):
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    values = [v for row in rows for v in row]
    assert payload not in values
    assert "'" + payload in values


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# --- the helper ----------------------------------------------------------------------------


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_the_helper_prefixes_every_formula_lead_character(lead):
    assert exports.neutralise(f"{lead}1") == f"'{lead}1"
    assert exports.neutralise("ул. Мира") == "ул. Мира"


def test_the_helper_keeps_numbers_numeric_negative_ones_included():
    content = exports.xlsx_bytes(
        [exports.Sheet(title="t", header=["a", "b", "c"], rows=[[-2, -2.5, "-2"]])]
    )
    row = xlsx_cells(content)[3:]
    assert [c.data_type for c in row] == ["n", "n", "s"]
    assert [c.value for c in row] == [-2, -2.5, "'-2"]
    text = exports.csv_bytes(["a", "b"], [[-2, "-2"]]).decode("utf-8-sig")
    assert text.splitlines()[1] == "-2;'-2"


# --- outage durations (page: CSV and XLSX) ---------------------------------------------------


@pytest.fixture
def durations_client(client, frozen, publish_planned, rso_dispatcher, houses):
    publish_planned(msk(2026, 12, 20, 10, 0), completion="manual")
    frozen.move_to(msk(2026, 12, 20, 13, 0))
    client.force_login(rso_dispatcher)
    return client


DURATIONS = {"date_from": "2026-12-01", "date_to": "2026-12-31", "by": "building"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_outage_durations_csv_writes_a_building_name_as_text(
    durations_client,
    houses,
    payload,
):
    Building.objects.filter(pk=houses[0].pk).update(settlement=payload)
    response = durations_client.get("/outages/durations/", {**DURATIONS, "format": "csv"})
    assert response.status_code == 200
    assert_csv_neutralised(response.content, payload + ", ул. Советская, д. 1")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_outage_durations_xlsx_writes_a_building_name_as_text(
    durations_client,
    houses,
    payload,
):
    Building.objects.filter(pk=houses[0].pk).update(settlement=payload)
    response = durations_client.get("/outages/durations/", {**DURATIONS, "format": "xlsx"})
    assert response.status_code == 200
    assert_xlsx_neutralised(response.content, payload + ", ул. Советская, д. 1")
    hours = [c for c in xlsx_cells(response.content) if c.column == 3 and c.row > 2]
    assert hours and all(c.data_type == "n" for c in hours)  # numbers stay numbers


# --- request statistics (page: XLSX) ---------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_statistics_xlsx_writes_names_and_streets_as_text(
    client,
    file_request,
    building,
    uo,
    uo_dispatcher,
    payload,
):
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC), tick=False):
        sr = file_request()
    Building.objects.filter(pk=building.pk).update(street=payload)
    Topic.objects.filter(pk=sr.topic_id).update(name=payload)
    Organization.objects.filter(pk=uo.pk).update(short_name=payload)
    client.force_login(uo_dispatcher)
    response = client.get(
        reverse("servicedesk:staff_stats_xlsx"),
        {"date_from": "2026-03-01", "date_to": "2026-03-31"},
    )
    assert response.status_code == 200
    assert_xlsx_neutralised(response.content, payload)  # organisation
    values = [c.value for c in xlsx_cells(response.content)]
    assert f"'{payload}, {building.house}" in values  # building
    assert any(str(v).endswith(f" / {payload}") or v == f"'{payload}" for v in values)  # topic


# --- the audit log (page and API: XLSX) ------------------------------------------------------


@pytest.fixture
def planted_audit(uo, uo_admin):
    def plant(payload):
        with acting_as(uo_admin):
            organization_update(organization=uo, data={"head_name": payload})  # R15 reads hours

    return plant


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_audit_page_export_writes_logged_values_as_text(
    client, functional_operator, planted_audit, payload
):
    planted_audit(payload)
    client.force_login(functional_operator)
    response = client.get(reverse("audit:export"), {"action": "update"})
    assert response.status_code == 200
    assert_xlsx_neutralised(body(response), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_audit_api_export_writes_logged_values_as_text(
    functional_operator, planted_audit, payload
):
    planted_audit(payload)
    api = APIClient()
    api.force_authenticate(functional_operator)
    response = api.get("/api/v1/audit/export.xlsx", {"action": "update"})
    assert response.status_code == 200
    assert_xlsx_neutralised(body(response), payload)


# --- onboarding blank forms (XLSX: text headers and an example row, no formula) --------------


@pytest.mark.parametrize("kind", ["employees", "served", "accounts"])
def test_the_onboarding_blank_forms_hold_only_text_headers(client, kind):
    response = client.get(reverse("onboarding:template", args=[kind]))
    assert response.status_code == 200
    cells = [c for c in xlsx_cells(response.content) if c.value is not None]
    assert cells and all(c.data_type == "s" for c in cells if c.row == 1)
    # The example row (issue 12, item 9) holds text, numbers and dates; never a formula.
    assert all(c.data_type in ("s", "n", "d") for c in cells), [c.data_type for c in cells]
