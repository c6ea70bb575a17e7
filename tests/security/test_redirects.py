"""Open redirects (issue 9, item 12b): every page that takes a ``next`` target sends a foreign
or scripted one to its safe fallback; an address inside the site is still followed."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import now

from domovoy.notifications.models import InboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.req("S7")]


@pytest.fixture(autouse=True)
def _restore_language(settings):
    """The language switch below leaves English active in the thread; later tests expect
    the default language."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


EVIL = ["/\\evil.example", "//evil.example", "https://evil.example", "javascript:alert(1)"]
EVIL_IDS = ["backslash", "scheme-relative", "absolute", "javascript"]


def assert_local(response, expected):
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.parametrize("target", EVIL, ids=EVIL_IDS)
def test_bulk_accept_returns_to_the_queue_instead_of_a_foreign_next(
    client,
    sr,
    uo_dispatcher,
    target,
):
    client.force_login(uo_dispatcher)
    response = client.post(
        reverse("servicedesk:staff_bulk_accept"),
        {"rows": [f"{sr.pk}:{sr.version}"], "comment": "Приняли", "next": target},
    )
    assert_local(response, reverse("servicedesk:staff_queue"))


def test_bulk_accept_follows_a_next_inside_the_site(client, sr, uo_dispatcher):
    client.force_login(uo_dispatcher)
    back = reverse("servicedesk:staff_queue") + "?tab=all"
    response = client.post(
        reverse("servicedesk:staff_bulk_accept"),
        {"rows": [f"{sr.pk}:{sr.version}"], "comment": "Приняли", "next": back},
    )
    assert_local(response, back)


@pytest.mark.parametrize("target", EVIL, ids=EVIL_IDS)
def test_the_inbox_returns_to_itself_instead_of_a_foreign_next(client, resident, target):
    client.force_login(resident)
    response = client.post(reverse("notifications:mark-all-read"), {"next": target})
    assert_local(response, reverse("notifications:inbox"))


def test_marking_one_message_read_ignores_a_foreign_next(client, resident):
    message = InboxMessage.objects.create(
        recipient=resident, kind="test", subject="Отключение", body="Вода", created_at=now()
    )
    client.force_login(resident)
    for target in EVIL:
        response = client.post(
            reverse("notifications:mark-read", args=[message.pk]), {"next": target}
        )
        assert_local(response, reverse("notifications:inbox"))


@pytest.mark.parametrize("target", EVIL, ids=EVIL_IDS)
def test_login_goes_home_instead_of_a_foreign_next(client, resident, target):
    resident.set_password("Secret-pass-123")
    resident.save()
    response = client.post(
        reverse("login") + "?next=" + target,
        {"username": resident.username, "password": "Secret-pass-123", "next": target},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript")


@pytest.mark.parametrize("target", EVIL, ids=EVIL_IDS)
def test_logout_and_the_language_switch_ignore_a_foreign_next(client, resident, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert not response["Location"].startswith("javascript")
    client.force_login(resident)
    response = client.post(reverse("logout"), {"next": target})
    assert response.status_code in (200, 302)
    assert "evil" not in response.get("Location", "")
    assert not response.get("Location", "").startswith("javascript")
