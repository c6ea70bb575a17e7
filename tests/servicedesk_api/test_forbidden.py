"""Forbidden paths through the API answer with the JSON error and change nothing: a request the
caller may not read is 404, a wrong party 403, a wrong status or a stale version 409, a missing
parameter 400 naming the field (R4, S2, S7)."""

import pytest
from rest_framework.test import APIClient

from domovoy.servicedesk.models import Comment
from tests.servicedesk.helpers import act, footprint

pytestmark = [pytest.mark.django_db]


@pytest.mark.req("S2")
@pytest.mark.parametrize(
    "path",
    ["", "actions/", "comments/", "accept/"],
    ids=["detail", "actions", "comments", "an action"],
)
def test_another_uo_cannot_even_see_that_the_request_exists(api_of, other_uo_dispatcher, sr, path):
    before = footprint(sr)
    client = api_of(other_uo_dispatcher)
    if path == "accept/":
        response = client.post(f"/api/v1/requests/{sr.pk}/{path}", {"comment": "Моё"})
    else:
        response = client.get(f"/api/v1/requests/{sr.pk}/{path}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert footprint(sr) == before


@pytest.mark.req("S2")
def test_another_uo_and_another_resident_do_not_find_it_in_their_lists(
    api_of, other_uo_dispatcher, boris, anna, sr
):
    assert api_of(other_uo_dispatcher).get("/api/v1/requests/").json()["count"] == 0
    assert api_of(boris).get("/api/v1/requests/").json()["count"] == 0
    assert api_of(boris).get(f"/api/v1/requests/{sr.pk}/").status_code == 404
    assert api_of(anna).get("/api/v1/requests/").json()["count"] == 1


@pytest.mark.req("S2")
def test_an_anonymous_caller_is_refused(sr):
    assert APIClient().get("/api/v1/requests/").status_code in (401, 403)
    assert APIClient().get(f"/api/v1/requests/{sr.pk}/").status_code in (401, 403)
    assert APIClient().get("/api/v1/topics/").status_code in (401, 403)


@pytest.mark.req("R4")
def test_a_resident_calling_accept_gets_403_and_nothing_changes(api_of, anna, sr):
    before = footprint(sr)
    response = api_of(anna).post(
        f"/api/v1/requests/{sr.pk}/accept/", {"comment": "Сама приму"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "диспетчер" in response.json()["message"]
    assert footprint(sr) == before


@pytest.mark.req("R4")
def test_accept_on_a_closed_request_is_a_conflict(api_of, anna, uo_dispatcher, sr):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Заменён доводчик", comment="Готово")
    act(sr, "confirm", anna)
    before = footprint(sr)
    response = api_of(uo_dispatcher).post(
        f"/api/v1/requests/{sr.pk}/accept/", {"comment": "Ещё раз"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status"
    assert "Завершено" in response.json()["message"]
    assert footprint(sr) == before


@pytest.mark.req("R4")
@pytest.mark.req("S7")
def test_accept_without_the_public_comment_is_400_naming_the_field(api_of, uo_dispatcher, sr):
    before = footprint(sr)
    for data in ({}, {"comment": ""}):
        response = api_of(uo_dispatcher).post(
            f"/api/v1/requests/{sr.pk}/accept/", data, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"comment"}
    assert footprint(sr) == before


@pytest.mark.req("R4")
@pytest.mark.req("S7")
def test_a_conditional_parameter_missing_is_400_from_the_service(api_of, uo_dispatcher, sr):
    """R4: the executor's own completion answers the resident, so the comment is mandatory
    here although the serializer cannot know it (a condition on the request)."""
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    before = footprint(sr)
    response = api_of(uo_dispatcher).post(
        f"/api/v1/requests/{sr.pk}/complete/", {"report": "Заменён доводчик"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "required"
    assert set(response.json()["fields"]) == {"comment"}
    assert footprint(sr) == before


@pytest.mark.req("R6")
@pytest.mark.req("S7")
def test_a_bad_choice_and_a_bad_date_are_400_with_their_fields(api_of, uo_dispatcher, sr):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    before = footprint(sr)
    client = api_of(uo_dispatcher)
    response = client.post(
        f"/api/v1/requests/{sr.pk}/reject/",
        {"reject_reason": "не нравится", "comment": "Нет"},
        format="json",
    )
    assert response.status_code == 400 and set(response.json()["fields"]) == {"reject_reason"}
    response = client.post(
        f"/api/v1/requests/{sr.pk}/postpone/",
        {"reason": "Нет материалов", "until": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400 and set(response.json()["fields"]) == {"until"}
    assert footprint(sr) == before


@pytest.mark.req("R4")
def test_a_stale_version_is_a_conflict(api_of, uo_dispatcher, sr):
    seen = sr.version
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")  # somebody else acted meanwhile
    before = footprint(sr)
    response = api_of(uo_dispatcher).post(
        f"/api/v1/requests/{sr.pk}/postpone/",
        {"reason": "Нет материалов", "until": "2099-01-10", "expected_version": seen},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert footprint(sr) == before


@pytest.mark.req("R8")
def test_a_guard_of_the_table_refuses_with_409(api_of, uo_dispatcher, sr):
    """The crew is recorded for emergency requests only: the status allows the action, the
    guard does not."""
    before = footprint(sr)
    response = api_of(uo_dispatcher).post(
        f"/api/v1/requests/{sr.pk}/dispatch_crew/", {}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "emergency_only"
    assert footprint(sr) == before


@pytest.mark.req("R12")
def test_rating_a_request_that_is_not_completed_is_a_conflict(api_of, anna, sr):
    response = api_of(anna).post(f"/api/v1/requests/{sr.pk}/rate/", {"rating": 5}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status"


@pytest.mark.req("R1")
@pytest.mark.req("S2")
def test_staff_of_a_uo_cannot_file_a_request_for_somebody(
    api_of, uo_dispatcher, building, classifier, links
):
    response = api_of(uo_dispatcher).post(
        "/api/v1/requests/",
        {"building": building.pk, "topic": classifier["entrance-door"].pk, "text": "Дверь"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.req("R7")
@pytest.mark.req("S2")
def test_a_stranger_cannot_write_in_a_request_and_staff_without_a_role_cannot_either(
    api_of, uo_accountant, boris, sr
):
    for user, status in ((boris, 404), (uo_accountant, 403)):
        response = api_of(user).post(
            f"/api/v1/requests/{sr.pk}/comments/", {"text": "Здравствуйте"}, format="json"
        )
        assert response.status_code == status
    assert Comment.objects.count() == 0
