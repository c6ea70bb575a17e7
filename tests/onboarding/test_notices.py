"""The applicant's e-mails go through the notification outbox (D5, N1): one row per event with
the card's address, delivered by the engine's worker, never twice, never with a password."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from domovoy.notifications import delivery
from domovoy.notifications.models import DeliveryAttempt, Notice
from domovoy.onboarding import notices
from domovoy.onboarding.models import OnboardingRequest

from .files import after_commit, uo_post_data

pytestmark = [pytest.mark.req("D5"), pytest.mark.req("N1"), pytest.mark.django_db]
URL = "/api/v1/onboarding-requests/"
MSK = ZoneInfo("Europe/Moscow")


def _file(api, seed=900, **card):
    with after_commit():
        response = api.post(URL, uo_post_data(seed, **card), format="multipart")
    assert response.status_code == 201, response.json()
    return OnboardingRequest.objects.get(pk=response.json()["id"])


def _letters_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_the_submission_mail_lands_in_the_outbox_and_the_engine_delivers_it(api):
    onboarding = _file(api)
    notice = Notice.objects.get(kind="onboarding.submitted")
    assert notice.recipient_id is None and notice.address == "org900@example.ru"
    assert notice.channel == "email" and notice.group == f"onboarding:{onboarding.pk}"
    assert notice.dedup_key == f"onboarding:{onboarding.pk}:submitted:email"
    # Delivered by the worker scheduled on commit, its attempt recorded.
    assert notice.state == Notice.State.SENT
    assert DeliveryAttempt.objects.filter(notice=notice, ok=True).count() == 1
    (letter,) = _letters_to("org900@example.ru")
    assert letter.subject == "Domovoy: заявка на подключение принята"
    assert f"/onboarding/r/{onboarding.token}/" in letter.body


def test_a_repeated_event_is_queued_once(api):
    onboarding = _file(api)
    mail.outbox.clear()
    with after_commit():
        assert notices.notify_submitted(onboarding) == 0
    assert Notice.objects.filter(kind="onboarding.submitted").count() == 1
    assert mail.outbox == []


def test_each_return_for_corrections_is_its_own_notice(api, functional_operator):
    onboarding = _file(api)
    api.force_authenticate(functional_operator)
    with after_commit():
        response = api.post(
            f"{URL}{onboarding.pk}/request-changes/", {"comment": "Нет телефона"}, format="json"
        )
    assert response.status_code == 200, response.json()
    first = Notice.objects.get(kind="onboarding.changes")
    assert first.state == Notice.State.SENT and "Нет телефона" in first.body
    decision = onboarding.decisions.get(action="request_changes")
    assert first.dedup_key == f"onboarding:{onboarding.pk}:changes:{decision.pk}:email"
    with after_commit():
        assert notices.notify_changes_requested(onboarding, decision, "Нет телефона") == 0
    assert Notice.objects.filter(kind="onboarding.changes").count() == 1


def test_reject_and_connect_are_mailed_through_the_outbox_without_passwords(
    api, functional_operator
):
    rejected = _file(api, seed=901)
    connected = _file(api, seed=902)
    api.force_authenticate(functional_operator)
    with after_commit():
        api.post(f"{URL}{rejected.pk}/reject/", {"comment": "Спам"}, format="json")
        response = api.post(f"{URL}{connected.pk}/approve/", {"comment": "ok"}, format="json")
    assert response.status_code == 200, response.json()
    assert Notice.objects.get(kind="onboarding.rejected").address == "org901@example.ru"
    done = Notice.objects.get(kind="onboarding.connected")
    assert done.address == "org902@example.ru" and done.state == Notice.State.SENT
    assert "подключена" in _letters_to("org902@example.ru")[-1].body
    # The employees' one-time passwords never sit in the outbox (docs/decisions.md).
    assert not Notice.objects.filter(body__icontains="пароль:").exists()


def test_an_applicant_mail_waits_for_the_end_of_quiet_hours(api, settings, time_machine):
    settings.NOTIFICATIONS_QUIET_START, settings.NOTIFICATIONS_QUIET_END = "22:00", "08:00"
    time_machine.move_to(dt.datetime(2026, 12, 1, 23, 30, tzinfo=MSK), tick=False)
    _file(api)
    notice = Notice.objects.get(kind="onboarding.submitted")
    assert notice.state == Notice.State.QUEUED
    assert notice.due_at == dt.datetime(2026, 12, 2, 8, 0, tzinfo=MSK)
    assert _letters_to("org900@example.ru") == []
    time_machine.move_to(dt.datetime(2026, 12, 2, 8, 1, tzinfo=MSK), tick=False)
    assert delivery.deliver_due() == 1
    assert len(_letters_to("org900@example.ru")) == 1


def test_a_failed_delivery_is_retried_by_the_engine(api, settings, monkeypatch, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 12, 0, tzinfo=MSK), tick=False)
    from django.core.mail.backends.locmem import EmailBackend

    calls = []
    real = EmailBackend.send_messages

    def flaky(self, messages):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("smtp down")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    _file(api)
    notice = Notice.objects.get(kind="onboarding.submitted")
    assert (notice.state, notice.attempts) == (Notice.State.QUEUED, 1)
    assert "smtp down" in notice.last_error
    time_machine.move_to(notice.next_attempt_at + dt.timedelta(seconds=1), tick=False)
    assert delivery.deliver_due() == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (Notice.State.SENT, 2)
    assert len(_letters_to("org900@example.ru")) == 1


def test_no_address_no_notice(api):
    onboarding = _file(api)
    onboarding.card["email"] = ""
    assert notices.notify_rejected(onboarding, "Спам") == 0
    assert not Notice.objects.filter(kind="onboarding.rejected").exists()
