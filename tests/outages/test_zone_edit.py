"""The zone of a published outage changed on its card (O1, O2): «Изменить зону» opens the zone
picker prefilled with the current buildings, saves through the refine service, the history
shows the change and the residents of added buildings are told; refusals store nothing and keep
the picker as it was. The publication form keeps the drawn polygon after an error."""

import json
import re

import pytest
from django.test import Client

from domovoy.notifications.models import Notice
from domovoy.outages import services
from domovoy.outages.models import Outage, OutageRevision
from domovoy.outages.zones import zone_spec
from tests.fixtures import msk

from .test_pages import form_data

pytestmark = pytest.mark.django_db

# A triangle around house 2 (57.7610, 40.9210) only.
AROUND_HOUSE_2 = [[57.7605, 40.9205], [57.7605, 40.9215], [57.7615, 40.9210]]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def labels_of(html):
    """The picker's chosen buildings as the page hands them to zone.js."""
    match = re.search(r'<script id="zone-labels" type="application/json">(.*?)</script>', html)
    assert match, "the zone picker is not on the page"
    return json.loads(match.group(1))


def hidden(html, name):
    match = re.search(rf'<input type="hidden" name="{name}"( value="([^"]*)")?', html)
    assert match, name
    return (match.group(2) or "").replace("&quot;", '"')


def inbox_of(outage, user, **filters):
    return Notice.objects.filter(group=outage.group, channel="inbox", recipient=user, **filters)


@pytest.fixture
def outage(frozen, publish_planned, houses):
    return publish_planned(msk(2026, 12, 20, 10, 0), zone=zone_spec(building_ids=[houses[0].pk]))


def zone_post(outage, **data):
    payload = {
        "action": "zone",
        "building_ids": str(outage.zone.first().building_id),
        "streets": "[]",
        "polygon": "",
        "reason": outage.reason,
    }
    payload.update(data)
    return payload


@pytest.mark.req("O1")
def test_the_card_offers_the_picker_prefilled_with_the_zone(
    frozen, outage, houses, rso_dispatcher, uo_dispatcher, resident
):
    page = client_for(rso_dispatcher).get(f"/outages/{outage.pk}/").content.decode()
    assert "Изменить зону" in page and 'id="zone-map"' in page and "outages/zone.js" in page
    assert hidden(page, "building_ids") == str(houses[0].pk)
    assert labels_of(page) == [[houses[0].pk, "ул. Советская, 1", 57.76, 40.92]]
    # the picker is closed until asked for
    assert 'id="act-zone" class="accordion-collapse collapse"' in page
    # not for another organisation or a resident
    for user in (uo_dispatcher, resident):
        other = client_for(user).get(f"/outages/{outage.pk}/").content.decode()
        assert "Изменить зону" not in other and "zone.js" not in other


@pytest.mark.req("O1", "O3")
def test_the_zone_changes_by_polygon_and_ids_and_new_residents_are_told(
    frozen, houses, people, outage, rso_dispatcher
):
    c = client_for(rso_dispatcher)
    r = c.post(
        f"/outages/{outage.pk}/edit/",
        zone_post(outage, building_ids=f"{houses[2].pk}", polygon=json.dumps(AROUND_HOUSE_2)),
        follow=True,
    )
    page = r.content.decode()
    assert "Зона отключения изменена" in page
    outage.refresh_from_db()
    assert sorted(outage.zone.values_list("building_id", flat=True)) == [
        houses[1].pk,
        houses[2].pk,
    ]
    assert outage.building_count == 2 and outage.revision == 2
    changes = outage.revisions.last().changes
    assert changes == {"zone": {"added": [houses[1].pk, houses[2].pk], "removed": [houses[0].pk]}}
    # the history on the card shows it, the picker now holds the new zone
    assert "зона: +2 / −1" in page
    assert sorted(int(x) for x in hidden(page, "building_ids").split(",")) == [
        houses[1].pk,
        houses[2].pk,
    ]
    # Борис of the added house 2 is told; Анна of the removed house 1 is not told again
    assert inbox_of(outage, people["boris"], kind="outage.published").count() == 1
    assert inbox_of(outage, people["anna"], kind="outage.published").count() == 1


@pytest.mark.req("O1")
def test_the_reason_changes_with_the_zone(frozen, outage, houses, rso_dispatcher):
    r = client_for(rso_dispatcher).post(
        f"/outages/{outage.pk}/edit/",
        zone_post(outage, building_ids=f"{houses[0].pk},{houses[1].pk}", reason="Авария на вводе"),
    )
    assert r.status_code == 302
    outage.refresh_from_db()
    changes = outage.revisions.last().changes
    assert outage.reason == "Авария на вводе" and changes["reason"][1] == "Авария на вводе"
    assert changes["zone"] == {"added": [houses[1].pk], "removed": []}


@pytest.mark.req("O1")
def test_a_refused_zone_keeps_the_picker_as_drawn_and_stores_nothing(
    frozen, outage, houses, foreign_house, rso_dispatcher
):
    c = client_for(rso_dispatcher)
    url = f"/outages/{outage.pk}/edit/"
    polygon = json.dumps([[50.0, 30.0], [50.0, 30.001], [50.001, 30.0]])  # no houses there
    cases = [
        (zone_post(outage, building_ids="", polygon=polygon), "нет ни одного дома"),
        (zone_post(outage, building_ids=str(foreign_house.pk)), "не обслуживает"),
        (zone_post(outage), "Изменений нет"),
        (zone_post(outage, polygon="{bad"), "Зона отключения задана неверно"),
        (zone_post(outage, building_ids="999999"), "Дома не найдены"),
        (zone_post(outage, reason=""), "Обязательное поле"),
    ]
    for data, message in cases:
        r = c.post(url, data)
        page = r.content.decode()
        assert r.status_code == 200 and message in page, message
        # the picker is open again with what the user chose
        assert 'id="act-zone" class="accordion-collapse collapse show"' in page
        assert hidden(page, "building_ids") == data["building_ids"]
        assert hidden(page, "polygon") == data["polygon"]
    page = c.post(url, cases[1][0]).content.decode()
    assert labels_of(page) == [[foreign_house.pk, "ул. Ленина, 10", 57.75, 40.9]]
    outage.refresh_from_db()
    assert outage.revision == 1 and OutageRevision.objects.filter(outage=outage).count() == 1
    assert list(outage.zone.values_list("building_id", flat=True)) == [houses[0].pk]


@pytest.mark.req("O1", "O7")
def test_others_and_closed_outages_are_refused(
    frozen, outage, houses, rso_dispatcher, uo_dispatcher, other_rso_dispatcher, resident
):
    data = zone_post(outage, building_ids=f"{houses[0].pk},{houses[1].pk}")
    url = f"/outages/{outage.pk}/edit/"
    # the UO sees the outage on its building but does not answer for it
    r = client_for(uo_dispatcher).post(url, data, follow=True)
    assert "может только диспетчер ответственной организации" in r.content.decode()
    # a resident and a stranger supplier see the public card only
    for user in (resident, other_rso_dispatcher):
        r = client_for(user).post(url, data, follow=True)
        assert "может только диспетчер ответственной организации" in r.content.decode()
    # an invalid post by someone else is refused the same way, without the picker
    r = client_for(resident).post(url, {**data, "reason": ""}, follow=True)
    page = r.content.decode()
    assert "Изменить зону этого отключения нельзя" in page and 'id="zone-map"' not in page
    assert Client().post(url, data).status_code == 302  # to the login page
    outage.refresh_from_db()
    assert outage.revision == 1 and outage.zone.count() == 1
    # a cancelled outage: no picker, and a post is refused
    services.outage_cancel(actor=rso_dispatcher, outage=outage, reason="Работы перенесены")
    c = client_for(rso_dispatcher)
    assert "Изменить зону" not in c.get(f"/outages/{outage.pk}/").content.decode()
    page = c.post(url, data, follow=True).content.decode()
    assert "Отключение уже отменено: изменить его нельзя." in page
    assert 'id="zone-map"' not in page
    outage.refresh_from_db()
    assert outage.zone.count() == 1 and outage.revisions.count() == 2


@pytest.mark.req("O1")
def test_a_completed_outage_refuses_a_zone_change(frozen, outage, houses, rso_dispatcher):
    frozen.move_to(msk(2026, 12, 20, 19, 0))
    services.outage_complete(actor=rso_dispatcher, outage=outage, actual_end=None, known_at=None)
    c = client_for(rso_dispatcher)
    data = zone_post(outage, building_ids=f"{houses[0].pk},{houses[1].pk}")
    page = c.post(f"/outages/{outage.pk}/edit/", data, follow=True).content.decode()
    assert "Отключение уже завершено: изменить его нельзя." in page
    outage.refresh_from_db()
    assert outage.status == "completed" and outage.zone.count() == 1


@pytest.mark.req("O1")
def test_the_form_keeps_the_polygon_and_the_buildings_after_an_error(
    frozen, rso_dispatcher, houses, water_link
):
    c = client_for(rso_dispatcher)
    data = form_data(houses, reason="")
    page = c.post("/outages/new/", data).content.decode()
    assert "Обязательное поле" in page
    assert json.loads(hidden(page, "polygon")) == json.loads(data["polygon"])
    assert hidden(page, "building_ids") == str(houses[0].pk)
    # zone.js gets the address and place of the chosen house for its chip and the map
    assert labels_of(page) == [[houses[0].pk, "ул. Советская, 1", 57.76, 40.92]]
    # garbage in the hidden input does not break the page
    bad = form_data(houses, building_ids=f"{houses[0].pk},x,,99999999999")
    r = c.post("/outages/new/", bad)
    assert r.status_code == 200 and "Зона отключения задана неверно" in r.content.decode()
    assert labels_of(r.content.decode()) == [[houses[0].pk, "ул. Советская, 1", 57.76, 40.92]]
    assert not Outage.objects.exists()
