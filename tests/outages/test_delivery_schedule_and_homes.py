"""Issue 12 item 10: the outage card says which notices wait and when (O3), and «Мои адреса»
shows the resident's own home beside the followed addresses (O6)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from domovoy.outages.models import FavouriteAddress
from tests import factories as f
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


def page_of(user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def api_of(user, url):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(url)


@pytest.fixture
def outage(frozen, publish_planned, people):
    """Published on Monday 07.12 12:00 for Sunday 20.12 10:00: the reminders are due on 15.12
    and 19.12 at 10:00 for Анна, Борис (accounts) and Вера (a favourite)."""
    return publish_planned(msk(2026, 12, 20, 10, 0))


@pytest.mark.req("O3")
def test_the_card_names_each_queued_reminder_with_its_date(outage, rso_dispatcher):
    html = page_of(rso_dispatcher, f"/outages/{outage.pk}/")
    table = html[html.index('id="delivery-schedule"') :]
    table = table[: table.index("</table>")]
    five = table.index("Напоминание за 5 дней до начала")
    one = table.index("Напоминание за сутки до начала")
    assert table.index("О публикации") < five < one  # earliest first
    assert "будет 15.12.2026 10:00" in table[five:one]
    assert "будет 19.12.2026 10:00" in table[one:]
    assert "По каналам" in html  # the per-channel totals stay below


@pytest.mark.req("O3")
def test_the_api_gives_the_schedule_by_kind_and_moment(outage, rso_dispatcher):
    data = api_of(rso_dispatcher, f"/api/v1/outages/{outage.pk}/").json()
    rows = {row["kind"]: row for row in data["delivery_schedule"]}
    five, one = rows["outage.reminder_5d"], rows["outage.reminder_1d"]
    assert five["label"] == "Напоминание за 5 дней до начала"
    assert five["due_at"].startswith("2026-12-15T10:00")
    assert five["queued"] == sum(five["channels"].values()) and five["channels"]["inbox"] == 3
    assert one["due_at"].startswith("2026-12-19T10:00") and one["channels"]["inbox"] == 3
    assert data["delivery"]["inbox"]["queued"] >= 6  # the old per-channel field is unchanged


@pytest.mark.req("O3", "S2")
def test_residents_do_not_see_the_delivery_schedule(outage, people):
    html = page_of(people["anna"], f"/outages/{outage.pk}/")
    assert "delivery-schedule" not in html and "Напоминание за 5 дней" not in html
    data = api_of(people["anna"], f"/api/v1/outages/{outage.pk}/").json()
    assert data["delivery_schedule"] is None and data["delivery"] is None


@pytest.mark.req("O6")
def test_my_addresses_show_the_home_of_the_account_not_removable(outage, people, houses):
    boris = people["boris"]  # an account in house 2, no favourite
    FavouriteAddress.objects.create(user=boris, building=houses[2], label="parents")
    html = page_of(boris, "/outages/my-addresses/")
    home = html[html.index(f'data-home="{houses[1].pk}"') :]
    home = home[: home.index("</li>")]
    assert "мой дом" in home and houses[1].address in home
    assert "удалить адрес нельзя" in home and "delete" not in home
    fav = FavouriteAddress.objects.get(user=boris)
    assert f'data-favourite="{fav.pk}"' in html and f"/my-addresses/{fav.pk}/delete/" in html
    assert "Ремонт водопровода" in html  # the outage on the home is listed too

    rows = api_of(boris, "/api/v1/outages/my-addresses/").json()
    assert rows[0] == {
        "building": houses[1].pk,
        "address": houses[1].address,
        "is_home": True,
        "removable": False,
        "favourite": None,
        "label": "мой дом",
    }
    assert (rows[1]["building"], rows[1]["removable"], rows[1]["favourite"]) == (
        houses[2].pk,
        True,
        fav.pk,
    )


@pytest.mark.req("O6")
def test_a_home_also_kept_as_favourite_is_listed_once_and_other_homes_are_not_shown(
    outage, people, houses
):
    anna = people["anna"]  # her account and a favourite, both in house 1
    rows = api_of(anna, "/api/v1/outages/my-addresses/").json()
    assert [(r["building"], r["is_home"]) for r in rows] == [(houses[0].pk, True)]
    html = page_of(anna, "/outages/my-addresses/")
    assert houses[1].address not in html  # Борис's home is his, not hers
    # An inactive account is no home.
    premises, account = f.premises_with_account(houses[2], "9")
    account.residents.add(anna)
    account.is_active = False
    account.save()
    rows = api_of(anna, "/api/v1/outages/my-addresses/").json()
    assert [r["building"] for r in rows] == [houses[0].pk]


@pytest.mark.req("O6", "S2")
def test_my_addresses_need_a_login(db):
    assert Client().get("/outages/my-addresses/").status_code == 302
    assert APIClient().get("/api/v1/outages/my-addresses/").status_code in (401, 403)
