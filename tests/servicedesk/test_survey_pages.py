"""The survey, call-list and appeal pages and API (R13): the resident answers from the notice's
link, the call centre records a caller's answer, the control body decides an appeal; other
residents and roles are refused; markup in texts is shown as text."""

import pytest
import time_machine

from domovoy.servicedesk import surveys
from domovoy.servicedesk.models import Appeal, Survey
from domovoy.servicedesk.workflow import Status
from tests import factories as f

from .helpers import act, at
from .test_surveys import close, file_caller_request

pytestmark = [pytest.mark.django_db, pytest.mark.req("R13")]


@pytest.fixture
def surveyed(sr, uo_dispatcher, anna):
    with time_machine.travel(at(2026, 12, 6, 15, 0), tick=False):
        close(sr, uo_dispatcher, anna)
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        surveys.surveys_send()
    return sr


@pytest.fixture
def caller_request(building, classifier, call_operator, uo_dispatcher, links):
    return file_caller_request(building, classifier, call_operator, uo_dispatcher)


@pytest.fixture
def supervisor(control_org):
    return f.employee(control_org, roles=["supervisor"], username="kurator").user


def test_the_resident_answers_not_satisfied_on_the_survey_page(client_of, surveyed, anna):
    client = client_of(anna)
    card = client.get(f"/requests/my/{surveyed.number}/")
    assert f"/requests/my/{surveyed.number}/survey/" in card.text  # reachable from the card
    page = client.get(f"/requests/my/{surveyed.number}/survey/")
    assert page.status_code == 200 and "Удовлетворены ли вы результатом" in page.text
    empty = client.post(f"/requests/my/{surveyed.number}/survey/", {"comment": "x"})
    assert empty.status_code == 400 and "Выберите ответ" in empty.text
    done = client.post(
        f"/requests/my/{surveyed.number}/survey/", {"satisfied": "0", "comment": "Скрипит"}
    )
    assert done.status_code == 302
    surveyed.refresh_from_db()
    assert surveyed.status == Status.REOPENED
    card = client.get(f"/requests/my/{surveyed.number}/")
    assert "на дополнительном контроле" in card.text


def test_the_executor_sees_the_additional_control_mark(client_of, surveyed, anna, uo_dispatcher):
    surveys.survey_answer(request=surveyed, actor=anna, satisfied=False, via="cabinet")
    card = client_of(uo_dispatcher).get(f"/requests/work/{surveyed.number}/")
    assert card.status_code == 200 and "на дополнительном контроле" in card.text


def test_another_resident_gets_404_on_the_survey(client_of, surveyed, boris):
    client = client_of(boris)
    assert client.get(f"/requests/my/{surveyed.number}/survey/").status_code == 404
    assert (
        client.post(f"/requests/my/{surveyed.number}/survey/", {"satisfied": "0"}).status_code
        == 404
    )
    assert Survey.objects.get().answered_at is None


def test_the_call_centre_records_a_callers_answer_from_the_call_list(
    client_of,
    caller_request,
    call_operator,
    anna,
):
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        surveys.surveys_send()
    survey = Survey.objects.get()
    client = client_of(call_operator)
    page = client.get("/requests/call/surveys/")
    assert page.status_code == 200 and caller_request.number in page.text
    assert "+79105550000" in page.text
    done = client.post(
        f"/requests/call/surveys/{survey.pk}/", {"satisfied": "0", "comment": "Дует"}, follow=True
    )
    assert f"Ответ по заявке № {caller_request.number} записан" in done.text
    caller_request.refresh_from_db()
    assert caller_request.status == Status.REOPENED
    assert f'data-survey="{survey.pk}"' not in client.get("/requests/call/surveys/").text
    assert client_of(anna).get("/requests/call/surveys/").status_code == 403


def test_the_call_list_api_is_the_call_centres(
    api_of,
    caller_request,
    call_operator,
    anna,
    uo_dispatcher,
):
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        surveys.surveys_send()
    rows = api_of(call_operator).get("/api/v1/surveys/call-list/").json()
    assert [r["number"] for r in rows] == [caller_request.number]
    assert rows[0]["phone"] == "+79105550000"
    for intruder in (anna, uo_dispatcher):
        assert api_of(intruder).get("/api/v1/surveys/call-list/").status_code == 403
    answer = api_of(call_operator).post(
        f"/api/v1/requests/{caller_request.pk}/survey/", {"satisfied": True}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["answered_via"] == "call"


def test_the_survey_api_for_the_author_and_not_for_others(api_of, surveyed, anna, boris):
    url = f"/api/v1/requests/{surveyed.pk}/survey/"
    assert api_of(boris).get(url).status_code == 404
    assert api_of(boris).post(url, {"satisfied": False}, format="json").status_code == 404
    assert api_of(anna).get(url).json()["satisfied"] is None
    bad = api_of(anna).post(url, {"comment": "?"}, format="json")
    assert bad.status_code == 400
    done = api_of(anna).post(url, {"satisfied": False, "comment": "Нет"}, format="json")
    assert done.status_code == 200 and done.json()["satisfied"] is False
    again = api_of(anna).post(url, {"satisfied": True}, format="json")
    assert again.status_code == 409


def test_the_control_body_decides_an_appeal_on_its_page(
    client_of, sr, anna, uo_dispatcher, supervisor, boris
):
    act(sr, "reject", uo_dispatcher, reject_reason="not_our_zone", comment="Не наш дом",
        reason="Чужой дом")  # fmt: skip
    resident = client_of(anna)
    filed = resident.post(
        f"/requests/my/{sr.number}/do/appeal/",
        {"appeal-comment": "<script>alert(1)</script> Дом наш", "appeal-version": sr.version},
    )
    assert filed.status_code == 302, filed.text[:500]
    appeal = Appeal.objects.get()
    judge = client_of(supervisor)
    listing = judge.get("/requests/appeals/")
    assert listing.status_code == 200 and sr.number in listing.text
    page = judge.get(f"/requests/appeals/{appeal.pk}/")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    missing = judge.post(f"/requests/appeals/{appeal.pk}/", {"decision": "appeal_uphold"})
    assert missing.status_code == 400 and "Укажите основание решения" in missing.text
    decided = judge.post(
        f"/requests/appeals/{appeal.pk}/",
        {"decision": "appeal_uphold", "reason": "Дом в реестре за УК", "comment": "Вернули"},
    )
    assert decided.status_code == 302
    sr.refresh_from_db()
    assert sr.status == Status.REOPENED
    decided_page = judge.get(f"/requests/appeals/{appeal.pk}/").text
    assert "Жалоба обоснована, заявка возвращена в работу" in decided_page
    for intruder in (anna, boris, uo_dispatcher):
        assert client_of(intruder).get("/requests/appeals/").status_code == 403
        assert client_of(intruder).get(f"/requests/appeals/{appeal.pk}/").status_code == 403


def test_the_appeal_api_lists_and_decides_through_the_workflow_routes(
    api_of, sr, anna, uo_dispatcher, controller, boris
):
    act(sr, "reject", uo_dispatcher, reject_reason="not_our_zone", comment="Не наш дом",
        reason="Чужой дом")  # fmt: skip
    assert api_of(boris).post(
        f"/api/v1/requests/{sr.pk}/appeal/", {"comment": "Чужая"}, format="json"
    ).status_code in (403, 404)
    filed = api_of(anna).post(f"/api/v1/requests/{sr.pk}/appeal/", {"comment": "Наш дом"},
                              format="json")  # fmt: skip
    assert filed.status_code == 200, filed.json()
    rows = api_of(controller).get("/api/v1/appeals/").json()
    assert [r["number"] for r in rows] == [sr.number] and rows[0]["subject"] == "rejection"
    assert api_of(uo_dispatcher).get("/api/v1/appeals/").status_code == 403
    refused = api_of(uo_dispatcher).post(
        f"/api/v1/requests/{sr.pk}/appeal_dismiss/", {"reason": "x", "comment": "y"},
        format="json",
    )  # fmt: skip
    assert refused.status_code in (403, 404)
    dismissed = api_of(controller).post(
        f"/api/v1/requests/{sr.pk}/appeal_dismiss/",
        {"reason": "Дом не в управлении УК", "comment": "Решение об отклонении верное"},
        format="json",
    )
    assert dismissed.status_code == 200, dismissed.json()
    sr.refresh_from_db()
    assert sr.status == Status.REJECTED and Appeal.objects.get().decision == "dismissed"
