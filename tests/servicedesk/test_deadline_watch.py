"""The deadline watch and the advance notice (R14, Z 4.6–4.7, 6.1.4.1; C6 «без
предупреждения»): the worker flags, the lists show, the notices go once."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from domovoy.core.errors import Conflict, Forbidden, Invalid
from domovoy.notifications.models import Notice
from domovoy.servicedesk import selectors, services
from domovoy.servicedesk.models import AdvanceNotice, RequestEvent, ServiceRequest
from domovoy.servicedesk.workflow import Action

from .helpers import act, at

pytestmark = [pytest.mark.req("R14"), pytest.mark.django_db]

FILED = at(2026, 11, 16, 10, 0)  # a Monday


@pytest.fixture
def request_filed(file_request):
    with time_machine.travel(FILED, tick=False):
        return file_request()


def staff_notices(sr, kind):
    return list(Notice.objects.filter(group=f"request:{sr.pk}:staff", kind=kind, channel="inbox"))


def on_control_list(controller, sr, now):
    from domovoy.directory import roles

    rows = selectors.overdue_requests(now=now, territory=roles.territory_scope(controller))
    return sr.pk in {r.pk for r in rows}


@pytest.mark.req("C6")
def test_an_overdue_request_is_on_the_control_list_the_minute_its_deadline_passes(
    request_filed, controller, uo_dispatcher, uo_engineer
):
    sr = request_filed
    deadline = sr.deadline_at
    before = deadline - dt.timedelta(minutes=1)
    with time_machine.travel(before, tick=False):
        services.deadline_watch()
        assert not on_control_list(controller, sr, before)
    assert staff_notices(sr, services.KIND_OVERDUE) == []
    assert ServiceRequest.objects.get(pk=sr.pk).overdue_flagged_at is None

    after = deadline + dt.timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        assert services.deadline_watch()["overdue"] == 1
        assert on_control_list(controller, sr, after)
    row = ServiceRequest.objects.get(pk=sr.pk)
    assert row.overdue_flagged_at == after
    assert row.overdue_without_notice  # C6: missed with no advance notice
    # The executor's dispatcher and the control body's controller, once each; the engineer
    # (not a dispatcher) is not told.
    told = {n.recipient_id for n in staff_notices(sr, services.KIND_OVERDUE)}
    assert told == {uo_dispatcher.pk, controller.pk}
    assert "не предупреждал" in staff_notices(sr, services.KIND_OVERDUE)[0].body
    flagged = RequestEvent.objects.filter(request=sr, action=Action.FLAG_OVERDUE)
    assert flagged.count() == 1 and flagged.get().data["without_notice"] is True

    # The next minutes change nothing: one history row, one notice per person.
    with time_machine.travel(after + dt.timedelta(minutes=5), tick=False):
        assert services.deadline_watch()["overdue"] == 0
    assert len(staff_notices(sr, services.KIND_OVERDUE)) == 2
    assert RequestEvent.objects.filter(request=sr, action=Action.FLAG_OVERDUE).count() == 1


def test_the_resident_never_sees_the_watch_in_their_timeline(request_filed, controller):
    sr = request_filed
    with time_machine.travel(sr.deadline_at + dt.timedelta(days=2), tick=False):
        services.deadline_watch()
    public = selectors.request_history(request=sr, public_only=True)
    assert not public.filter(action__in=[Action.FLAG_OVERDUE, Action.FLAG_NOT_ACCEPTED]).exists()


def test_not_accepted_within_24_hours_is_flagged_once_at_the_24th_hour(
    request_filed, controller, uo_dispatcher
):
    sr = request_filed
    with time_machine.travel(FILED + dt.timedelta(hours=23, minutes=59), tick=False):
        assert services.deadline_watch()["not_accepted"] == 0
    with time_machine.travel(FILED + dt.timedelta(hours=24, minutes=1), tick=False):
        assert services.deadline_watch()["not_accepted"] == 1
        assert services.deadline_watch()["not_accepted"] == 0
    assert ServiceRequest.objects.get(pk=sr.pk).not_accepted_flagged_at is not None
    told = {n.recipient_id for n in staff_notices(sr, services.KIND_NOT_ACCEPTED)}
    assert told == {uo_dispatcher.pk, controller.pk}
    assert RequestEvent.objects.filter(request=sr, action=Action.FLAG_NOT_ACCEPTED).count() == 1


def test_an_accepted_request_is_not_flagged_as_not_accepted(request_filed, uo_dispatcher):
    sr = request_filed
    with time_machine.travel(FILED + dt.timedelta(hours=2), tick=False):
        act(sr, Action.ACCEPT, uo_dispatcher, comment="Приняли")
    with time_machine.travel(FILED + dt.timedelta(hours=30), tick=False):
        assert services.deadline_watch()["not_accepted"] == 0


def _notice(sr, user, **kw):
    kw.setdefault("reasons", "Нет запчастей у поставщика")
    kw.setdefault("measures", "Заказан доводчик, бригада назначена")
    kw.setdefault("new_date", (sr.deadline_at + dt.timedelta(days=3)).date())
    return services.advance_notice_file(request=sr, actor=user, **kw)


@pytest.mark.req("C6")
def test_an_advance_notice_24_hours_ahead_is_on_time_and_the_miss_is_not_silent(
    request_filed, uo_dispatcher, controller
):
    sr = request_filed
    with time_machine.travel(sr.deadline_at - dt.timedelta(hours=25), tick=False):
        notice = _notice(sr, uo_dispatcher)
    assert not notice.is_late
    assert notice.deadline_at == sr.deadline_at
    # The controller hears of it; the deadline does not move (a proposal, docs/decisions.md).
    assert {n.recipient_id for n in staff_notices(sr, services.KIND_ADVANCE_NOTICE)} >= {
        controller.pk
    }
    assert ServiceRequest.objects.get(pk=sr.pk).deadline_at == sr.deadline_at
    event = RequestEvent.objects.get(request=sr, action=Action.ADVANCE_NOTICE)
    assert event.data["late"] is False and event.reason == "Нет запчастей у поставщика"
    with time_machine.travel(sr.deadline_at + dt.timedelta(minutes=1), tick=False):
        services.deadline_watch()
    row = ServiceRequest.objects.get(pk=sr.pk)
    assert row.overdue_flagged_at is not None and not row.overdue_without_notice
    assert "не предупреждал" not in staff_notices(sr, services.KIND_OVERDUE)[0].body


def test_a_notice_less_than_24_hours_ahead_is_recorded_late(request_filed, uo_engineer):
    sr = request_filed
    with time_machine.travel(sr.deadline_at - dt.timedelta(hours=3), tick=False):
        notice = _notice(sr, uo_engineer)
    assert notice.is_late
    # Late, but a notice all the same: the miss is not «без предупреждения».
    with time_machine.travel(sr.deadline_at + dt.timedelta(minutes=1), tick=False):
        services.deadline_watch()
    assert not ServiceRequest.objects.get(pk=sr.pk).overdue_without_notice


def test_a_short_term_notice_is_on_time_until_the_deadline(file_request, uo_dispatcher):
    # «Холодные батареи»: 8 working hours, shorter than the 24-hour lead: «as soon as the risk
    # is known» — any time before the deadline.
    with time_machine.travel(FILED, tick=False):
        sr = file_request("heating-cold-radiators", "Холодная батарея")
    assert sr.deadline_at - sr.created_at <= dt.timedelta(hours=24)
    with time_machine.travel(sr.deadline_at - dt.timedelta(minutes=30), tick=False):
        assert not _notice(sr, uo_dispatcher).is_late
    with time_machine.travel(sr.deadline_at + dt.timedelta(minutes=30), tick=False):
        assert _notice(sr, uo_dispatcher).is_late


@pytest.mark.req("C6")
def test_a_notice_after_the_miss_is_late_and_the_mark_stays(request_filed, uo_dispatcher):
    sr = request_filed
    with time_machine.travel(sr.deadline_at + dt.timedelta(minutes=1), tick=False):
        services.deadline_watch()
    with time_machine.travel(sr.deadline_at + dt.timedelta(hours=1), tick=False):
        assert _notice(sr, uo_dispatcher).is_late
    assert ServiceRequest.objects.get(pk=sr.pk).overdue_without_notice


def test_a_moved_deadline_is_watched_afresh(request_filed, uo_dispatcher, controller):
    sr = request_filed
    first = sr.deadline_at
    with time_machine.travel(first + dt.timedelta(minutes=1), tick=False):
        services.deadline_watch()
        sr.refresh_from_db()
        act(
            sr,
            Action.SET_DEADLINE,
            uo_dispatcher,
            deadline=first + dt.timedelta(days=2),
            reason="Согласовано с ГЖИ",
        )
    row = ServiceRequest.objects.get(pk=sr.pk)
    assert row.overdue_flagged_at is None and not row.overdue_without_notice
    with time_machine.travel(first + dt.timedelta(days=2, minutes=1), tick=False):
        assert services.deadline_watch()["overdue"] == 1
    # One notice per deadline per person: two deadlines missed, two notices each.
    mine = [n for n in staff_notices(sr, services.KIND_OVERDUE) if n.recipient_id == controller.pk]
    assert len(mine) == 2


@pytest.mark.parametrize("who", ["controller", "other_uo_dispatcher", "anna", "rso_dispatcher"])
def test_only_the_executor_files_an_advance_notice(request_filed, who, request):
    sr = request_filed
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        _notice(sr, user)
    assert not AdvanceNotice.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("reasons", "  ", "причины"),
        ("measures", "", "меры"),
        ("new_date", None, "новый срок"),
        ("new_date", dt.date(2026, 11, 1), "позже текущего срока"),
    ],
)
def test_a_notice_needs_reasons_measures_and_a_later_date(
    request_filed, uo_dispatcher, field, value, words
):
    with pytest.raises(Invalid) as refused:
        _notice(request_filed, uo_dispatcher, **{field: value})
    assert words in str(refused.value).lower()
    assert field in refused.value.fields
    assert not AdvanceNotice.objects.exists()


def test_no_notice_on_a_closed_request(request_filed, uo_dispatcher):
    ServiceRequest.objects.filter(pk=request_filed.pk).update(status="closed")
    with pytest.raises(Conflict):
        _notice(request_filed, uo_dispatcher)


# --- Pages and API ---------------------------------------------------------------------------


def _overdue_now(sr):
    return time_machine.travel(sr.deadline_at + dt.timedelta(minutes=1), tick=False)


def test_the_control_page_shows_the_overdue_request_without_notice(
    request_filed, controller, client_of
):
    sr = request_filed
    with _overdue_now(sr):
        services.deadline_watch()
        page = client_of(controller).get(reverse("servicedesk:staff_list", args=["overdue"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"№ {sr.number}" in html and "без предупреждения" in html


def test_the_card_files_an_advance_notice_and_shows_it(request_filed, uo_dispatcher, client_of):
    sr = request_filed
    url = reverse("servicedesk:staff_advance_notice", args=[sr.number])
    client = client_of(uo_dispatcher)
    with time_machine.travel(sr.deadline_at - dt.timedelta(hours=30), tick=False):
        card = client.get(reverse("servicedesk:staff_detail", args=[sr.number]))
        assert "Предупредить о срыве срока" in card.content.decode()
        bad = client.post(url, {"reasons": "", "measures": "м", "new_date": "2026-12-30"})
        assert bad.status_code == 400
        assert "Исправьте поля формы" in bad.content.decode()
        done = client.post(
            url,
            {
                "reasons": "<script>alert(1)</script>Нет запчастей",
                "measures": "Заказаны",
                "new_date": "2026-12-30",
            },
            follow=True,
        )
    html = done.content.decode()
    assert "Предупреждение о срыве срока отправлено" in html
    assert "Новый срок: 30.12.2026" in html and "подано вовремя" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_the_card_refuses_a_notice_from_another_organisation(
    request_filed, other_uo_dispatcher, controller, client_of
):
    url = reverse("servicedesk:staff_advance_notice", args=[request_filed.number])
    data = {"reasons": "р", "measures": "м", "new_date": "2026-12-30"}
    assert client_of(other_uo_dispatcher).post(url, data).status_code == 404
    # The controller reads the card but is not the executor: refused, nothing stored.
    assert client_of(controller).post(url, data).status_code == 403
    assert not AdvanceNotice.objects.exists()


def test_the_api_lists_overdue_for_the_control_body_and_files_a_notice(
    request_filed, uo_dispatcher, controller, api_of
):
    sr = request_filed
    with _overdue_now(sr):
        services.deadline_watch()
        rows = api_of(controller).get("/api/v1/control-lists/overdue/").json()["results"]
        assert [r["number"] for r in rows] == [sr.number]
        assert rows[0]["overdue_without_notice"] is True
        new = api_of(controller).get("/api/v1/control-lists/new/").json()["results"]
        assert [r["number"] for r in new] == [sr.number]
        assert api_of(controller).get("/api/v1/control-lists/nonsense/").status_code == 404
        url = f"/api/v1/requests/{sr.pk}/advance-notices/"
        body = {"reasons": "Нет запчастей", "measures": "Заказаны", "new_date": "2026-12-30"}
        refused = api_of(controller).post(url, body, format="json")
        assert refused.status_code == 403
        filed = api_of(uo_dispatcher).post(url, body, format="json")
        assert filed.status_code == 201 and filed.json()["is_late"] is True
        bad = api_of(uo_dispatcher).post(url, {**body, "new_date": "2026-01-01"}, format="json")
        assert bad.status_code == 400
        listed = api_of(controller).get(url).json()
        assert [n["new_date"] for n in listed] == ["2026-12-30"]
        rows = api_of(uo_dispatcher).get("/api/v1/control-lists/overdue/").json()["results"]
        assert rows[0]["advance_notice_new_date"] == "2026-12-30"


def test_the_api_control_lists_are_not_for_residents(request_filed, anna, api_of):
    assert api_of(anna).get("/api/v1/control-lists/overdue/").status_code == 403


def test_another_uo_does_not_see_our_overdue_request(request_filed, other_uo_dispatcher, api_of):
    with _overdue_now(request_filed):
        services.deadline_watch()
        rows = api_of(other_uo_dispatcher).get("/api/v1/control-lists/overdue/").json()
    assert rows["results"] == []
