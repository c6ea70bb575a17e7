"""Issue 11 (N1): the technical operator sees the failed deliveries on the outbox page and
sends them again — one row or the selected ones — on the page (POST with CSRF) and through
the API; one transaction per action, audited; every other role gets 403."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from domovoy.audit.models import AuditEntry
from domovoy.notifications.models import Notice
from domovoy.notifications.services import notices_enqueue
from tests import factories as f

from .conftest import intent

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(anna):
    """Three e-mail rows of anna: two failed for good, one sent."""
    notices_enqueue([intent(anna, f"k{i}", channels=("email",)) for i in range(3)])
    rows = list(Notice.objects.order_by("id"))
    since = timezone.now() - dt.timedelta(hours=25)
    Notice.objects.filter(pk__in=[rows[0].pk, rows[1].pk]).update(
        state="failed", attempts=21, failing_since=since, last_error="OSError: SMTP down"
    )
    Notice.objects.filter(pk=rows[2].pk).update(state="sent", attempts=1)
    return rows


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def _login(client, user):
    client.force_login(user)
    page = client.get("/notifications/outbox/")
    return page, client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""


@pytest.mark.req("N1")
def test_the_technical_operator_sees_failed_rows_and_retries_one(
    csrf_client, technical_operator, failed, django_capture_on_commit_callbacks
):
    page, token = _login(csrf_client, technical_operator)
    assert page.status_code == 200
    html = page.content.decode()
    assert "OSError: SMTP down" in html
    assert f"/notifications/outbox/{failed[0].pk}/retry/" in html
    assert f'data-notice="{failed[2].pk}"' not in html  # the sent row is on another tab
    with django_capture_on_commit_callbacks(execute=True):
        answer = csrf_client.post(
            f"/notifications/outbox/{failed[0].pk}/retry/", {"csrfmiddlewaretoken": token}
        )
    assert answer.status_code == 302
    row = Notice.objects.get(pk=failed[0].pk)
    # A new round: queued at once (here delivered by the scheduled task), attempts from zero.
    assert (row.state, row.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1
    assert Notice.objects.get(pk=failed[1].pk).state == "failed"
    entry = AuditEntry.objects.get(model_label="notifications.notice")
    assert (entry.action, entry.object_id, entry.actor) == (
        "update",
        str(failed[0].pk),
        technical_operator,
    )
    assert entry.changes["state"] == ["failed", "queued"]


@pytest.mark.req("N1")
def test_bulk_retry_on_the_page_takes_only_the_failed_rows(csrf_client, technical_operator, failed):
    _page, token = _login(csrf_client, technical_operator)
    ids = [row.pk for row in failed]
    answer = csrf_client.post(
        "/notifications/outbox/retry/", {"csrfmiddlewaretoken": token, "ids": ids}
    )
    assert answer.status_code == 302
    states = dict(Notice.objects.values_list("pk", "state"))
    assert [states[pk] for pk in ids] == ["queued", "queued", "sent"]
    assert set(Notice.objects.filter(pk__in=ids[:2]).values_list("attempts", "failing_since")) == {
        (0, None)
    }
    entry = AuditEntry.objects.get(action="bulk")
    assert entry.changes == {"retried": ids[:2]} and entry.actor == technical_operator


@pytest.mark.req("N1")
def test_the_retry_needs_the_csrf_token(csrf_client, technical_operator, failed):
    _login(csrf_client, technical_operator)
    answer = csrf_client.post(f"/notifications/outbox/{failed[0].pk}/retry/")
    assert answer.status_code == 403
    assert Notice.objects.get(pk=failed[0].pk).state == "failed"


@pytest.mark.req("N1")
@pytest.mark.parametrize("who", ["resident", "functional_operator", "uo_dispatcher", "anna"])
def test_other_roles_get_403_on_the_page_and_the_actions(client, request, who, failed):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/notifications/outbox/").status_code == 403
    pk = failed[0].pk
    assert client.post(f"/notifications/outbox/{pk}/retry/").status_code == 403
    assert client.post("/notifications/outbox/retry/", {"ids": [pk]}).status_code == 403
    assert Notice.objects.get(pk=pk).state == "failed"
    assert not AuditEntry.objects.filter(model_label="notifications.notice").exists()


@pytest.mark.req("N1")
def test_anonymous_visitors_are_sent_to_the_login_page(client, failed):
    assert client.get("/notifications/outbox/").status_code == 302
    assert client.post(f"/notifications/outbox/{failed[0].pk}/retry/").status_code == 302
    assert Notice.objects.get(pk=failed[0].pk).state == "failed"


@pytest.mark.req("N1")
def test_the_api_lists_and_retries_failed_rows(technical_operator, failed):
    api = APIClient()
    api.force_authenticate(technical_operator)
    listed = api.get("/api/v1/notifications/outbox/")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [failed[1].pk, failed[0].pk]
    assert listed.json()["results"][0]["last_error"] == "OSError: SMTP down"

    one = api.post(f"/api/v1/notifications/outbox/{failed[0].pk}/retry/")
    assert one.status_code == 200 and one.json() == {"retried": 1}
    again = api.post(f"/api/v1/notifications/outbox/{failed[0].pk}/retry/")
    assert again.status_code == 400  # no longer failed
    many = api.post(
        "/api/v1/notifications/outbox/retry/",
        {"ids": [failed[1].pk, failed[2].pk]},
        format="json",
    )
    assert many.status_code == 200 and many.json() == {"retried": 1}
    assert (
        api.post("/api/v1/notifications/outbox/retry/", {"ids": []}, format="json").status_code
        == 400
    )
    assert Notice.objects.get(pk=failed[2].pk).state == "sent"
    assert AuditEntry.objects.filter(model_label="notifications.notice").count() == 1
    assert AuditEntry.objects.filter(action="bulk").count() == 1


@pytest.mark.req("N1")
@pytest.mark.parametrize("who", ["resident", "functional_operator", "uo_dispatcher"])
def test_the_api_refuses_other_roles(request, who, failed):
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(who))
    pk = failed[0].pk
    assert api.get("/api/v1/notifications/outbox/").status_code == 403
    assert api.post(f"/api/v1/notifications/outbox/{pk}/retry/").status_code == 403
    answer = api.post("/api/v1/notifications/outbox/retry/", {"ids": [pk]}, format="json")
    assert answer.status_code == 403
    assert Notice.objects.get(pk=pk).state == "failed"


@pytest.mark.req("N1")
def test_anonymous_api_callers_are_refused(failed):
    api = APIClient()
    assert api.post(f"/api/v1/notifications/outbox/{failed[0].pk}/retry/").status_code in (401, 403)
    assert Notice.objects.get(pk=failed[0].pk).state == "failed"


@pytest.mark.req("N1")
def test_the_inbox_links_the_outbox_for_the_technical_operator_only(client, technical_operator):
    client.force_login(technical_operator)
    assert "/notifications/outbox/" in client.get("/notifications/").content.decode()
    client.force_login(f.UserFactory(username="r2", is_resident=True))
    assert "/notifications/outbox/" not in client.get("/notifications/").content.decode()
