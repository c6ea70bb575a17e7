"""Login, lockout, rate limit, logout, password change (S1)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

pytestmark = [pytest.mark.req("S1"), pytest.mark.django_db]

PASSWORD = "secret-pass-1"


@pytest.fixture
def person(uo):
    return f.employee(uo, roles=["uo_dispatcher"], username="ivanova").user


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_the_login_page_speaks_russian_and_declares_utf8(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ru")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<meta charset="utf-8">' in body
    assert "Вход в систему" in body
    assert "Пароль" in body


def test_it_signs_in_with_the_right_password_and_goes_home(client, person):
    response = _login(client, "ivanova", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _signed_in(client)


def test_it_refuses_a_wrong_password_with_a_clear_message(client, person):
    response = _login(client, "ivanova", "wrong")
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.content.decode()
    assert not _signed_in(client)


def test_it_locks_out_after_the_failure_limit_even_for_the_right_password(client, person):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit):
        _login(client, "ivanova", "wrong-password")
    response = _login(client, "ivanova", PASSWORD)
    assert response.status_code == 429
    assert "Вход временно заблокирован" in response.content.decode()
    assert not _signed_in(client)


def test_the_lockout_ends_after_the_cool_off(client, person):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _login(client, "ivanova", "wrong-password")
        assert _login(client, "ivanova", PASSWORD).status_code == 429
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    with time_machine.travel(start + cool_off + dt.timedelta(minutes=1), tick=False):
        response = _login(client, "ivanova", PASSWORD)
        assert response.status_code == 302
        assert _signed_in(client)


def test_attempts_during_the_lockout_extend_it(client, person):
    start = timezone.now()
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _login(client, "ivanova", "wrong-password")
    late = start + cool_off - dt.timedelta(minutes=1)
    with time_machine.travel(late, tick=False):
        assert _login(client, "ivanova", PASSWORD).status_code == 429
    # Counted from the last attempt, not from the first lockout.
    with time_machine.travel(late + cool_off - dt.timedelta(minutes=1), tick=False):
        assert _login(client, "ivanova", PASSWORD).status_code == 429
    final = late + cool_off - dt.timedelta(minutes=1) + cool_off + dt.timedelta(minutes=1)
    with time_machine.travel(final, tick=False):
        assert _login(client, "ivanova", PASSWORD).status_code == 302


def test_the_lockout_of_one_person_does_not_lock_another(client, person, uo):
    f.employee(uo, roles=["uo_dispatcher"], username="petrov")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "ivanova", "wrong-password")
    assert _login(client, "petrov", PASSWORD).status_code == 302


def test_it_answers_429_when_one_address_posts_too_many_logins(client, person):
    # Different usernames, so that the per-user lockout does not interfere.
    for i in range(20):
        assert _login(client, f"guess{i}", "x").status_code == 200
    response = _login(client, "ivanova", PASSWORD)
    assert response.status_code == 429
    assert "Слишком много запросов" in response.content.decode()
    assert not _signed_in(client)
    # Another address is not affected.
    assert _login(client, "ivanova", PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, person):
    client.force_login(person)
    assert client.get(reverse("logout")).status_code == 405
    assert _signed_in(client)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not _signed_in(client)
    # A visitor's «/» is the public landing (issue 12), not the signed-in home.
    assert "web/landing.html" in [t.name for t in client.get(reverse("home")).templates]


def test_a_person_changes_their_password(client, person):
    client.force_login(person)
    page = client.get(reverse("password_change"))
    assert "Смена пароля" in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Zvezda-2026!",
            "new_password2": "Zvezda-2026!",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "Пароль изменён" in client.get(reverse("home")).content.decode()
    assert _signed_in(client)  # the session survives the change
    client.post(reverse("logout"))
    assert _login(client, "ivanova", PASSWORD).status_code == 200
    assert _login(client, "ivanova", "Zvezda-2026!").status_code == 302


def test_a_wrong_old_password_changes_nothing(client, person):
    client.force_login(person)
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Zvezda-2026!", "new_password2": "Zvezda-2026!"},
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
