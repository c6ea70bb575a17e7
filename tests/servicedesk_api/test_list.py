"""The request list of the API: S2 visibility, the filters (status, topic, building, executor,
overdue, period, number/phone), pagination with a constant number of queries, personal data
masked for readers who are not party (S2, S5, R14)."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from domovoy.directory.models import User
from tests import factories as f
from tests.servicedesk.helpers import act, at

pytestmark = [pytest.mark.django_db, pytest.mark.req("S2")]


def numbers(response):
    assert response.status_code == 200, response.json()
    return sorted(row["number"] for row in response.json()["results"])


@pytest.fixture
def three(file_request, uo_dispatcher, contractor, classifier):
    """A door request (new), a roof leak (accepted, then passed to the contractor) and another
    door request (started)."""
    door = file_request()
    roof = file_request("roof-leak", "Течёт крыша над 5 этажом")
    act(roof, "accept", uo_dispatcher, comment="Принято")
    act(roof, "redirect", uo_dispatcher, reason="Кровля", organization=contractor)
    second = file_request(text="Не закрывается дверь в 1 подъезде", phone="+79995550011")
    act(second, "start", uo_dispatcher, comment="Взяли в работу")
    return door, roof, second


def test_the_dispatcher_filters_by_status_topic_executor_and_building(
    api_of, uo_dispatcher, three, classifier, contractor, building, territory, uo
):
    door, roof, second = three
    client = api_of(uo_dispatcher)
    url = "/api/v1/requests/"
    assert numbers(client.get(url)) == sorted([door.number, roof.number, second.number])
    assert numbers(client.get(url, {"status": "in_work"})) == [second.number]
    assert numbers(client.get(url + "?status=in_work&status=new")) == sorted(
        [door.number, roof.number, second.number]
    )
    group = classifier["entrance-door"].parent_id
    assert numbers(client.get(url, {"topic": group})) == sorted([door.number, second.number])
    assert numbers(client.get(url, {"topic": classifier["roof-leak"].pk})) == [roof.number]
    assert numbers(client.get(url, {"executor": contractor.pk})) == [roof.number]
    assert numbers(client.get(url, {"executor": uo.pk})) == sorted([door.number, second.number])
    elsewhere = f.BuildingFactory(territory=territory["district"])
    assert numbers(client.get(url, {"building": building.pk})) == sorted(
        [door.number, roof.number, second.number]
    )
    assert numbers(client.get(url, {"building": elsewhere.pk})) == []


def test_a_bad_filter_value_is_a_400_naming_it(api_of, uo_dispatcher, three):
    response = api_of(uo_dispatcher).get("/api/v1/requests/", {"status": "lost"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status"}


@pytest.mark.req("R14")
def test_overdue_lists_open_requests_past_their_deadline(api_of, uo_dispatcher, file_request):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        late = file_request()  # «3 working days»: due on Thursday
        closed = file_request()
        act(closed, "reject", uo_dispatcher, reject_reason="not_our_zone", comment="Не наш дом")
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        fresh = file_request()
    client = api_of(uo_dispatcher)
    with time_machine.travel(at(2026, 3, 6, 12, 0), tick=False):
        assert numbers(client.get("/api/v1/requests/", {"overdue": "true"})) == [late.number]
        rows = client.get("/api/v1/requests/", {"overdue": "false"}).json()["results"]
        assert sorted(r["number"] for r in rows) == sorted([closed.number, fresh.number])
        assert all(r["is_overdue"] is False for r in rows)
        [row] = client.get("/api/v1/requests/", {"overdue": "true"}).json()["results"]
        assert row["is_overdue"] is True


def test_the_period_filter_takes_the_filing_dates(api_of, uo_dispatcher, file_request):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        early = file_request()
    with time_machine.travel(at(2026, 3, 10, 23, 30), tick=False):  # Moscow date: 10 March
        late = file_request()
    client = api_of(uo_dispatcher)
    url = "/api/v1/requests/"
    assert numbers(client.get(url, {"created_after": "2026-03-05"})) == [late.number]
    assert numbers(client.get(url, {"created_before": "2026-03-09"})) == [early.number]
    same_day = {"created_after": "2026-03-10", "created_before": "2026-03-10"}
    assert numbers(client.get(url, same_day)) == [late.number]
    assert numbers(client.get(url, {"created_after": "2026-03-11"})) == []


def test_the_call_centre_finds_any_request_by_number_or_phone(api_of, call_operator, three):
    door, roof, second = three
    client = api_of(call_operator)
    assert numbers(client.get("/api/v1/requests/", {"q": roof.number})) == [roof.number]
    assert numbers(client.get("/api/v1/requests/", {"q": "8 (999) 555-00-11"})) == [second.number]
    assert numbers(client.get("/api/v1/requests/", {"q": "+7 910 123 45 67"})) == sorted(
        [door.number, roof.number]
    )
    # The call centre reads the caller's phone (it is party to the conversation with them).
    [row] = client.get("/api/v1/requests/", {"q": roof.number}).json()["results"]
    assert row["phone"] == "+79101234567"


@pytest.mark.req("S5")
def test_a_territorial_reader_sees_the_requests_with_personal_data_masked(
    api_of, functional_operator, three
):
    rows = api_of(functional_operator).get("/api/v1/requests/").json()["results"]
    assert len(rows) == 3
    for row in rows:
        assert "1234567" not in row["phone"] and "***" in row["phone"]
        assert row["caller_name"] != "Смирнова Анна" and "***" in row["caller_name"]


def _list_queries(api_of, user, **params):
    # A fresh user object per call, as in a real request: nothing memoised from earlier calls.
    client = api_of(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/requests/", params)
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("who", ["uo_dispatcher", "anna", "call_operator"])
def test_the_list_runs_the_same_number_of_queries_for_5_and_for_30_rows(
    request, api_of, file_request, who
):
    user = request.getfixturevalue(who)
    for _ in range(5):
        file_request()
    small, rows_small = _list_queries(api_of, user)
    for _ in range(25):
        file_request()
    large, rows_large = _list_queries(api_of, user)
    assert (rows_small, rows_large) == (5, 30)
    assert small == large


def test_the_list_is_paginated(api_of, anna, file_request):
    for _ in range(3):
        file_request()
    body = api_of(anna).get("/api/v1/requests/").json()
    assert body["count"] == 3 and body["next"] is None and len(body["results"]) == 3


def test_deleted_requests_leave_the_lists(api_of, anna, file_request):
    kept, gone = file_request(), file_request()
    act(gone, "delete", anna)
    assert numbers(api_of(anna).get("/api/v1/requests/")) == [kept.number]
    assert api_of(anna).get(f"/api/v1/requests/{gone.pk}/").status_code == 404
