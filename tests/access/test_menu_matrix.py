"""The menu offers exactly what the pages allow (issue 10, item 1): for every role, every item
of its menu opens (200) for that role. The menu is the table of ``domovoy.web.context``, each
item keyed by its page's own permission and shown in its area's dropdown (issue 12, item 2)."""

import pytest
from django.test import Client
from django.urls import reverse

from domovoy.web.context import ACCOUNT_MENU, MENU, MenuGroup

from .roles_cast import CAST, user_of


@pytest.mark.req("S2")
@pytest.mark.parametrize("who", CAST)
def test_every_menu_item_of_a_role_opens_for_that_role(request, who, building, links):
    user = user_of(request, who)
    client = Client()
    if user is not None:
        client.force_login(user)
    # The home page is for signed-in users; a visitor's menu is read on the public help page.
    home = client.get("/" if user is not None else reverse("help:index"))
    assert home.status_code == 200
    groups = home.context["nav_groups"]
    assert groups and all(isinstance(g, MenuGroup) and g.items for g in groups), who
    items = [entry for group in groups for entry in group.items]
    assert items == home.context["nav_items"]
    account = home.context["account_items"]
    assert bool(account) == (user is not None), who
    # An area shows as a dropdown only with two items or more; each area once.
    areas = [g.label for g in groups if g.label is not None]
    assert len(areas) == len(set(areas)), who
    html = home.content.decode()
    for group in groups:
        if group.is_dropdown:
            assert f">{group.label}</button>" in html, (who, group.label)
        else:
            label, url = group.link
            assert f'href="{url}">{label}</a>' in html, (who, label)
    refused = {}
    for label, url in items + account:
        status = client.get(url).status_code
        if status != 200:
            refused[f"{label} {url}"] = status
    assert not refused, f"{who}: menu items the page refuses: {refused}"


def test_every_item_of_the_table_names_a_registered_permission():
    import rules

    for item in MENU + ACCOUNT_MENU:
        if item.permission is not None:
            assert rules.perm_exists(item.permission), item.permission


@pytest.mark.req("S2")
def test_the_queue_and_the_audit_are_offered_by_the_pages_own_rules(request, building, links):
    """The old disagreement: the menu offered the queue to control roles the page refuses."""

    def menu(user):
        client = Client()
        client.force_login(user)
        return {url for _label, url in client.get("/").context["nav_items"]}

    controller = user_of(request, "control:controller")
    dispatcher = user_of(request, "uo:uo_dispatcher")
    media = user_of(request, "control:media")
    assert "/requests/queue/" not in menu(controller)
    assert "/requests/queue/" in menu(dispatcher)
    assert "/audit/" in menu(controller) and "/audit/" not in menu(media)


@pytest.mark.req("S2")
def test_the_widest_menus_are_grouped_into_a_few_areas(
    request, building, links, technical_operator
):
    """The operators and the administrator had 15–23 links in one row (1,490–1,690 px at
    1366): now a handful of entries, the areas as dropdowns."""
    for user in (technical_operator, user_of(request, "superuser")):
        client = Client()
        client.force_login(user)
        groups = client.get("/").context["nav_groups"]
        assert len(groups) <= 8, [g.label or g.link[0] for g in groups]
        labels = [g.label for g in groups if g.is_dropdown]
        assert "Администрирование" in labels and "Справочники" in labels


def test_an_area_of_one_item_is_that_items_plain_link(request, building, links):
    """The media's only «Заявки» item is the published statistics: a plain «Статистика» link."""
    client = Client()
    client.force_login(user_of(request, "control:media"))
    groups = client.get("/").context["nav_groups"]
    assert not any(g.label == "Заявки" and g.is_dropdown for g in groups)
    assert ("Статистика", "/requests/stats/") in [g.link for g in groups if not g.is_dropdown]
