"""Issue 11: the workflow follows the regulations — through the service, the staff card and the
API alike (the same refusal codes: 400 a missing or wrong parameter, 403 the wrong party, 409 the
wrong status).

- R4, K 3 item 1: taking a request into work is answered with a public comment; the call
  centre's closing carries its note to the resident.
- R6, U 3.4.1г, K 3: rejection only on the grounds the regulations name; «нецензурная лексика»
  only for a text the detector flagged; no «Иное», no «Повторная». A supplier's return to the
  UO counts in that supplier's statistics.
- R2, K 3: only the executor's dispatcher or the control body's controller sets a deadline by
  hand, with a reason.
"""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.servicedesk import statistics
from domovoy.servicedesk.models import RequestEvent, ServiceRequest
from domovoy.servicedesk.workflow import RejectReason, Status
from tests import factories as f
from tests.servicedesk.helpers import act, footprint

from .helpers import card_url, post_action, state

pytestmark = pytest.mark.django_db

RUDE = "Почините уже эту б.л.я.д.с.к.у.ю дверь"


def _api(user, sr, action, **data):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(f"/api/v1/requests/{sr.pk}/{action}/", data, format="json")


def _both(client_of, user, sr, action, **fields):
    """The card's answer and the API's to the same action, each leaving the request as it was."""
    before = state(sr)
    card = post_action(client_of(user), sr, action, **fields)
    assert state(sr) == before
    api = _api(user, sr, action, **fields)
    assert state(sr) == before
    return card, api


def _deadline():
    return (timezone.localtime() + dt.timedelta(days=5)).replace(second=0, microsecond=0)


@pytest.fixture
def media(control_org):
    return f.employee(control_org, roles=["media"], username="press").user


# --- R4: taking into work, closing by the call centre ------------------------------------------


@pytest.mark.req("R4")
def test_taking_into_work_without_a_public_comment_is_refused_by_the_service(sr, uo_dispatcher):
    before = footprint(sr)
    with pytest.raises(ApplicationError) as err:
        act(sr, "start", uo_dispatcher)
    assert err.value.code == "required" and set(err.value.fields) == {"comment"}
    assert footprint(sr) == before
    act(sr, "start", uo_dispatcher, comment="Мастер придёт сегодня до 18:00")
    assert sr.status == Status.IN_WORK
    event = sr.events.order_by("-id").first()
    assert event.action == "start" and event.comment == "Мастер придёт сегодня до 18:00"


@pytest.mark.req("R4")
def test_taking_into_work_without_a_comment_is_400_on_the_card_and_in_the_api(
    client_of, sr, uo_dispatcher
):
    card, api = _both(client_of, uo_dispatcher, sr, "start")
    assert card.status_code == api.status_code == 400
    assert "comment" in api.json()["fields"]
    response = client_of(uo_dispatcher).get(card_url(sr))
    assert 'name="start-comment"' in response.content.decode()
    assert post_action(client_of(uo_dispatcher), sr, "start", comment="Взяли").status_code == 302
    assert ServiceRequest.objects.get(pk=sr.pk).status == Status.IN_WORK


@pytest.fixture
def done(sr, uo_dispatcher):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Доводчик заменён", comment="Доводчик заменён")
    return sr


@pytest.mark.req("R4")
@pytest.mark.req("R11")
def test_the_call_centre_closes_only_with_its_note_to_the_resident(done, call_operator):
    before = footprint(done)
    with pytest.raises(ApplicationError) as err:
        act(done, "close_by_call_centre", call_operator, grounds="no_phone")
    assert err.value.code == "required" and set(err.value.fields) == {"comment"}
    assert footprint(done) == before
    response = _api(call_operator, done, "close_by_call_centre", grounds="no_phone")
    assert response.status_code == 400 and "comment" in response.json()["fields"]
    assert footprint(done) == before


# --- R6: the closed list of rejection grounds -------------------------------------------------


@pytest.mark.req("R6")
def test_the_rejection_grounds_are_the_regulations_closed_list():
    assert set(RejectReason.values) == {"not_our_zone", "obscene", "reopen_without_reason"}


@pytest.mark.req("R6")
@pytest.mark.parametrize("ground", ["other", "duplicate"])
def test_other_and_repeat_are_no_grounds_for_rejection(client_of, sr, uo_dispatcher, ground):
    before = footprint(sr)
    with pytest.raises(ApplicationError) as err:
        act(sr, "reject", uo_dispatcher, reject_reason=ground, comment="Не будем")
    assert err.value.code == "invalid" and set(err.value.fields) == {"reject_reason"}
    assert footprint(sr) == before
    card, api = _both(client_of, uo_dispatcher, sr, "reject", reject_reason=ground, comment="Нет")
    assert card.status_code == api.status_code == 400
    assert set(api.json()["fields"]) == {"reject_reason"}


@pytest.mark.req("R6")
@pytest.mark.req("R16")
def test_obscene_language_is_a_ground_only_for_a_flagged_text(
    client_of, file_request, sr, uo_dispatcher
):
    assert not sr.has_obscene
    before = footprint(sr)
    with pytest.raises(ApplicationError) as err:
        act(sr, "reject", uo_dispatcher, reject_reason="obscene", comment="Грубо")
    assert err.value.code == "invalid" and set(err.value.fields) == {"reject_reason"}
    assert footprint(sr) == before
    card, api = _both(client_of, uo_dispatcher, sr, "reject", reject_reason="obscene", comment="X")
    assert card.status_code == api.status_code == 400
    assert set(api.json()["fields"]) == {"reject_reason"}
    # The card does not even offer the ground for a clean text; it does for a flagged one.
    page = client_of(uo_dispatcher).get(card_url(sr)).content.decode()
    assert 'value="obscene"' not in page and 'value="not_our_zone"' in page
    rude = file_request(text=RUDE)
    assert rude.has_obscene
    assert 'value="obscene"' in client_of(uo_dispatcher).get(card_url(rude)).content.decode()
    offered = {
        a["action"]: {p["name"]: p for p in a["params"]} for a in _actions(uo_dispatcher, rude)
    }["reject"]["reject_reason"]["choices"]
    assert [c for c, _label in offered] == ["not_our_zone", "obscene"]
    response = _api(uo_dispatcher, rude, "reject", reject_reason="obscene", comment="Подайте снова")
    assert response.status_code == 200, response.content
    assert ServiceRequest.objects.get(pk=rude.pk).status == Status.REJECTED


@pytest.mark.req("R6")
@pytest.mark.req("R18")
def test_a_return_to_the_uo_counts_in_the_returning_suppliers_statistics(
    sr, uo, contractor, uo_dispatcher, contractor_dispatcher
):
    act(sr, "redirect", uo_dispatcher, reason="Подрядчик по дверям", organization=contractor)
    act(sr, "return_to_uo", contractor_dispatcher, return_reason="fault_not_confirmed",
        reason="Доводчик исправен")  # fmt: skip
    sr.refresh_from_db()
    assert sr.executor_org_id == uo.pk
    today = timezone.localdate()
    period = {"date_from": today - dt.timedelta(days=1), "date_to": today + dt.timedelta(days=1)}
    supplier = statistics.statistics(organization=contractor, **period)["summary"]
    assert supplier["total"] == 1 and supplier["returned_to_uo"] == 1
    assert statistics.statistics(organization=uo, **period)["summary"]["returned_to_uo"] == 1
    assert statistics.statistics(organization=None, **period)["summary"]["returned_to_uo"] == 1


# --- R2: who sets a deadline by hand -----------------------------------------------------------


@pytest.mark.req("R2")
def test_the_executors_dispatcher_and_the_control_bodys_controller_set_a_deadline(
    sr, uo_dispatcher, controller
):
    first, second = _deadline(), _deadline() + dt.timedelta(days=1)
    act(sr, "set_deadline", uo_dispatcher, reason="Согласовано с жителем", deadline=first)
    assert sr.deadline_at == first
    act(sr, "set_deadline", controller, reason="Предписание ГЖИ", deadline=second)
    assert sr.deadline_at == second
    events = RequestEvent.objects.filter(request=sr, action="set_deadline").order_by("id")
    assert [e.reason for e in events] == ["Согласовано с жителем", "Предписание ГЖИ"]


@pytest.mark.req("R2")
@pytest.mark.parametrize("who", ["uo_engineer", "media", "call_operator"])
def test_other_roles_may_not_set_a_deadline_by_hand(request, sr, who):
    user = request.getfixturevalue(who)
    before = footprint(sr)
    with pytest.raises(PermissionDeniedError):
        act(sr, "set_deadline", user, reason="Хочу", deadline=_deadline())
    assert footprint(sr) == before


@pytest.mark.req("R2")
def test_an_engineer_setting_a_deadline_is_403_on_the_card_and_in_the_api(
    client_of, sr, uo_engineer
):
    deadline = _deadline().strftime("%Y-%m-%dT%H:%M")
    card, api = _both(client_of, uo_engineer, sr, "set_deadline", reason="Хочу", deadline=deadline)
    assert card.status_code == api.status_code == 403
    assert "set_deadline" not in {a["action"] for a in _actions(uo_engineer, sr)}


@pytest.mark.req("R2")
@pytest.mark.parametrize("who", ["media", "call_operator"])
def test_media_and_the_call_centre_setting_a_deadline_are_refused_in_the_api(request, sr, who):
    user = request.getfixturevalue(who)
    before = footprint(sr)
    deadline = _deadline().isoformat()
    response = _api(user, sr, "set_deadline", reason="Хочу", deadline=deadline)
    assert response.status_code in (403, 404)
    assert footprint(sr) == before


@pytest.mark.req("R2")
def test_a_deadline_without_a_reason_is_400_and_on_a_closed_request_409(
    client_of, sr, uo_dispatcher
):
    deadline = _deadline().strftime("%Y-%m-%dT%H:%M")
    card, api = _both(client_of, uo_dispatcher, sr, "set_deadline", deadline=deadline)
    assert card.status_code == api.status_code == 400
    assert "reason" in api.json()["fields"]
    act(sr, "reject", uo_dispatcher, reject_reason="not_our_zone", comment="Не наш дом")
    card, api = _both(
        client_of, uo_dispatcher, sr, "set_deadline", reason="Поздно", deadline=deadline
    )
    assert card.status_code == api.status_code == 409


def _actions(user, sr):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/requests/{sr.pk}/actions/").json()
