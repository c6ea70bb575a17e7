"""Item 9 of issue 9: login lockout, rate limits and API throttles key on the client behind the
documented reverse proxy (TRUSTED_PROXIES + the rightmost untrusted X-Forwarded-For hop), lock
out username+address, and API rates come from settings or from the integration agreement."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from domovoy.api import services as api_services
from domovoy.core.client_address import client_address
from domovoy.core.errors import ApplicationError, PermissionDeniedError
from tests.fixtures import token_client

pytestmark = [pytest.mark.req("S1"), pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.5"


def _meta(remote, xff=None):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if xff is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = xff
    return request


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/24"]


def test_without_trusted_proxies_the_socket_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_meta("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client(behind_proxy):
    assert client_address(_meta(PROXY, "203.0.113.9")) == "203.0.113.9"
    # Two proxies: the inner one appended the outer one's address, which is trusted too.
    assert client_address(_meta(PROXY, "203.0.113.9, 10.0.0.7")) == "203.0.113.9"


def test_a_forged_leftmost_hop_does_not_choose_the_bucket(behind_proxy):
    # The client sent "X-Forwarded-For: 192.0.2.66"; the proxy appended its real address.
    assert client_address(_meta(PROXY, "192.0.2.66, 203.0.113.9")) == "203.0.113.9"
    assert client_address(_meta(PROXY, "garbage, 203.0.113.9")) == "203.0.113.9"


def test_a_header_from_a_client_that_is_not_a_proxy_is_ignored(behind_proxy):
    assert client_address(_meta("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_ports_and_ipv6_are_understood(behind_proxy):
    assert client_address(_meta(PROXY, "203.0.113.9:51234")) == "203.0.113.9"
    assert client_address(_meta(PROXY, "[2001:db8::1]:443")) == "2001:db8::1"


def _login(client, username, password, address):
    return client.post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_lockout_is_per_username_and_client_address_behind_the_proxy(
    client, behind_proxy, settings, uo_dispatcher
):
    """Before: every login came from the proxy's address, so five wrong passwords from anyone
    locked the dispatcher out for the whole city."""
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, "uodisp", "wrong", "203.0.113.66")
    locked = _login(client, "uodisp", "secret-pass-1", "203.0.113.66")
    assert locked.status_code == 429, "the attacking address stays locked out"
    assert "_auth_user_id" not in client.session

    elsewhere = _login(client, "uodisp", "secret-pass-1", "198.51.100.20")
    assert elsewhere.status_code == 302, "the dispatcher still signs in from their own address"
    assert client.session["_auth_user_id"] == str(uo_dispatcher.pk)


def test_the_lockout_parameters_combine_username_and_address(settings):
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_CLIENT_IP_CALLABLE == "domovoy.core.client_address.client_address"


def test_the_login_rate_limit_counts_each_client_behind_the_proxy(client, behind_proxy, db):
    for _ in range(20):
        _login(client, f"nobody{_}", "x", "203.0.113.70")
    assert _login(client, "nobody", "x", "203.0.113.70").status_code == 429
    assert _login(client, "nobody", "x", "203.0.113.71").status_code == 200


ONBOARDING = "/api/v1/onboarding-requests/"


def test_the_intake_rate_comes_from_settings_and_counts_clients_behind_the_proxy(
    behind_proxy, settings
):
    settings.API_THROTTLE_INTAKE_ANONYMOUS = "2/min"
    api = APIClient()
    codes = [
        api.post(ONBOARDING, {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.80").status_code
        for _ in range(3)
    ]
    assert codes[:2] == [400, 400] and codes[2] == 429
    other = api.post(ONBOARDING, {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.81")
    assert other.status_code == 400


@pytest.mark.slow
def test_the_api_rates_are_read_from_the_environment():
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "1",
        "API_THROTTLE_INTAKE_INTEGRATION": "7/hour",
        "API_THROTTLE_INTAKE_ANONYMOUS": "11/min",
        "DJANGO_SETTINGS_MODULE": "domovoy.settings",
        "DOMOVOY_VAR_DIR": os.environ.get("DOMOVOY_VAR_DIR", str(ROOT / "var")),
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.API_THROTTLE_INTAKE_INTEGRATION, "
            "settings.API_THROTTLE_INTAKE_ANONYMOUS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["7/hour", "11/min"]


REQUESTS = "/api/v1/requests/"


@pytest.fixture
def make_agreement(technical_operator):
    counter = iter(range(1, 100))

    def make(scopes=("directory:read",), **extra):
        today = timezone.localdate()
        return api_services.integration_agreement_create(
            actor=technical_operator,
            number=f"RATE-{next(counter)}",
            system_name="Портал",
            parties="Администрация и интегратор",
            valid_from=today - dt.timedelta(days=1),
            valid_to=today + dt.timedelta(days=30),
            scopes=list(scopes),
            **extra,
        )

    return make


@pytest.fixture
def make_token(technical_operator):
    def make(agreement):
        return api_services.integration_token_issue(actor=technical_operator, agreement=agreement)[
            1
        ]

    return make


def test_an_agreement_rate_overrides_the_default_for_its_tokens(make_agreement, make_token):
    slow = make_token(make_agreement(scopes=["requests:write"], throttle_rate="2/min"))
    default = make_token(make_agreement(scopes=["requests:write"]))
    slow_codes = [
        token_client(slow).post(REQUESTS, {}, format="json").status_code for _ in range(3)
    ]
    assert slow_codes[2] == 429 and 429 not in slow_codes[:2]
    default_codes = [
        token_client(default).post(REQUESTS, {}, format="json").status_code for _ in range(3)
    ]
    assert 429 not in default_codes


def test_the_operator_sets_an_agreement_rate_on_the_page_and_in_the_api(
    client, make_agreement, technical_operator
):
    agreement = make_agreement()
    client.force_login(technical_operator)
    response = client.post(f"/integrations/{agreement.pk}/rate/", {"throttle_rate": "600/min"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.throttle_rate == "600/min"
    page = client.get(f"/integrations/{agreement.pk}/")
    assert "600 в минуту" in page.content.decode()
    # Typed in Russian (issue 12): stored in DRF's words, which the throttles parse.
    client.post(f"/integrations/{agreement.pk}/rate/", {"throttle_rate": "1000/час"})
    agreement.refresh_from_db()
    assert agreement.throttle_rate == "1000/hour"

    bad = client.post(f"/integrations/{agreement.pk}/rate/", {"throttle_rate": "lots"})
    assert bad.status_code == 400
    assert "число/период" in bad.content.decode()

    api = APIClient()
    api.force_authenticate(technical_operator)
    url = f"/api/v1/integrations/{agreement.pk}/"
    assert api.patch(url, {"throttle_rate": "5/s"}, format="json").json()["throttle_rate"] == "5/s"
    bad = api.patch(url, {"throttle_rate": "9" * 30}, format="json")
    assert bad.status_code == 400
    assert api.patch(url, {"throttle_rate": ""}, format="json").json()["throttle_rate"] == ""


def test_only_the_token_issuer_sets_a_rate(client, make_agreement, uo_admin):
    agreement = make_agreement()
    client.force_login(uo_admin)
    assert (
        client.post(f"/integrations/{agreement.pk}/rate/", {"throttle_rate": "1/s"}).status_code
        == 403
    )
    with pytest.raises(PermissionDeniedError):
        api_services.integration_agreement_set_rate(
            actor=uo_admin, agreement=agreement, throttle_rate="1/s"
        )
    agreement.refresh_from_db()
    assert agreement.throttle_rate == ""


def test_a_bad_rate_at_creation_is_a_field_error(make_agreement):
    with pytest.raises(ApplicationError) as exc:
        make_agreement(throttle_rate="fast")
    assert "throttle_rate" in exc.value.fields
