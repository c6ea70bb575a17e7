"""A one-time password must be changed before anything else (S1)."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = [pytest.mark.req("S1"), pytest.mark.django_db]

MIDDLEWARE = "domovoy.web.middleware.MustChangePasswordMiddleware"


@pytest.fixture(autouse=True)
def _with_middleware(settings):
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


@pytest.fixture
def newcomer(uo):
    user = f.employee(uo, roles=["uo_dispatcher"], username="novikov").user
    user.must_change_password = True
    user.save()
    return user


def test_after_login_a_newcomer_is_sent_to_the_password_change_page(client, newcomer):
    response = client.post(reverse("login"), {"username": "novikov", "password": "secret-pass-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert "одноразовым паролем" in page.content.decode()


def test_a_newcomer_cannot_open_other_pages_nor_the_api(client, newcomer):
    client.force_login(newcomer)
    for url in (reverse("home"), reverse("help:index"), reverse("audit:log")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("password_change")
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json()["code"] == "password_change_required"


def test_after_changing_the_password_the_newcomer_works_normally(client, newcomer):
    client.force_login(newcomer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "secret-pass-1",
            "new_password1": "Rodnik-4412!",
            "new_password2": "Rodnik-4412!",
        },
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.must_change_password is False
    assert client.get(reverse("help:index")).status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_a_newcomer_may_still_log_out(client, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_people_with_their_own_password_are_not_redirected(client, uo_dispatcher):
    client.force_login(uo_dispatcher)
    assert client.get(reverse("help:index")).status_code == 200
