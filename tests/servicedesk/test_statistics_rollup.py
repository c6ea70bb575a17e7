"""Statistics from the daily rollups (R18): the rollup equals a direct computation over the
requests, the worker's incremental step picks up a request that closed, the page and the API
show an organisation its own figures and the control body all of its territory, a wrong role
is refused, the XLSX opens."""

import datetime as dt
import io
import statistics as pystats

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from domovoy.servicedesk import statistics
from domovoy.servicedesk.models import RequestDayStat, ServiceRequest

from .helpers import act, at

pytestmark = pytest.mark.django_db

T0 = at(2026, 3, 3, 10, 0)
PERIOD = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
DAY = dt.date(2026, 3, 3)


def _travel(when):
    return time_machine.travel(when, tick=False)


@pytest.fixture
def day_of_requests(file_request, uo_dispatcher, rso_dispatcher, anna):
    """Six requests filed at T0: four with «УК Центр» accepted after 30 min, 2 h, 5 h and 26 h,
    three of them done and closed by the resident (one late) with ratings 5, 4 and 1; one
    rejected; and a hot-water request the supplier returns to the UO."""
    with _travel(T0):
        door = [file_request(text=f"Дверь {n}") for n in range(4)]
        rejected = file_request(text="Дверь в соседнем доме")
        hot = file_request("water-no-hot", "Нет горячей воды")
    for request, minutes in zip(door, (30, 120, 300, 26 * 60), strict=True):
        with _travel(T0 + dt.timedelta(minutes=minutes)):
            act(request, "accept", uo_dispatcher, comment="Принята")
    with _travel(T0 + dt.timedelta(hours=1)):
        act(rejected, "reject", uo_dispatcher, reject_reason="not_our_zone", comment="Не наш дом")
        act(hot, "return_to_uo", rso_dispatcher, return_reason="outside_zone", reason="Не наше")
    closes = ((door[0], 6, 5), (door[1], 30, 4))
    for request, hours, rating in closes:
        with _travel(T0 + dt.timedelta(hours=hours)):
            act(request, "start", uo_dispatcher, comment="В работе")
            act(request, "complete", uo_dispatcher, report="Готово", comment="Готово")
            act(request, "confirm", anna)
            act(request, "rate", anna, rating=rating) if rating != 1 else None
    late = door[2]
    with _travel(late.deadline_at + dt.timedelta(hours=3)):
        act(late, "start", uo_dispatcher, comment="В работе")
        act(late, "complete", uo_dispatcher, report="Готово", comment="Готово")
        act(late, "confirm", anna)
    return {"door": door, "rejected": rejected, "hot": hot}


def _bucket_range(minutes):
    edges = (0, *statistics.DURATION_BUCKET_EDGES, float("inf"))
    index = statistics.bucket_of(minutes)
    return edges[index], edges[index + 1]


def _direct(queryset, field):
    rows = queryset.exclude(**{f"{field}__isnull": True})
    return [(getattr(r, field) - r.created_at).total_seconds() / 60 for r in rows]


@pytest.mark.req("R18")
def test_the_rollup_equals_a_direct_computation_including_the_median(day_of_requests, uo):
    statistics.refresh_rollups()
    rolled = statistics.rollup_statistics(organization=uo, date_from=DAY, date_to=DAY)
    direct = statistics.statistics(organization=uo, date_from=DAY, date_to=DAY)
    s, d = rolled["summary"], direct["summary"]
    requests = ServiceRequest.objects.filter(executor_org=uo)
    assert s["total"] == requests.count() == 6
    for key in ("completed", "done", "on_time", "rejected", "open", "on_time_share"):
        assert s[key] == d[key], key
    assert s["avg_accept_hours"] == d["avg_accept_hours"]
    assert dict(rolled["by_status"]) == dict(direct["by_status"])
    # Medians: the same estimator over the raw durations, and within the bucket of the exact one.
    accepts = _direct(requests, "accepted_at")
    closes = _direct(requests.filter(status="closed"), "closed_at")
    assert len(accepts) == 4 and len(closes) == 3
    for hours, minutes in ((s["median_accept_hours"], accepts), (s["median_close_hours"], closes)):
        assert hours == round(statistics.durations_median(minutes) / 60, 1)
        # The estimate lies in the buckets of the middle values: error bounded by their width.
        ordered = sorted(minutes)
        middle = ordered[(len(ordered) - 1) // 2 : len(ordered) // 2 + 1]
        low, high = _bucket_range(middle[0])[0], _bucket_range(middle[-1])[1]
        assert low <= hours * 60 <= high and low <= pystats.median(minutes) <= high
    assert s["avg_close_hours"] == round(sum(closes) / len(closes) / 60, 1)
    # Satisfaction from the residents' ratings; returns per supplier and to the UO.
    assert s["rated"] == 2 and s["avg_rating"] == 4.5 and s["satisfied_share"] == 100.0
    assert s["returns_received"] == 1 and s["returned_to_uo"] == 1


@pytest.mark.req("R18")
def test_per_supplier_returns_and_the_rebuild_command(day_of_requests, rso, uo):
    call_command("rebuild_statistics", "--from", "2026-03-01", "--to", "2026-03-31")
    everyone = statistics.rollup_statistics(organization=None, date_from=DAY, date_to=DAY)
    orgs = {row["organization_id"]: row for row in everyone["by_org"]}
    assert orgs[rso.pk]["returns_made"] == 1 and orgs[rso.pk]["total"] == 0
    assert orgs[uo.pk]["total"] == 6
    assert everyone["summary"]["returned_to_uo"] == 1  # counted once for the whole territory
    supplier = statistics.rollup_statistics(organization=rso, date_from=DAY, date_to=DAY)
    assert supplier["summary"]["returned_to_uo"] == 1


@pytest.mark.req("R18")
def test_the_worker_recomputes_only_the_days_touched_since_its_last_run(
    file_request, uo, uo_dispatcher, anna
):
    with _travel(T0):
        request = file_request()
    with _travel(T0 + dt.timedelta(days=1)):
        older = file_request(text="Другая дверь")
    with _travel(T0 + dt.timedelta(days=2)):
        assert statistics.refresh_rollups() == [DAY, DAY + dt.timedelta(days=1)]
    first = statistics.rollup_statistics(organization=uo, date_from=DAY, date_to=DAY)["summary"]
    assert first["total"] == 1 and first["closed"] == 0
    with _travel(T0 + dt.timedelta(days=3)):
        act(request, "accept", uo_dispatcher, comment="Принята")
        act(request, "start", uo_dispatcher, comment="В работе")
        act(request, "complete", uo_dispatcher, report="Готово", comment="Готово")
        act(request, "confirm", anna)
    untouched = RequestDayStat.objects.filter(day=DAY + dt.timedelta(days=1)).get()
    with _travel(T0 + dt.timedelta(days=3, hours=1)):
        assert statistics.refresh_rollups() == [DAY]  # the closed request's filing day only
    after = statistics.rollup_statistics(organization=uo, date_from=DAY, date_to=DAY)["summary"]
    assert after["total"] == 1 and after["closed"] == 1 and after["median_close_hours"] > 0
    assert RequestDayStat.objects.filter(day=DAY + dt.timedelta(days=1)).get().pk == untouched.pk
    assert older.status == "new"


@pytest.mark.req("R18")
def test_the_page_shows_an_organisation_its_own_and_the_control_body_everyone(
    day_of_requests, client_of, uo_dispatcher, other_uo_dispatcher, controller, uo, rso
):
    statistics.refresh_rollups()
    own = client_of(uo_dispatcher).get(reverse("servicedesk:staff_stats"), PERIOD)
    assert own.status_code == 200
    assert [row["organization_id"] for row in own.context["stats"]["by_org"]] == [uo.pk]
    body = own.content.decode()
    assert 'id="stats-chart-data"' in body and "vendor/chartjs/chart.umd.min.js" in body
    assert "<script>" not in body.split("<main")[-1]  # CSP: no inline script
    other = client_of(other_uo_dispatcher).get(reverse("servicedesk:staff_stats"), PERIOD)
    assert other.context["stats"]["summary"]["total"] == 0
    # Another organisation's id in the query changes nothing for an organisation.
    sneaky = client_of(other_uo_dispatcher).get(
        reverse("servicedesk:staff_stats"), {**PERIOD, "organization": uo.pk}
    )
    assert sneaky.context["stats"]["summary"]["total"] == 0
    control = client_of(controller).get(reverse("servicedesk:staff_stats"), PERIOD)
    orgs = {row["organization_id"] for row in control.context["stats"]["by_org"]}
    assert orgs == {uo.pk, rso.pk} and control.context["stats"]["summary"]["total"] == 6


@pytest.mark.req("R18")
def test_the_api_has_the_pages_permission_and_scope(
    day_of_requests, api_of, uo_dispatcher, other_uo_dispatcher, controller, anna, uo, rso
):
    statistics.refresh_rollups()
    query = {**PERIOD}
    summary = api_of(uo_dispatcher).get("/api/v1/statistics/summary/", query)
    assert summary.status_code == 200
    data = summary.json()
    assert data["organization_id"] == uo.pk and data["summary"]["total"] == 6
    assert data["summary"]["median_accept_hours"] is not None
    assert {row["status"]: row["count"] for row in data["by_status"]}["rejected"] == 1
    assert data["by_period"][0]["period"] == "2026-03-03"
    # An organisation reads only its own: another's id is refused, its own list has one row.
    refused = api_of(other_uo_dispatcher).get(
        "/api/v1/statistics/summary/", {**query, "organization": uo.pk}
    )
    assert refused.status_code == 403
    mine = api_of(other_uo_dispatcher).get("/api/v1/statistics/organizations/", query).json()
    assert mine == []
    control = api_of(controller).get("/api/v1/statistics/organizations/", query).json()
    assert {row["organization_id"] for row in control} == {uo.pk, rso.pk}
    one = api_of(controller).get("/api/v1/statistics/topics/", {**query, "organization": rso.pk})
    # The supplier executes none now; its topic row carries the return it made.
    assert one.status_code == 200
    assert [(r["total"], r["returns_made"], r["topic"]) for r in one.json()] == [
        (0, 1, "Водоснабжение / Нет горячей воды")
    ]
    topics = api_of(controller).get("/api/v1/statistics/topics/", query).json()
    assert sum(row["total"] for row in topics) == 6
    # A resident is refused; a bad period is a clear 400.
    assert api_of(anna).get("/api/v1/statistics/summary/", query).status_code == 403
    bad = api_of(controller).get(
        "/api/v1/statistics/summary/", {"date_from": "2026-03-31", "date_to": "2026-03-01"}
    )
    assert bad.status_code == 400 and "Конец периода раньше начала" in bad.content.decode()
    missing = api_of(controller).get("/api/v1/statistics/summary/", {"date_from": "x"})
    assert missing.status_code == 400


@pytest.mark.req("R18")
def test_the_xlsx_opens_with_the_per_organisation_sheet(day_of_requests, client_of, controller):
    statistics.refresh_rollups()
    response = client_of(controller).get(reverse("servicedesk:staff_stats_xlsx"), PERIOD)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True)}
    assert summary["Всего заявок"] == 6 and summary["Медиана времени принятия, ч"] is not None
    rows = list(book["По организациям"].iter_rows(values_only=True))
    assert rows[0][0] == "Организация" and len(rows) == 3


@pytest.mark.req("R18")
def test_a_long_period_reads_month_rows_with_the_same_figures(day_of_requests, uo):
    statistics.refresh_rollups()
    assert RequestDayStat.objects.filter(is_month=True, day=dt.date(2026, 3, 1)).exists()
    days = statistics.rollup_statistics(organization=uo, date_from=DAY, date_to=DAY)
    for start, end in ((dt.date(2026, 1, 20), dt.date(2026, 4, 10)), (DAY, dt.date(2026, 5, 31))):
        long = statistics.rollup_statistics(organization=uo, date_from=start, date_to=end)
        assert long["monthly"] and long["summary"] == days["summary"]
        assert [(row["label"], row["total"]) for row in long["by_period"]] == [("03.2026", 6)]
