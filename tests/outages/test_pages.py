"""Pages of outages (O1–O7): the form publishes with a zone, the card shows history, delays
and delivery, actions work and refuse, durations export, the public page and «Мои адреса»."""

import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from domovoy.outages.models import FavouriteAddress, Outage
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def form_data(houses, **extra):
    data = {
        "kind": "planned",
        "network": "supplier",
        "resource": "cold_water",
        "start": "2026-12-20T10:00",
        "planned_end": "2026-12-20T18:00",
        "completion": "auto",
        "reason": "Ремонт водопровода",
        "description": "",
        "building_ids": f"{houses[0].pk}",
        "streets": "[]",
        "polygon": json.dumps([[57.7605, 40.9195], [57.7605, 40.9215], [57.7615, 40.9215]]),
    }
    data.update(extra)
    return data


@pytest.mark.req("O1")
def test_the_form_publishes_an_outage_with_ids_and_polygon(
    frozen, rso_dispatcher, houses, water_link, people
):
    c = client_for(rso_dispatcher)
    page = c.get("/outages/new/")
    assert page.status_code == 200
    assert "zone-map" in page.content.decode() and "Экстренное оповещение" in page.content.decode()
    r = c.post("/outages/new/", form_data(houses))
    assert r.status_code == 302, r.content.decode()[:2000]
    outage = Outage.objects.get()
    assert sorted(outage.zone.values_list("building_id", flat=True)) == [houses[0].pk, houses[1].pk]
    assert outage.start == msk(2026, 12, 20, 10, 0)
    card = c.get(r["Location"]).content.decode()
    assert "Ремонт водопровода" in card and "Доставка уведомлений" in card
    assert "История изменений" in card and "В личном кабинете" in card


@pytest.mark.req("O1")
def test_the_form_shows_refusals_and_keeps_nothing(
    frozen, rso_dispatcher, uo_dispatcher, resident, houses, foreign_house, water_link
):
    c = client_for(rso_dispatcher)
    r = c.post("/outages/new/", form_data(houses, building_ids=str(foreign_house.pk), polygon=""))
    assert r.status_code == 200 and "не обслуживает" in r.content.decode()
    r = c.post("/outages/new/", form_data(houses, building_ids="", polygon=""))
    assert "нет ни одного дома" in r.content.decode()
    r = c.post("/outages/new/", form_data(houses, polygon="{bad"))
    assert "Зона отключения задана неверно" in r.content.decode()
    assert client_for(resident).get("/outages/new/").status_code == 403
    # a UO's dispatcher gets the form for in-building networks only
    page = client_for(uo_dispatcher).get("/outages/new/").content.decode()
    assert 'value="in_building"' in page and 'value="supplier"' not in page
    assert not Outage.objects.exists()


@pytest.fixture
def outage(frozen, publish_planned):
    return publish_planned(msk(2026, 12, 20, 10, 0), completion="manual")


@pytest.mark.req("O1", "O4")
def test_card_actions_refine_complete_and_cancel(frozen, outage, rso_dispatcher, uo_dispatcher):
    c = client_for(rso_dispatcher)
    r = c.post(
        f"/outages/{outage.pk}/edit/",
        {"start": "2026-12-21T10:00", "planned_end": "2026-12-21T18:00", "reason": "Ремонт"},
        follow=True,
    )
    assert "Изменения сохранены" in r.content.decode()
    outage.refresh_from_db()
    assert outage.start == msk(2026, 12, 21, 10, 0) and outage.revision == 2
    r = c.post(f"/outages/{outage.pk}/complete/", {}, follow=True)
    assert "ещё не началось" in r.content.decode()
    frozen.move_to(msk(2026, 12, 21, 15, 0))
    c.force_login(rso_dispatcher)  # the idle session expired overnight
    r = c.post(f"/outages/{outage.pk}/complete/", {"actual_end": "2026-12-21T14:30"}, follow=True)
    assert "Отключение завершено" in r.content.decode(), r.content.decode().split("<main")[1][:600]
    outage.refresh_from_db()
    assert outage.status == "completed"
    # the UO sees the card, without actions
    page = client_for(uo_dispatcher).get(f"/outages/{outage.pk}/").content.decode()
    assert "Завершить отключение" not in page and "История изменений" in page
    r = client_for(uo_dispatcher).post(
        f"/outages/{outage.pk}/cancel/", {"reason": "x"}, follow=True
    )
    assert "может только диспетчер ответственной организации" in r.content.decode()


@pytest.mark.req("O7", "O1")
def test_the_staff_list_filters_and_the_late_flag(
    frozen, outage, rso_dispatcher, publish_planned, resident
):
    late = publish_planned(msk(2026, 12, 10, 10, 0))
    page = client_for(rso_dispatcher).get("/outages/").content.decode()
    assert "Поздняя публикация" in page
    # O2/O1: the organisation's delay statistics head its list
    assert "поздних публикаций плановых 1" in page and "отключений 2" in page
    assert f"/outages/{late.pk}/" in page and f"/outages/{outage.pk}/" in page
    page = client_for(rso_dispatcher).get("/outages/", {"date_from": "2026-12-15"}).content.decode()
    assert f"/outages/{late.pk}/" not in page and f"/outages/{outage.pk}/" in page
    assert client_for(resident).get("/outages/")["Location"].endswith("/outages/public/")


@pytest.mark.req("O6")
def test_the_public_page_lists_and_maps_without_login(frozen, outage, houses):
    page = Client().get("/outages/public/")
    text = page.content.decode()
    assert page.status_code == 200 and "Ремонт водопровода" in text
    features = json.loads(
        text.split('id="public-features" type="application/json">')[1].split("<")[0]
    )
    assert [f["id"] for f in features] == [outage.pk]
    assert {p[2] for p in features[0]["points"]} == {
        "ул. Советская, 1",
        "ул. Советская, 2",
        "ул. Советская, 3",
    }
    assert (
        "Ремонт водопровода"
        not in Client().get("/outages/public/", {"address": "Ленина"}).content.decode()
    )
    assert (
        "Ремонт водопровода"
        not in Client().get("/outages/public/", {"resource": "gas"}).content.decode()
    )
    card = Client().get(f"/outages/{outage.pk}/").content.decode()
    assert "Ремонт водопровода" in card and "Доставка уведомлений" not in card


@pytest.mark.req("O5")
def test_the_durations_page_and_its_exports(frozen, outage, rso_dispatcher, resident, houses):
    frozen.move_to(msk(2026, 12, 20, 13, 0))
    c = client_for(rso_dispatcher)  # logs in after the move: sessions expire when idle
    q = {"date_from": "2026-12-01", "date_to": "2026-12-31", "by": "building"}
    page = c.get("/outages/durations/", q).content.decode()
    assert "3.0" in page or "3,0" in page
    csv = c.get("/outages/durations/", {**q, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig").count("\n") == 1 + 3
    xlsx = c.get("/outages/durations/", {**q, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "Адрес" and len(rows) == 2 + 3
    bad = c.get("/outages/durations/", {**q, "date_to": "2026-11-01"}).content.decode()
    assert "Не раньше даты начала" in bad
    assert client_for(resident).get("/outages/durations/").status_code == 403


@pytest.mark.req("O6")
def test_my_addresses_add_remove_and_show_outages(frozen, outage, resident, houses):
    c = client_for(resident)
    found = c.get("/outages/buildings/", {"q": "советская 2"}).json()["results"]
    assert [b["id"] for b in found] == [houses[1].pk]
    r = c.post(
        "/outages/my-addresses/",
        {"building": houses[1].pk, "label": "work", "title": ""},
        follow=True,
    )
    text = r.content.decode()
    assert "Адрес добавлен" in text and "Ремонт водопровода" in text
    r = c.post(
        "/outages/my-addresses/",
        {"building": houses[1].pk, "label": "work", "title": ""},
        follow=True,
    )
    assert "уже в избранном" in r.content.decode()
    fav = FavouriteAddress.objects.get(user=resident)
    stranger = client_for(outage.created_by)
    stranger.post(f"/outages/my-addresses/{fav.pk}/delete/")
    assert FavouriteAddress.objects.filter(pk=fav.pk).exists()
    c.post(f"/outages/my-addresses/{fav.pk}/delete/")
    assert not FavouriteAddress.objects.exists()
    assert Client().get("/outages/my-addresses/").status_code == 302
