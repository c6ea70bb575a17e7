"""The menu offers exactly what the pages allow (issue 10, item 1): for every role, every item
of its menu opens (200) for that role. The menu is the table of ``domovoy.web.context``, each
item keyed by its page's own permission."""

import pytest
from django.test import Client
from django.urls import reverse

from domovoy.web.context import MENU

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
    items = home.context["nav_items"]
    assert items, who
    refused = {}
    for label, url in items:
        status = client.get(url).status_code
        if status != 200:
            refused[f"{label} {url}"] = status
    assert not refused, f"{who}: menu items the page refuses: {refused}"


def test_every_item_of_the_table_names_a_registered_permission():
    import rules

    for item in MENU:
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
