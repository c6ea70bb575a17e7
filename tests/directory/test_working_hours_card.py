"""The organisation card shows its working week as read for deadlines; hours that cannot be
read are refused on the page and in the API with the failing part named (R15, issue 11)."""

import pytest
from django.urls import reverse

from domovoy.directory.models import Organization
from tests.directory.test_organization_pages import edit_payload
from tests.fixtures import api_as, signed_in

pytestmark = [pytest.mark.req("R15"), pytest.mark.django_db]

DEMO = "пн–чт 8:00–17:00; пт 8:00–16:00; аварийная служба круглосуточно"


def week_rows(response):
    rows = response.context["week"]["rows"]
    return [(str(r["day"]), r["hours"], r["breaks"]) for r in rows]


def test_the_card_shows_the_parsed_week_and_the_duty_service(client, uo_admin, uo):
    Organization.objects.filter(pk=uo.pk).update(working_hours=DEMO)
    response = signed_in(client, uo_admin).get(reverse("directory:organization", args=[uo.pk]))
    assert response.status_code == 200
    assert week_rows(response) == [
        ("Понедельник", "08:00–17:00", "13:00–14:00"),
        ("Вторник", "08:00–17:00", "13:00–14:00"),
        ("Среда", "08:00–17:00", "13:00–14:00"),
        ("Четверг", "08:00–17:00", "13:00–14:00"),
        ("Пятница", "08:00–16:00", "13:00–14:00"),
        ("Суббота", "", ""),
        ("Воскресенье", "", ""),
    ]
    body = response.content.decode()
    assert "Режим работы" in body
    assert "выходной" in body
    assert "обычный перерыв: на карте не указан" in body  # the lunch hour nobody wrote
    assert "Аварийная служба:</strong> круглосуточно, без выходных" in body


def test_another_organisation_sees_the_week_on_the_short_card_too(client, other_uo_admin, uo):
    Organization.objects.filter(pk=uo.pk).update(
        working_hours="пн-пт 9-18, обед 12-13; диспетчерская служба пн-пт 18-24, сб, вс 0-24"
    )
    response = signed_in(client, other_uo_admin).get(
        reverse("directory:organization", args=[uo.pk])
    )
    assert response.status_code == 200 and not response.context["full"]
    assert week_rows(response)[0] == ("Понедельник", "09:00–18:00", "12:00–13:00")
    assert "Диспетчерская служба:</strong> пн–пт 18:00–24:00; сб–вс круглосуточно" in (
        response.content.decode()
    )


def test_a_stored_card_that_cannot_be_read_says_so_and_which_hours_count(client, uo_admin, uo):
    Organization.objects.filter(pk=uo.pk).update(working_hours="по записи")
    response = signed_in(client, uo_admin).get(reverse("directory:organization", args=[uo.pk]))
    body = response.content.decode()
    assert "Не удалось разобрать время работы в части «по записи»" in body
    assert "пн–пт 9:00–18:00" in body


def test_the_edit_form_refuses_unreadable_hours_naming_the_part_and_saves_nothing(
    client, uo_admin, uo
):
    before = Organization.objects.values().get(pk=uo.pk)
    url = reverse("directory:organization_edit", args=[uo.pk])
    response = signed_in(client, uo_admin).post(
        url,
        edit_payload(uo, working_hours="пн–пт 8:00–17:00; сб 20:00–02:00", short_name="Новое"),
    )
    assert response.status_code == 400
    message = (
        "Не удалось разобрать время работы в части «сб 20:00–02:00»: интервал «20:00–02:00» "
        "переходит через полночь"
    )
    assert any(message in e for e in response.context["form"].errors["working_hours"])
    assert "Не удалось разобрать время работы в части «сб 20:00–02:00»" in (
        response.content.decode()
    )
    assert Organization.objects.values().get(pk=uo.pk) == before


def test_the_edit_form_saves_the_demo_hours(client, uo_admin, uo):
    url = reverse("directory:organization_edit", args=[uo.pk])
    response = signed_in(client, uo_admin).post(url, edit_payload(uo, working_hours=DEMO))
    assert response.status_code == 302
    uo.refresh_from_db()
    assert uo.working_hours == DEMO


def test_the_api_refuses_unreadable_hours_with_the_part_and_saves_nothing(uo_admin, uo):
    before = Organization.objects.values().get(pk=uo.pk)
    response = api_as(uo_admin).patch(
        f"/api/v1/organizations/{uo.pk}/",
        {"working_hours": "пн - чт 9:00-18:00; пн 9:00-17:00", "short_name": "Новое"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_card"
    assert body["fields"]["working_hours"] == [
        "Не удалось разобрать время работы в части «пн 9:00-17:00»: день «пн» указан дважды"
    ]
    assert Organization.objects.values().get(pk=uo.pk) == before
    ok = api_as(uo_admin).patch(
        f"/api/v1/organizations/{uo.pk}/", {"working_hours": DEMO}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["working_hours"] == DEMO
