"""Supplier delay statistics over a period (O2, issue 11): per responsible organisation the
outages, late publications (planned: less than the required advance; emergency: over 1 hour
after the accident), overdue restorations and mean delays; a page for the control body (the
supplier sees its own) with XLSX export, and an API endpoint; other roles are refused."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from domovoy.directory.models import Organization
from domovoy.outages import services, tasks
from domovoy.outages.zones import zone_spec
from tests import factories as f
from tests.fixtures import msk

pytestmark = pytest.mark.django_db

PERIOD = {"date_from": "2026-12-01", "date_to": "2026-12-31"}


@pytest.fixture
def history(frozen, publish_planned, rso_dispatcher, houses, rso):
    Organization.objects.filter(pk=rso.pk).update(short_name="Водоканал <b>Север</b>")
    rso_dispatcher._domovoy_employee = False  # forget the memoised organisation
    on_time = publish_planned(msk(2026, 12, 20, 10, 0), completion="manual")
    late = publish_planned(msk(2026, 12, 10, 10, 0), msk(2026, 12, 10, 18, 0))
    frozen.move_to(msk(2026, 12, 8, 3, 10))
    emergency = services.outage_publish(
        actor=rso_dispatcher,
        kind="emergency",
        resource="cold_water",
        network="supplier",
        zone=zone_spec(building_ids=[houses[0].pk]),
        reason="Порыв",
        accident_at=msk(2026, 12, 8, 1, 10),  # published 2 hours later
        planned_end=msk(2026, 12, 8, 9, 0),
    )
    frozen.move_to(msk(2026, 12, 8, 10, 0))  # restored an hour after the estimate
    services.outage_complete(
        actor=rso_dispatcher, outage=emergency, actual_end=msk(2026, 12, 8, 10, 0)
    )
    frozen.move_to(msk(2026, 12, 20, 19, 0))  # the manual one is not finished: flagged
    tasks.complete_due_outages()
    tasks.flag_overdue_outages()
    return {"on_time": on_time, "late": late, "emergency": emergency}


@pytest.fixture
def other_supplier_outage(frozen, territory, houses, uo):
    org = f.OrganizationFactory(kinds=["rso"], territory=territory["district"], short_name="Газ")
    from domovoy.directory.models import ServiceLink

    ServiceLink.objects.create(uo=uo, provider=org, resource="gas", start=msk(2020, 1, 1).date())
    disp = f.employee(org, roles=["supplier_dispatcher"], username="gasdisp").user
    services.outage_publish(
        actor=disp,
        kind="planned",
        resource="gas",
        network="supplier",
        zone=zone_spec(building_ids=[houses[0].pk]),
        reason="Проверка",
        start=msk(2026, 12, 25, 10, 0),
        planned_end=msk(2026, 12, 25, 12, 0),
    )
    return disp


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def api_for(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.req("O2", "O1")
def test_the_control_body_reads_every_supplier_of_its_territory(
    history, other_supplier_outage, city_controller
):
    rows = api_for(city_controller).get("/api/v1/outages/statistics/", PERIOD).json()
    by_name = {r["organization"]: r for r in rows}
    assert set(by_name) == {"Водоканал <b>Север</b>", "Газ"}
    water = by_name["Водоканал <b>Север</b>"]
    assert water["outages"] == 3
    assert water["late_published"] == 2  # the late planned one and the emergency
    assert water["late_notice"] == 1 and water["late_publication"] == 1
    assert water["overdue_restorations"] == 2  # restored late, and flagged unfinished
    assert water["mean_publication_delay"] == 120.0
    # the emergency restored 1 h after its estimate; the unfinished one is 1 h past its end
    assert water["mean_restoration_delay"] == 60.0
    assert by_name["Газ"]["outages"] == 1 and by_name["Газ"]["late_notice"] == 1

    page = client_for(city_controller).get("/outages/statistics/", PERIOD)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Водоканал &lt;b&gt;Север&lt;/b&gt;" in text and "<b>Север</b>" not in text


@pytest.mark.req("O2")
def test_a_supplier_reads_only_its_own_and_exports_xlsx(
    history, other_supplier_outage, rso_dispatcher
):
    rows = api_for(rso_dispatcher).get("/api/v1/outages/statistics/", PERIOD).json()
    assert [r["organization"] for r in rows] == ["Водоканал <b>Север</b>"]
    gas = api_for(other_supplier_outage).get("/api/v1/outages/statistics/", PERIOD).json()
    assert [r["organization"] for r in gas] == ["Газ"]

    response = client_for(rso_dispatcher).get("/outages/statistics/", {**PERIOD, "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, row in enumerate(values) if row[0] == "Организация")
    assert values[header_at + 1][:3] == ["Водоканал <b>Север</b>", 3, 2]
    assert len(values) == header_at + 2


@pytest.mark.req("O2")
def test_the_list_links_the_statistics_only_for_those_who_may_read_them(
    history, rso_dispatcher, resident
):
    assert "/outages/statistics/" in client_for(rso_dispatcher).get("/outages/").content.decode()


@pytest.mark.req("O2")
def test_residents_media_and_call_operators_are_refused(frozen, resident, territory):
    body = f.OrganizationFactory(kinds=["control"], territory=territory["city"])
    media = f.employee(body, roles=["media"], username="press").user
    centre = f.OrganizationFactory(kinds=["call_centre"], territory=territory["city"])
    operator = f.employee(centre, roles=["call_operator"], username="callop").user
    for user in (resident, media, operator):
        assert client_for(user).get("/outages/statistics/").status_code == 403
        assert api_for(user).get("/api/v1/outages/statistics/", PERIOD).status_code == 403
    assert APIClient().get("/api/v1/outages/statistics/", PERIOD).status_code in (401, 403)
    assert Client().get("/outages/statistics/").status_code == 302


@pytest.mark.req("O2")
def test_a_bad_period_is_refused_with_the_field_named(city_controller):
    r = api_for(city_controller).get(
        "/api/v1/outages/statistics/", {"date_from": "2026-12-31", "date_to": "2026-12-01"}
    )
    assert r.status_code == 400 and "date_to" in r.content.decode()
    page = client_for(city_controller).get(
        "/outages/statistics/", {"date_from": "2026-12-31", "date_to": "2026-12-01"}
    )
    assert page.status_code == 200 and "Не раньше даты начала" in page.content.decode()
