"""Issue 10, item 5: the intake throttles are settings per channel (an integration's token,
a person's session, an anonymous caller), an integration agreement may set its own rate, and the
form rate limits (login, the public onboarding form) are settings too. Each is exercised through
the real HTTP path: the configured number passes, the next answers 429."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from domovoy.core.ratelimit import parse_rate
from tests.fixtures import token_client

pytestmark = [pytest.mark.req("S1"), pytest.mark.django_db]

REQUESTS = "/api/v1/requests/"
ONBOARDING = "/api/v1/onboarding-requests/"


def _codes(post, n):
    return [post().status_code for _ in range(n)]


def _limited_after(codes, allowed):
    """The first ``allowed`` calls pass the throttle (whatever the view answers), the next 429."""
    return 429 not in codes[:allowed] and codes[allowed:] == [429] * (len(codes) - allowed)


@pytest.fixture
def integration(make_agreement, make_token):
    def make(**extra):
        return token_client(make_token(make_agreement(scopes=["requests:write"], **extra)))

    return make


def test_an_integration_is_cut_at_its_channel_setting(integration):
    client = integration()
    with override_settings(API_THROTTLE_INTAKE_INTEGRATION="3/min"):
        codes = _codes(lambda: client.post(REQUESTS, {}, format="json"), 5)
    assert _limited_after(codes, 3), codes


def test_the_integration_default_is_far_above_the_old_thirty_a_minute(settings, integration):
    assert parse_rate(settings.API_THROTTLE_INTAKE_INTEGRATION)[0] >= 600
    client = integration()
    codes = _codes(lambda: client.post(REQUESTS, {}, format="json"), 35)
    assert 429 not in codes


def test_each_agreement_is_counted_on_its_own(integration):
    first, second = integration(), integration()
    with override_settings(API_THROTTLE_INTAKE_INTEGRATION="2/min"):
        assert _limited_after(_codes(lambda: first.post(REQUESTS, {}, format="json"), 3), 2)
        assert 429 not in _codes(lambda: second.post(REQUESTS, {}, format="json"), 2)


def test_a_refused_call_is_told_when_the_window_ends_and_then_passes(integration):
    client = integration()
    start = time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False)
    with override_settings(API_THROTTLE_INTAKE_INTEGRATION="2/min"), start as clock:
        assert _limited_after(_codes(lambda: client.post(REQUESTS, {}, format="json"), 3), 2)
        clock.shift(20)
        refused = client.post(REQUESTS, {}, format="json")
        assert refused.status_code == 429 and refused["Retry-After"] == "40"
        clock.shift(41)  # the window opened by the first call has ended
        assert _limited_after(_codes(lambda: client.post(REQUESTS, {}, format="json"), 3), 2)


def test_an_agreement_rate_overrides_the_integration_setting(integration):
    own = integration(throttle_rate="4/min")
    default = integration()
    with override_settings(API_THROTTLE_INTAKE_INTEGRATION="2/min"):
        assert _limited_after(_codes(lambda: own.post(REQUESTS, {}, format="json"), 6), 4)
        assert _limited_after(_codes(lambda: default.post(REQUESTS, {}, format="json"), 3), 2)


def test_an_agreement_rate_may_also_be_lower_than_the_setting(integration):
    slow = integration(throttle_rate="1/min")
    codes = _codes(lambda: slow.post(REQUESTS, {}, format="json"), 2)
    assert _limited_after(codes, 1), codes


def test_a_session_is_cut_at_its_channel_setting_per_person(resident, uo_dispatcher):
    person, other = APIClient(), APIClient()
    person.force_authenticate(resident)
    other.force_authenticate(uo_dispatcher)
    with override_settings(API_THROTTLE_INTAKE_SESSION="2/min"):
        assert _limited_after(_codes(lambda: person.post(REQUESTS, {}, format="json"), 4), 2)
        assert 429 not in _codes(lambda: other.post(REQUESTS, {}, format="json"), 2)


def test_an_anonymous_caller_is_cut_at_its_channel_setting_per_address():
    api = APIClient()
    with override_settings(API_THROTTLE_INTAKE_ANONYMOUS="2/min"):
        codes = _codes(lambda: api.post(ONBOARDING, {}, REMOTE_ADDR="198.51.100.1"), 3)
        assert _limited_after(codes, 2), codes
        assert api.post(ONBOARDING, {}, REMOTE_ADDR="198.51.100.2").status_code != 429


def test_the_channels_do_not_share_a_count(integration):
    client = integration()
    anonymous = APIClient()
    with override_settings(
        API_THROTTLE_INTAKE_ANONYMOUS="1/min", API_THROTTLE_INTAKE_INTEGRATION="5/min"
    ):
        assert _limited_after(_codes(lambda: anonymous.post(ONBOARDING, {}), 2), 1)
        assert 429 not in _codes(lambda: client.post(REQUESTS, {}, format="json"), 3)


def test_an_empty_rate_switches_the_channel_limit_off():
    api = APIClient()
    with override_settings(API_THROTTLE_INTAKE_ANONYMOUS=""):
        assert 429 not in _codes(lambda: api.post(ONBOARDING, {}), 12)


def test_reading_is_not_throttled(integration, make_agreement, make_token):
    reader = token_client(make_token(make_agreement(scopes=["requests:read"])))
    with override_settings(API_THROTTLE_INTAKE_INTEGRATION="1/min"):
        assert 429 not in _codes(lambda: reader.get(REQUESTS), 3)


# --- the form rate limits (domovoy.core.ratelimit) ----------------------------------------------


def test_the_login_rate_limit_is_a_setting(client):
    with override_settings(RATE_LIMIT_LOGIN="3/min"):
        codes = _codes(lambda: client.post("/login/", {"username": "x", "password": "y"}), 4)
    assert codes == [200, 200, 200, 429]


def test_the_onboarding_form_rate_limit_is_a_setting(client):
    with override_settings(RATE_LIMIT_ONBOARDING_INTAKE="2/10min"):
        codes = _codes(lambda: client.post("/onboarding/", {"inn": "1"}), 3)
    assert codes == [400, 400, 429]


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("20/min", (20, 60)), ("10/10min", (10, 600)), ("5/s", (5, 1)), ("100/2hours", (100, 7200))],
)
def test_form_rates_parse(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "fast", "0/min", "10/week", "10/0min", "10"])
def test_malformed_form_rates_are_refused(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


def test_manage_check_refuses_a_malformed_rate():
    with override_settings(API_THROTTLE_INTAKE_SESSION="lots", RATE_LIMIT_LOGIN="fast"):
        with pytest.raises(SystemCheckError) as exc:
            call_command("check")
    assert "API_THROTTLE_INTAKE_SESSION" in str(exc.value)
    assert "RATE_LIMIT_LOGIN" in str(exc.value)
    call_command("check")
