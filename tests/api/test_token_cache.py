"""Verified tokens kept per process (issue 10): a token just verified costs no query, yet every
change that refuses it (revoked, expired, its user deactivated, its agreement cut or narrowed)
is seen by the next call here, and within a second by the other processes (S1)."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from domovoy.api.auth import LoggedTokenAuthentication, verified_tokens
from domovoy.core import process_cache
from domovoy.core.process_cache import ProcessCache
from tests.fixtures import token_client

pytestmark = [pytest.mark.req("S1"), pytest.mark.django_db]

ME = "/api/v1/me/"


def _token_reads(ctx):
    return [q["sql"] for q in ctx.captured_queries if '"knox_authtoken"' in q["sql"]]


def test_a_token_just_verified_is_not_read_again(make_agreement, make_token):
    client = token_client(make_token(make_agreement()))
    assert client.get(ME).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(ME).status_code == 200
    assert _token_reads(ctx) == []


def test_each_call_gets_its_own_copy_of_the_rows(make_agreement, make_token):
    token = make_token(make_agreement()).encode()
    auth = LoggedTokenAuthentication()
    first_user, first_token = auth.authenticate_credentials(token)
    second_user, second_token = auth.authenticate_credentials(token)
    assert first_user.pk == second_user.pk and first_token.pk == second_token.pk
    assert first_user is not second_user and first_token is not second_token
    assert first_user.integration is not second_user.integration
    assert first_token.user is first_user  # the copy keeps its own links
    first_user.integration.scopes.append("audit:read")  # a request's change stays its own
    assert "audit:read" not in second_user.integration.scopes


def test_a_revoked_token_is_refused_by_the_next_call(make_agreement, make_token):
    agreement = make_agreement()
    client = token_client(make_token(agreement))
    assert client.get(ME).status_code == 200
    AuthToken.objects.filter(user=agreement.user).delete()  # logout, logout-all, revocation
    assert client.get(ME).status_code == 401


def test_a_deactivated_user_is_refused_by_the_next_call(make_agreement, make_token):
    agreement = make_agreement()
    client = token_client(make_token(agreement))
    assert client.get(ME).status_code == 200
    agreement.user.is_active = False
    agreement.user.save()
    assert client.get(ME).status_code == 401


def test_a_narrowed_agreement_refuses_the_next_call(make_agreement, make_token):
    agreement = make_agreement(scopes=["directory:read", "audit:read"])
    client = token_client(make_token(agreement))
    assert client.get("/api/v1/audit/").status_code == 200
    agreement.scopes = ["directory:read"]
    agreement.save()
    assert client.get("/api/v1/audit/").status_code == 403


def test_a_cut_agreement_refuses_the_next_call(make_agreement, make_token):
    agreement = make_agreement()
    client = token_client(make_token(agreement))
    assert client.get(ME).status_code == 200
    agreement.valid_to = timezone.localdate() - dt.timedelta(days=1)
    agreement.save()
    assert client.get(ME).status_code == 401


def test_a_kept_token_that_expires_is_refused_and_deleted(make_agreement, make_token):
    agreement = make_agreement()
    client = token_client(make_token(agreement, expires_on=timezone.localdate()))
    assert client.get(ME).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        assert client.get(ME).status_code == 401
    assert not AuthToken.objects.filter(user=agreement.user).exists()


def test_a_login_does_not_drop_the_kept_tokens(make_agreement, make_token, client, anna):
    api = token_client(make_token(make_agreement()))
    assert api.get(ME).status_code == 200
    client.force_login(anna)  # stamps last_login: nothing a token is checked against
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(ME).status_code == 200
    assert _token_reads(ctx) == []


def test_another_process_revoking_is_seen_within_the_generation_check(
    make_agreement, make_token, monkeypatch
):
    agreement = make_agreement()
    client = token_client(make_token(agreement))
    assert client.get(ME).status_code == 200
    # Another process deletes the token: the row goes and the shared generation moves; this
    # process has had no signal.
    AuthToken.objects.filter(user=agreement.user)._raw_delete(connection.alias)
    cache.set(verified_tokens.generation_key, 1)
    assert client.get(ME).status_code == 200  # within GENERATION_CHECK (a second)
    monkeypatch.setattr(process_cache, "GENERATION_CHECK", 0)
    assert client.get(ME).status_code == 401


def test_rows_read_before_a_commit_are_not_kept_after_it(django_capture_on_commit_callbacks):
    kept = ProcessCache("test-commit", ttl=60, max_entries=10)
    with django_capture_on_commit_callbacks(execute=True):
        kept.invalidate()  # a save in a transaction not yet committed
        # Another reader, before the commit, still sees the old rows and keeps them.
        assert kept.get("k", lambda: "old rows") == "old rows"
    assert kept.get("k", lambda: "new rows") == "new rows"
