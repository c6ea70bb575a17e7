"""The ЕСИА seam (issue 12): sign-in through an OpenID Connect provider, here a fake one on
127.0.0.1 answering the token and userinfo calls, never the internet. Off unless configured;
a resident is matched by a verified e-mail or phone or created; staff are never taken over."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from domovoy.directory.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.req("S1"), pytest.mark.req("S6")]
CLIENT_ID = "domovoy-test"
SECRET = "a-client-secret-long-enough-for-hs256-keys"


class FakeProvider:
    """Token and userinfo endpoints; ``claims`` is what userinfo answers, ``aud`` the id
    token's audience. Records the token requests."""

    def __init__(self):
        self.claims = {}
        self.nonce = ""
        self.aud = CLIENT_ID
        self.token_requests = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                provider.token_requests.append(form)
                id_token = jwt.encode(
                    {"sub": provider.claims.get("sub", "x"), "nonce": provider.nonce,
                     "aud": provider.aud, "iss": "http://fake-esia"},
                    SECRET, algorithm="HS256",
                )  # fmt: skip
                self._json({"id_token": id_token, "access_token": "at-1", "token_type": "Bearer"})

            def do_GET(self):  # noqa: N802
                if self.headers.get("Authorization") != "Bearer at-1":
                    return self._json({"error": "invalid_token"}, 401)
                return self._json(provider.claims)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{fake.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{fake.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{fake.url}/userinfo"
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    yield fake
    fake.close()


def sign_in(client, provider, claims):
    """The browser's round trip: to the provider and back with a code."""
    provider.claims = claims
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    target = urlsplit(start["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.url}/authorize"
    query = parse_qs(target.query)
    provider.nonce = query["nonce"][0]
    return client.get("/oidc/callback/", {"code": "auth-code-1", "state": query["state"][0]})


def signed_in_user(client):
    return client.get("/").context["user"]


ESIA = {
    "sub": "esia-100", "email": "Olga@Example.RU", "email_verified": True,
    "phone_number": "+7 (910) 555-33-44", "phone_number_verified": True,
    "family_name": "Сёмина", "given_name": "Ольга", "middle_name": "Петровна",
}  # fmt: skip


def test_the_seam_is_off_until_configured(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404
    assert "/oidc/authenticate/" not in client.get("/register/").content.decode()


def test_a_new_person_becomes_a_resident(client, provider):
    assert "Войти через Госуслуги" in client.get("/register/").content.decode()
    answer = sign_in(client, provider, ESIA)
    assert answer.status_code == 302 and answer["Location"] == "/"
    user = signed_in_user(client)
    assert user.is_authenticated and user.is_resident
    assert (user.email, user.phone, user.last_name) == (
        "olga@example.ru", "+79105553344", "Сёмина",
    )  # fmt: skip
    assert not user.has_usable_password()
    assert provider.token_requests[0]["client_id"] == [CLIENT_ID]
    assert "code_verifier" in provider.token_requests[0]  # PKCE


def test_an_existing_resident_is_matched_by_the_verified_email(client, provider, anna):
    sign_in(client, provider, {**ESIA, "email": anna.email.upper(), "phone_number": ""})
    assert signed_in_user(client) == anna
    assert User.objects.count() == 1


def test_an_existing_resident_is_matched_by_the_verified_phone(client, provider, anna):
    sign_in(client, provider, {**ESIA, "email": "", "phone_number": "8 910 123 45 67"})
    assert signed_in_user(client) == anna


@pytest.mark.req("S2")
def test_staff_are_never_taken_over_by_an_outside_login(client, provider, uo_dispatcher):
    answer = sign_in(client, provider, {**ESIA, "email": uo_dispatcher.email})
    assert answer["Location"] == "/login/"
    page = client.get("/login/").content.decode()
    assert "Не удалось войти через Госуслуги" in page
    assert not signed_in_user(client).is_authenticated


def test_unverified_claims_do_not_match_anyone(client, provider, anna):
    claims = {**ESIA, "email": anna.email, "email_verified": False, "phone_number": ""}
    answer = sign_in(client, provider, claims)
    assert answer["Location"] == "/login/"  # nothing verified: no sign-in
    assert User.objects.count() == 1


def test_a_token_for_another_client_is_refused(client, provider):
    provider.aud = "someone-else"
    answer = sign_in(client, provider, ESIA)
    assert answer["Location"] == "/login/"
    assert not User.objects.filter(email="olga@example.ru").exists()


def test_a_provider_that_is_down_sends_back_to_the_login_with_a_sentence(client, provider):
    provider.close()
    answer = sign_in(client, provider, ESIA)
    assert answer["Location"] == "/login/"
