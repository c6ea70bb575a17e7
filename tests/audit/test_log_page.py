"""The read-only audit log page and its XLSX export (S3)."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from domovoy.audit.models import AuditEntry
from domovoy.audit.services import acting_as
from domovoy.directory.services import organization_update
from tests import factories as f

pytestmark = [pytest.mark.req("S3"), pytest.mark.django_db]


@pytest.fixture
def changed(uo, uo_admin):
    old = uo.working_hours
    with acting_as(uo_admin):
        organization_update(organization=uo, data={"working_hours": "круглосуточно"})
    return {"org": uo, "old": old, "new": "круглосуточно"}


def test_an_operator_sees_who_changed_what_before_and_after(
    client, functional_operator, changed, uo_admin
):
    client.force_login(functional_operator)
    response = client.get(reverse("audit:log"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Журнал аудита" in body
    assert uo_admin.full_name in body
    assert "время работы" in body  # the field's human name
    assert changed["old"] in body and "круглосуточно" in body
    assert "изменение" in body


@pytest.mark.req("S2")
def test_a_uo_dispatcher_gets_403(client, uo_dispatcher, changed):
    client.force_login(uo_dispatcher)
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403


@pytest.mark.req("S2")
def test_an_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("audit:log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.req("S2")
def test_a_control_body_reads_the_log_of_its_territory_only(client, territory, functional_operator):
    district_body = f.OrganizationFactory(kinds=["control"], territory=territory["district"])
    controller = f.employee(district_body, roles=["controller"], username="gji").user
    here = f.OrganizationFactory(
        kinds=["uo"], territory=territory["district"], short_name="ООО «Здесь»"
    )
    there = f.OrganizationFactory(
        kinds=["uo"], territory=territory["other_district"], short_name="ООО «Там»"
    )
    with acting_as(functional_operator):
        organization_update(organization=here, data={"okved": "11.11"})
        organization_update(organization=there, data={"okved": "22.22"})
    client.force_login(controller)
    body = client.get(reverse("audit:log") + "?action=update").content.decode()
    assert "11.11" in body
    assert "22.22" not in body


def test_filters_narrow_the_log(
    client, functional_operator, uo, other_uo, uo_admin, other_uo_admin
):
    with acting_as(uo_admin):
        organization_update(organization=uo, data={"okved": "33.33"})
    with acting_as(other_uo_admin):
        organization_update(organization=other_uo, data={"okved": "44.44"})
    client.force_login(functional_operator)
    url = reverse("audit:log")

    def shown(query):
        body = client.get(url + query).content.decode()
        return {code for code in ("33.33", "44.44") if code in body}

    assert shown("") == {"33.33", "44.44"}
    assert shown(f"?object_id={uo.pk}&model=организация") == {"33.33"}
    assert shown("?model=directory.organization&action=update") == {"33.33", "44.44"}
    assert shown("?action=delete") == set()
    assert shown(f"?actor={other_uo_admin.pk}") == {"44.44"}
    assert shown(f"?actor_name={uo_admin.last_name}") == {"33.33"}
    today = timezone.localdate()
    assert shown(f"?date_from={today}&date_to={today}") == {"33.33", "44.44"}
    assert shown(f"?date_to={today - dt.timedelta(days=1)}") == set()
    assert shown(f"?date_from={today + dt.timedelta(days=1)}") == set()


def test_the_period_filter_uses_local_days(client, functional_operator, territory, uo_admin):
    # 23:30 Moscow time on 10 March is 20:30 UTC: it belongs to 10 March.
    moment = dt.datetime(2026, 3, 10, 20, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False), acting_as(uo_admin):
        org = f.OrganizationFactory(kinds=["uo"], territory=territory["district"])
        organization_update(organization=org, data={"okved": "55.55"})
    client.force_login(functional_operator)
    body = client.get(reverse("audit:log") + "?date_from=2026-03-10&date_to=2026-03-10")
    assert "55.55" in body.content.decode()
    body = client.get(reverse("audit:log") + "?date_from=2026-03-11")
    assert "55.55" not in body.content.decode()


def test_a_bad_date_is_reported_not_crashing(client, functional_operator, changed):
    client.force_login(functional_operator)
    response = client.get(reverse("audit:log") + "?date_from=вчера")
    assert response.status_code == 200
    assert "Введите правильную дату" in response.content.decode()


def _make_entries(n, actor):
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action="update",
                model="организация",
                model_label="directory.organization",
                object_id=str(i),
                object_repr=f"ООО {i}",
                actor=actor,
                actor_name="Иванов",
                changes={"okved": ["1", "2"], "inn": ["3", "4"]},
            )
            for i in range(n)
        ]
    )


def test_the_page_runs_a_constant_number_of_queries(client, functional_operator):
    client.force_login(functional_operator)
    url = reverse("audit:log")
    _make_entries(3, functional_operator)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _make_entries(60, functional_operator)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    # Names of related objects cost one query per model on the page (issue 12), never one per
    # row: the small page, with the cast's own creation entries, names more kinds of objects.
    assert len(large) <= len(small)
    assert "Страница 1 из 2" in response.content.decode()
    assert len(response.context["rows"]) == 50


def test_the_export_opens_in_a_spreadsheet_and_holds_the_change(
    client, functional_operator, changed, uo_admin
):
    client.force_login(functional_operator)
    query = f"?object_id={changed['org'].pk}&action=update"
    response = client.get(reverse("audit:export") + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Время", "Кто", "Действие")
    hit = [r for r in rows if r[6] == "время работы"]
    assert len(hit) == 1
    assert hit[0][1].startswith(uo_admin.full_name)
    assert hit[0][2] == "изменение"
    assert (hit[0][7], hit[0][8]) == (changed["old"], "круглосуточно")
    assert isinstance(hit[0][0], dt.datetime)


def test_the_export_writes_formulas_as_text(client, functional_operator, uo, uo_admin):
    with acting_as(uo_admin):
        organization_update(organization=uo, data={"head_name": '=HYPERLINK("x")'})
    client.force_login(functional_operator)
    response = client.get(reverse("audit:export") + "?action=update")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [r[8] for r in book.active.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("x")' in values  # neutralised by core.exports (S7)
    cell_types = [c.data_type for c in book.active["I"][1:]]
    assert "f" not in cell_types


def test_the_log_offers_no_way_to_change_it(client, functional_operator, changed):
    client.force_login(functional_operator)
    assert client.post(reverse("audit:log")).status_code == 405
    assert client.post(reverse("audit:export")).status_code == 405


def test_the_admin_shows_the_log_read_only(client, changed):
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    view = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    delete = client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
