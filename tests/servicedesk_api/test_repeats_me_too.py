"""Issue 13 in the API: the chain of repeats on the request detail (R14) and
``POST/DELETE /api/v1/requests/<id>/me-too/`` (N2: the resident who joined is told)."""

import pytest

from domovoy.notifications.models import Notice
from domovoy.servicedesk.models import MeToo
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def boris_lives_here(boris, building):
    _prem, account = f.premises_with_account(building, number="7")
    account.residents.add(boris)
    return boris


def me_too(client, pk, method="post"):
    return getattr(client, method)(f"/api/v1/requests/{pk}/me-too/")


@pytest.mark.req("R14")
def test_the_executor_sees_the_chain_in_the_api_detail(file_request, api_of, uo_dispatcher, anna):
    first = file_request()
    second = file_request(text="Опять сломан доводчик")
    body = api_of(uo_dispatcher).get(f"/api/v1/requests/{second.pk}/").json()
    assert body["repeat_of"] == first.pk
    assert [row["number"] for row in body["repeat_chain"]] == [first.number, second.number]
    assert body["repeat_chain"][0]["status"] == "new"
    # The author sees neither the link nor the other residents' requests.
    mine = api_of(anna).get(f"/api/v1/requests/{second.pk}/").json()
    assert mine["repeat_of"] is None and mine["repeat_chain"] == []


@pytest.mark.req("N2")
def test_me_too_through_the_api_counts_once_and_withdraws(sr, api_of, boris_lives_here):
    client = api_of(boris_lives_here)
    first = me_too(client, sr.pk)
    assert first.status_code == 201, first.content
    assert first.json() == {
        "id": sr.pk,
        "number": sr.number,
        "me_too": True,
        "me_too_count": 1,
        "affected_residents": 2,
    }
    again = me_too(client, sr.pk)
    assert again.status_code == 200 and again.json()["me_too_count"] == 1
    gone = me_too(client, sr.pk, "delete")
    assert gone.status_code == 200
    assert gone.json()["me_too"] is False and gone.json()["me_too_count"] == 0


@pytest.mark.req("N2")
def test_me_too_subscriber_gets_the_closing_notice_and_the_executor_sees_the_count(
    sr, api_of, boris_lives_here, uo_dispatcher, anna
):
    assert me_too(api_of(boris_lives_here), sr.pk).status_code == 201
    staff = api_of(uo_dispatcher)
    assert staff.get(f"/api/v1/requests/{sr.pk}/").json()["affected_residents"] == 2
    for action, data in (
        ("start", {"comment": "Взяли в работу"}),
        ("complete", {"report": "Заменили доводчик", "comment": "Готово"}),
    ):
        assert (
            staff.post(f"/api/v1/requests/{sr.pk}/{action}/", data, format="json").status_code
            == 200
        )
    assert (
        api_of(anna).post(f"/api/v1/requests/{sr.pk}/confirm/", {}, format="json").status_code
        == 200
    )
    last = Notice.objects.filter(recipient=boris_lives_here, channel="inbox").order_by("id").last()
    assert last.subject.endswith("заявка закрыта")


@pytest.mark.req("N2")
def test_me_too_refused_to_staff_other_buildings_and_closed_requests(
    sr, api_of, boris, uo_dispatcher, anna, file_request, boris_lives_here
):
    refused = me_too(api_of(uo_dispatcher), sr.pk)
    assert refused.status_code == 403 and "только житель" in refused.json()["message"]
    stranger = f.UserFactory(username="stranger", is_resident=True)
    assert me_too(api_of(stranger), sr.pk).status_code == 404  # no hint it exists
    assert me_too(api_of(anna), sr.pk).status_code == 409  # her own
    private = file_request("power-flat", "Нет света в квартире 5")
    assert me_too(api_of(boris_lives_here), private.pk).status_code == 403
    api_of(anna).post(
        f"/api/v1/requests/{sr.pk}/withdraw/", {"withdraw_reason": "already_done"}, format="json"
    )
    closed = me_too(api_of(boris_lives_here), sr.pk)
    assert closed.status_code == 409 and "закрыта" in closed.json()["message"]
    assert not MeToo.objects.exists()
