"""The redirect through the API (R5, issue 12 item 5): the action info lists the organisations
the request may be passed to (those serving its building by the registry), and a redirect to
any other — another UO, an operator — or to a department or employee of another organisation
is refused with a 400 whose code and message name the problem; a wrong role gets 403."""

import pytest

from domovoy.directory.models import Department
from tests import factories as f

from .test_journey import action_names, post_action

pytestmark = pytest.mark.django_db


def request_row(sr):
    from domovoy.servicedesk.models import ServiceRequest

    row = ServiceRequest.objects.get(pk=sr.pk)
    return (row.status, row.version, row.executor_org_id, row.executor_department_id)


@pytest.mark.req("R5")
@pytest.mark.req("D4")
def test_the_action_info_lists_only_the_organisations_serving_the_building(
    api_of, sr, uo, rso, contractor, other_uo, operator_org, uo_dispatcher
):
    info = action_names(api_of(uo_dispatcher), sr.pk)["redirect"]
    param = next(p for p in info["params"] if p["name"] == "organization")
    assert {int(pk) for pk, _name in param["choices"]} == {uo.pk, rso.pk, contractor.pk}
    assert dict(param["choices"])[str(contractor.pk)] == contractor.short_name


@pytest.mark.req("R5")
def test_a_redirect_to_another_uo_or_an_operator_is_refused_by_name(
    api_of, sr, other_uo, operator_org, call_centre, uo_dispatcher
):
    client = api_of(uo_dispatcher)
    before = request_row(sr)
    data = {"reason": "Соседям", "organization": other_uo.pk}
    response = post_action(client, sr.pk, "redirect", data)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "organization_not_serving"
    assert other_uo.short_name in body["message"] and sr.building.address in body["message"]
    assert "organization" in body["fields"]
    # An operator or a call centre executes nothing.
    for outsider in (operator_org, call_centre):
        response = post_action(
            client, sr.pk, "redirect", {"reason": "Туда", "organization": outsider.pk}
        )
        assert response.status_code == 400
        assert "не может исполнять заявки" in str(response.json())
    assert request_row(sr) == before


@pytest.mark.req("R5")
def test_a_department_of_another_organisation_is_refused(
    api_of, sr, uo, contractor, other_uo, uo_dispatcher
):
    client = api_of(uo_dispatcher)
    ours = Department.objects.create(organization=uo, name="Аварийная служба")
    theirs = Department.objects.create(organization=other_uo, name="Участок соседней УК")
    before = request_row(sr)
    response = post_action(
        client, sr.pk, "redirect",
        {"reason": "Подрядчику", "organization": contractor.pk, "department": ours.pk},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "department_of_other_org"
    assert "Аварийная служба" in response.json()["message"]
    # A department alone names its organisation: a neighbouring UO's is refused as that UO.
    response = post_action(
        client, sr.pk, "redirect", {"reason": "Соседям", "department": theirs.pk}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "organization_not_serving"
    assert "department" in response.json()["fields"]
    assert request_row(sr) == before
    # Inside the UO: to its own department, the status stays.
    response = post_action(client, sr.pk, "redirect", {"reason": "Аварийке", "department": ours.pk})
    assert response.status_code == 200, response.json()
    assert request_row(sr)[3] == ours.pk


@pytest.mark.req("R5")
def test_an_employee_without_an_executing_role_is_refused(api_of, sr, contractor, uo_dispatcher):
    clerk = f.employee(contractor, roles=["org_admin"], username="clerk")
    response = post_action(
        api_of(uo_dispatcher), sr.pk, "redirect",
        {"reason": "Подрядчику", "organization": contractor.pk, "employee": clerk.pk},
    )  # fmt: skip
    assert response.status_code == 400
    assert "нет роли диспетчера или инженера" in str(response.json())


@pytest.mark.req("R5")
@pytest.mark.req("S2")
def test_a_wrong_role_or_a_non_party_cannot_redirect(
    api_of, sr, contractor, uo_accountant, other_uo_dispatcher, call_operator
):
    before = request_row(sr)
    for user in (uo_accountant, call_operator):
        response = post_action(
            api_of(user), sr.pk, "redirect", {"reason": "Подрядчику", "organization": contractor.pk}
        )
        assert response.status_code == 403, user
    response = post_action(
        api_of(other_uo_dispatcher), sr.pk, "redirect",
        {"reason": "Подрядчику", "organization": contractor.pk},
    )  # fmt: skip
    assert response.status_code in (403, 404)
    assert request_row(sr) == before
