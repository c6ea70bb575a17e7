"""Announcements (D7): operators publish to all, to roles or to territories; they show in
cabinets (the home page) and, when addressed to all, on the public portal."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from domovoy.announcements import selectors, services
from domovoy.announcements.models import Announcement
from domovoy.core.errors import ApplicationError
from domovoy.directory.models import User
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.req("D7")]

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def fresh(user):
    """A new instance: roles are memoised on the user object for one request."""
    return User.objects.get(pk=user.pk)


def titles(qs):
    return [a.title for a in qs]


def publish(author, title, **kwargs):
    return services.announcement_publish(
        author=author, title=title, body=f"Текст: {title}", **kwargs
    )


def test_an_announcement_to_all_reaches_cabinets_and_the_public_portal(
    client, functional_operator, uo_dispatcher
):
    publish(functional_operator, "Плановые работы на портале")
    assert reverse("help:announcements") == "/help/announcements/"
    assert "Плановые работы на портале" in client.get("/help/announcements/").content.decode()
    client.force_login(uo_dispatcher)
    assert "Плановые работы на портале" in client.get("/").content.decode()


def test_an_announcement_to_roles_reaches_only_holders_of_those_roles(
    client, technical_operator, uo_dispatcher, resident, rso
):
    publish(technical_operator, "Диспетчерам УО", audience="roles", roles=["uo_dispatcher"])
    supplier = f.employee(rso, roles=["supplier_dispatcher"]).user
    assert titles(selectors.announcements_for(fresh(uo_dispatcher))) == ["Диспетчерам УО"]
    assert titles(selectors.announcements_for(fresh(supplier))) == []
    assert titles(selectors.announcements_for(fresh(resident))) == []
    assert "Диспетчерам УО" not in client.get("/help/announcements/").content.decode()
    client.force_login(resident)
    assert "Диспетчерам УО" not in client.get("/").content.decode()


def test_a_territory_announcement_reaches_users_in_it_and_below(
    functional_operator, territory, uo_dispatcher, resident, building
):
    publish(
        functional_operator,
        "Жителям и УО города",
        audience="territories",
        territories=[territory["city"]],
    )
    publish(
        functional_operator,
        "Заволжскому району",
        audience="territories",
        territories=[territory["other_district"]],
    )
    # The UO is in the city's Central district: below the city.
    assert titles(selectors.announcements_for(fresh(uo_dispatcher))) == ["Жителям и УО города"]
    # A resident is reached through the building of their account.
    assert titles(selectors.announcements_for(fresh(resident))) == []
    _prem, account = f.premises_with_account(building)
    account.residents.add(resident)
    assert titles(selectors.announcements_for(fresh(resident))) == ["Жителям и УО города"]
    # Someone elsewhere is not reached.
    elsewhere = f.Territory.objects.create(name="Другая область", level="region")
    org = f.OrganizationFactory(kinds=["uo"], territory=elsewhere)
    outsider = f.employee(org, roles=["uo_dispatcher"]).user
    assert titles(selectors.announcements_for(fresh(outsider))) == []


def test_scheduled_and_expired_announcements_are_not_shown(functional_operator, uo_dispatcher):
    with time_machine.travel(NOW, tick=False):
        publish(functional_operator, "Завтра", published_at=NOW + dt.timedelta(days=1))
        publish(functional_operator, "До полудня", expires_at=NOW + dt.timedelta(hours=2))
        publish(functional_operator, "Вчерашнее", published_at=NOW - dt.timedelta(days=1))
        assert titles(selectors.announcements_for(fresh(uo_dispatcher))) == [
            "До полудня",
            "Вчерашнее",
        ]
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        assert titles(selectors.public_announcements()) == ["Завтра", "Вчерашнее"]


def test_a_non_operator_cannot_publish(client, uo_admin):
    client.force_login(uo_admin)
    assert client.get("/help/announcements/new/").status_code == 403
    resp = client.post("/help/announcements/new/", {"title": "Т", "body": "Б", "audience": "all"})
    assert resp.status_code == 403
    api = APIClient()
    api.force_authenticate(uo_admin)
    resp = api.post("/api/v1/announcements/", {"title": "Т", "body": "Б"}, format="json")
    assert resp.status_code == 403
    with pytest.raises(ApplicationError):
        publish(uo_admin, "Т")
    assert Announcement.objects.count() == 0


def test_anonymous_visitors_cannot_publish(client):
    resp = client.post("/help/announcements/new/", {"title": "Т", "body": "Б", "audience": "all"})
    assert resp.status_code == 302 and reverse("login") in resp["Location"]
    resp = APIClient().post("/api/v1/announcements/", {"title": "Т", "body": "Б"}, format="json")
    assert resp.status_code == 401
    assert Announcement.objects.count() == 0


@pytest.mark.req("S7")
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"audience": "roles", "roles": []}, "roles"),
        ({"audience": "roles", "roles": ["mayor"]}, "roles"),
        ({"audience": "territories"}, "territories"),
        ({"audience": "everyone"}, "audience"),
        ({"expires_at": timezone.now() - dt.timedelta(hours=1)}, "expires_at"),
    ],
)
def test_bad_announcements_are_refused_and_nothing_is_stored(functional_operator, kwargs, field):
    with pytest.raises(ApplicationError) as err:
        publish(functional_operator, "Объявление", **kwargs)
    assert field in err.value.fields
    assert Announcement.objects.count() == 0


@pytest.mark.req("S7")
def test_the_page_form_shows_errors_and_stores_nothing(client, functional_operator):
    client.force_login(functional_operator)
    resp = client.post("/help/announcements/new/", {"title": "Т", "body": "Б", "audience": "roles"})
    assert resp.status_code == 200
    assert "Укажите хотя бы одну роль" in resp.content.decode()
    assert Announcement.objects.count() == 0


def test_the_operator_publishes_to_territories_on_the_page(
    client, functional_operator, territory, uo_dispatcher
):
    client.force_login(functional_operator)
    resp = client.post(
        "/help/announcements/new/",
        {
            "title": "Отключение связи",
            "body": "Работы на сервере",
            "audience": "territories",
            "territories": [territory["district"].pk],
            "published_at": "",
            "expires_at": "2099-01-01T10:00",
        },
    )
    assert resp.status_code == 302
    a = Announcement.objects.get()
    assert list(a.territories.all()) == [territory["district"]]
    assert a.expires_at.year == 2099
    assert titles(selectors.announcements_for(fresh(uo_dispatcher))) == ["Отключение связи"]


def test_the_api_lists_my_announcements_and_operators_create_them(
    functional_operator, uo_dispatcher
):
    api = APIClient()
    api.force_authenticate(functional_operator)
    resp = api.post(
        "/api/v1/announcements/",
        {
            "title": "Диспетчерам",
            "body": "Текст",
            "audience": "roles",
            "roles": ["uo_dispatcher"],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    api.force_authenticate(uo_dispatcher)
    assert [r["title"] for r in api.get("/api/v1/announcements/").json()["results"]] == [
        "Диспетчерам"
    ]
    assert APIClient().get("/api/v1/announcements/").json()["count"] == 0


def test_the_operator_withdraws_an_announcement(client, functional_operator):
    a = publish(functional_operator, "Ошибочное")
    client.force_login(functional_operator)
    assert client.post(f"/help/announcements/{a.pk}/withdraw/").status_code == 302
    assert titles(selectors.public_announcements()) == []


def test_the_cabinet_query_count_does_not_grow_with_announcements(
    client, functional_operator, uo_dispatcher, territory
):
    def count():
        user = fresh(uo_dispatcher)
        with CaptureQueriesContext(connection) as ctx:
            list(selectors.announcements_for(user)[:5])
        return len(ctx.captured_queries)

    publish(functional_operator, "Одно")
    few = count()
    for n in range(6):
        publish(functional_operator, f"Роли {n}", audience="roles", roles=["uo_dispatcher"])
        publish(
            functional_operator,
            f"Терр {n}",
            audience="territories",
            territories=[territory["region"]],
        )
    assert count() == few
    assert len(selectors.announcements_for(fresh(uo_dispatcher))) == 13


def test_announcements_are_newest_first(functional_operator, uo_dispatcher):
    with time_machine.travel(NOW, tick=False):
        publish(functional_operator, "Старое", published_at=NOW - dt.timedelta(days=3))
        publish(functional_operator, "Новое", published_at=NOW - dt.timedelta(hours=1))
        publish(functional_operator, "Среднее", published_at=NOW - dt.timedelta(days=1))
        assert titles(selectors.announcements_for(fresh(uo_dispatcher))) == [
            "Новое",
            "Среднее",
            "Старое",
        ]


def test_the_operator_pages_render(client, functional_operator, territory):
    publish(functional_operator, "Всем", expires_at=timezone.now() + dt.timedelta(days=1))
    publish(functional_operator, "Ролям", audience="roles", roles=["resident"])
    publish(
        functional_operator, "Району", audience="territories", territories=[territory["district"]]
    )
    client.force_login(functional_operator)
    page = client.get("/help/announcements/manage/").content.decode()
    assert "Житель" in page and "Центральный район" in page
    assert client.get("/help/announcements/new/").status_code == 200
    assert client.get("/help/sections/new/").status_code == 200
    assert client.get("/help/guides/new/").status_code == 200


def test_the_manage_page_is_for_operators_only(client, uo_admin):
    client.force_login(uo_admin)
    assert client.get("/help/announcements/manage/").status_code == 403
