"""Outage durations for billing recalculation (O5): clipped to the period, overlaps of one
resource counted once, per building or account, exported as CSV and XLSX."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from domovoy.outages import export, selectors, services
from domovoy.outages.zones import zone_spec
from tests import factories as f
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(frozen, publish_planned, rso_dispatcher, houses, people):
    """Three cold-water outages in house 1: two overlap (Dec 20 10–18 and 16–22), one spans the
    period's end (Dec 31 20:00 – Jan 1 04:00); house 2 only the first; one cancelled."""
    h1, h2 = houses[0], houses[1]
    a = publish_planned(
        msk(2026, 12, 20, 10, 0),
        msk(2026, 12, 20, 18, 0),
        zone=zone_spec(building_ids=[h1.pk, h2.pk]),
        completion="manual",
    )
    b = publish_planned(
        msk(2026, 12, 20, 16, 0), msk(2026, 12, 20, 22, 0), zone=zone_spec(building_ids=[h1.pk])
    )
    c = publish_planned(
        msk(2026, 12, 31, 20, 0), msk(2027, 1, 1, 4, 0), zone=zone_spec(building_ids=[h1.pk])
    )
    d = publish_planned(
        msk(2026, 12, 25, 10, 0), msk(2026, 12, 25, 20, 0), zone=zone_spec(building_ids=[h1.pk])
    )
    services.outage_cancel(actor=rso_dispatcher, outage=d, reason="Перенос")
    frozen.move_to(msk(2026, 12, 20, 17, 0))
    services.outage_complete(actor=rso_dispatcher, outage=a, actual_end=msk(2026, 12, 20, 17, 0))
    frozen.move_to(msk(2027, 1, 2, 12, 0))
    return {"a": a, "b": b, "c": c}


@pytest.mark.req("O5")
def test_durations_clip_to_the_period_and_count_overlaps_once(history, rso_dispatcher, houses):
    rows = selectors.outage_durations(
        user=rso_dispatcher, date_from=dt.date(2026, 12, 1), date_to=dt.date(2026, 12, 31)
    )
    by_building = {(r.building_id, r.resource): r for r in rows}
    h1 = by_building[(houses[0].pk, "cold_water")]
    # a: 10:00–17:00 (completed early), b: 16:00–22:00 → union 10:00–22:00 = 12 h;
    # c: 20:00–24:00 within December = 4 h; the cancelled one counts nothing
    assert h1.seconds == 16 * 3600 and h1.hours == 16.0
    assert h1.outages == sorted([history["a"].pk, history["b"].pk, history["c"].pk])
    assert by_building[(houses[1].pk, "cold_water")].seconds == 7 * 3600
    january = selectors.outage_durations(
        user=rso_dispatcher, date_from=dt.date(2027, 1, 1), date_to=dt.date(2027, 1, 31)
    )
    assert [(r.building_id, r.seconds) for r in january] == [(houses[0].pk, 4 * 3600)]


@pytest.mark.req("O5")
def test_a_running_outage_counts_until_now_and_filters_narrow(
    frozen, publish_planned, rso_dispatcher, houses
):
    publish_planned(msk(2026, 12, 8, 10, 0), msk(2026, 12, 8, 18, 0), completion="manual")
    frozen.move_to(msk(2026, 12, 8, 13, 30))
    rows = selectors.outage_durations(
        user=rso_dispatcher, date_from=dt.date(2026, 12, 8), date_to=dt.date(2026, 12, 8)
    )
    assert {r.seconds for r in rows} == {int(3.5 * 3600)}
    only = selectors.outage_durations(
        user=rso_dispatcher,
        date_from=dt.date(2026, 12, 8),
        date_to=dt.date(2026, 12, 8),
        building=houses[1].pk,
    )
    assert [r.building_id for r in only] == [houses[1].pk]
    assert not selectors.outage_durations(
        user=rso_dispatcher,
        date_from=dt.date(2026, 12, 8),
        date_to=dt.date(2026, 12, 8),
        resource="gas",
    )


@pytest.mark.req("O5")
def test_per_account_rows_and_both_exports(history, rso_dispatcher, houses):
    f.premises_with_account(houses[0], "7")
    rows = selectors.outage_durations(
        user=rso_dispatcher,
        date_from=dt.date(2026, 12, 1),
        date_to=dt.date(2026, 12, 31),
        by_account=True,
    )
    h1 = [r for r in rows if r.building_id == houses[0].pk]
    assert sorted(r.premises for r in h1) == ["1", "7"]
    assert {r.seconds for r in h1} == {16 * 3600}
    text = export.durations_csv(rows, by_account=True).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].split(";")[:4] == ["Адрес", "Помещение", "Лицевой счёт", "Ресурс"]
    assert len(lines) == 1 + len(rows)
    book = load_workbook(io.BytesIO(export.durations_xlsx(rows, by_account=True)))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Адрес" and len(values) == 1 + len(rows)
    assert 16.0 in values[1] or 16.0 in values[2]


@pytest.mark.req("O5", "O7")
def test_durations_follow_visibility_and_the_api_refuses_residents(
    history, rso_dispatcher, resident
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(rso_dispatcher)
    r = api.get(
        "/api/v1/outages/durations/",
        {"date_from": "2026-12-01", "date_to": "2026-12-31", "by": "account"},
    )
    assert r.status_code == 200 and len(r.json()) == 2
    r = api.get("/api/v1/outages/durations/", {"date_from": "2026-12-31", "date_to": "2026-12-01"})
    assert r.status_code == 400 and "date_to" in r.json()["fields"]
    api.force_authenticate(resident)
    r = api.get("/api/v1/outages/durations/", {"date_from": "2026-12-01", "date_to": "2026-12-31"})
    assert r.status_code == 403
