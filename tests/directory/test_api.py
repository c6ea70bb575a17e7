"""The directory REST API under /api/v1/ (D1–D4): the same services and rules as the pages,
JSON errors naming the field (S7), forbidden paths (S2), masked and logged owners (S5)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from domovoy.audit.models import PersonalDataAccess
from domovoy.directory.models import Employee, ManagementPeriod, Organization
from tests import factories as f
from tests.fixtures import api_as

pytestmark = pytest.mark.django_db


def card_json(**overrides):
    data = f.card_data(**overrides)
    for key in ("registration_date", "license_date"):
        data[key] = data[key].isoformat()
    return data


@pytest.mark.req("S2")
def test_anonymous_gets_401_or_403_from_every_endpoint(uo, building):
    client = APIClient()
    for url in (
        "/api/v1/organizations/",
        f"/api/v1/organizations/{uo.pk}/",
        "/api/v1/employees/",
        "/api/v1/departments/",
        "/api/v1/buildings/",
        f"/api/v1/buildings/{building.pk}/manager/",
        "/api/v1/premises/",
        "/api/v1/accounts/",
        "/api/v1/management-periods/",
        "/api/v1/service-links/",
    ):
        response = client.get(url)
        assert response.status_code in (401, 403), url
        assert response.json()["code"] in ("not_authenticated", "authentication_failed")


@pytest.mark.req("S2")
def test_a_resident_gets_403(resident, uo):
    client = api_as(resident)
    assert client.get("/api/v1/organizations/").status_code == 403
    assert client.get("/api/v1/employees/", {"organization": uo.pk}).status_code == 403
    assert client.get("/api/v1/buildings/").status_code == 403


@pytest.mark.req("D1")
@pytest.mark.req("D2")
def test_an_operator_creates_an_organisation_with_several_kinds(functional_operator, territory):
    client = api_as(functional_operator)
    payload = {
        **card_json(),
        "kinds": ["call_centre", "technical_operator"],
        "territory": territory["city"].pk,
    }
    response = client.post("/api/v1/organizations/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kinds"] == ["call_centre", "technical_operator"]
    org = Organization.objects.get(pk=body["id"])
    assert org.kind_codes == {"call_centre", "technical_operator"}
    assert org.inn == payload["inn"] and body["inn"] == payload["inn"]


@pytest.mark.req("S2")
def test_a_uo_admin_may_not_create_organisations(uo_admin):
    response = api_as(uo_admin).post(
        "/api/v1/organizations/", {**card_json(), "kinds": ["uo"]}, format="json"
    )
    assert response.status_code == 403
    assert Organization.objects.count() == 1


@pytest.mark.req("D1")
@pytest.mark.req("S7")
@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("inn", "7700000001", "ИНН: неверная контрольная цифра"),
        ("kpp", "1234", "КПП: 9 знаков"),
        ("bik", "994525225", "БИК банка России начинается с 04"),
        ("settlement_account", "40702810000000000001", "не соответствует БИК"),
        ("correspondent_account", "30101810400000000226", "не соответствует БИК"),
    ],
)
def test_a_bad_requisite_via_the_api_is_400_naming_the_field_and_nothing_changes(
    uo_admin, uo, field, value, reason
):
    before = Organization.objects.values().get(pk=uo.pk)
    response = api_as(uo_admin).patch(
        f"/api/v1/organizations/{uo.pk}/", {field: value, "short_name": "Новое"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_card"
    assert any(reason in m for m in body["fields"][field])
    assert Organization.objects.values().get(pk=uo.pk) == before


@pytest.mark.req("D1")
def test_the_own_admin_updates_the_card_but_not_the_kinds(uo_admin, uo):
    client = api_as(uo_admin)
    ok = client.patch(
        f"/api/v1/organizations/{uo.pk}/", {"working_hours": "круглосуточно"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["working_hours"] == "круглосуточно"
    refused = client.patch(
        f"/api/v1/organizations/{uo.pk}/", {"kinds": ["uo", "rso"]}, format="json"
    )
    assert refused.status_code == 403
    assert uo.kind_codes == {"uo"}


@pytest.mark.req("S2")
def test_other_admins_and_plain_dispatchers_may_not_update_the_card(
    uo_dispatcher, other_uo_admin, uo
):
    for user in (uo_dispatcher, other_uo_admin):
        response = api_as(user).patch(
            f"/api/v1/organizations/{uo.pk}/", {"short_name": "Взлом"}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    uo.refresh_from_db()
    assert uo.short_name != "Взлом"


@pytest.mark.req("D1")
@pytest.mark.req("S2")
def test_non_party_staff_get_the_short_info_only(rso_dispatcher, uo):
    body = api_as(rso_dispatcher).get(f"/api/v1/organizations/{uo.pk}/").json()
    assert body["short_name"] == uo.short_name and body["dispatcher_phone"]
    assert "inn" not in body and "settlement_account" not in body


@pytest.mark.req("D2")
def test_the_own_admin_creates_an_employee_and_gets_the_password_once(uo_admin, uo):
    client = api_as(uo_admin)
    response = client.post(
        "/api/v1/employees/",
        {
            "organization": uo.pk,
            "full_name": "Волков Илья Андреевич",
            "position": "Инженер",
            "roles": ["uo_engineer", "uo_dispatcher"],
            "email": "volkov@example.ru",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    emp = Employee.objects.get(pk=body["employee"]["id"])
    assert emp.user.check_password(body["password"])
    assert body["employee"]["roles"] == ["uo_dispatcher", "uo_engineer"]
    detail = client.get(f"/api/v1/employees/{emp.pk}/").json()
    assert "password" not in detail
    roles = client.post(
        f"/api/v1/employees/{emp.pk}/roles/", {"roles": ["uo_engineer"]}, format="json"
    )
    assert roles.status_code == 200 and roles.json()["roles"] == ["uo_engineer"]
    off = client.post(f"/api/v1/employees/{emp.pk}/deactivate/")
    assert off.status_code == 200 and off.json()["is_active"] is False


@pytest.mark.req("S2")
def test_another_admin_may_not_create_or_change_my_employees(other_uo_admin, uo, uo_dispatcher):
    client = api_as(other_uo_admin)
    response = client.post(
        "/api/v1/employees/",
        {"organization": uo.pk, "full_name": "Чужой Пётр", "position": "x", "roles": ["org_admin"]},
        format="json",
    )
    assert response.status_code == 403
    emp = uo_dispatcher.employee
    assert client.post(f"/api/v1/employees/{emp.pk}/deactivate/").status_code == 403
    assert (
        client.post(
            "/api/v1/departments/", {"organization": uo.pk, "name": "X"}, format="json"
        ).status_code
        == 403
    )
    emp.refresh_from_db()
    assert emp.is_active and not Employee.objects.filter(user__last_name="Чужой").exists()


@pytest.mark.req("D2")
@pytest.mark.req("S5")
def test_employees_filter_by_organisation_and_hide_contacts_from_non_party(
    uo_admin, other_uo_admin, uo, other_uo
):
    own = api_as(uo_admin).get("/api/v1/employees/", {"organization": uo.pk}).json()
    assert [e["username"] for e in own["results"]] == ["uoadmin"]
    assert own["results"][0]["email"] == "uoadmin@example.ru"
    other = api_as(other_uo_admin).get("/api/v1/employees/", {"organization": uo.pk}).json()
    # Logins are for the organisation itself and the operators (issue 9, item 12c).
    assert other["results"][0]["username"] == ""
    assert other["results"][0]["full_name"] and other["results"][0]["position"]
    assert other["results"][0]["email"] == "" and other["results"][0]["phone"] == ""


@pytest.mark.req("D2")
def test_the_own_admin_adds_a_department(uo_admin, uo):
    client = api_as(uo_admin)
    r = client.post(
        "/api/v1/departments/", {"organization": uo.pk, "name": "Аварийная служба"}, format="json"
    )
    assert r.status_code == 201
    dup = client.post(
        "/api/v1/departments/", {"organization": uo.pk, "name": "Аварийная служба"}, format="json"
    )
    assert dup.status_code == 400 and dup.json()["fields"]["name"]
    listed = client.get("/api/v1/departments/", {"organization": uo.pk}).json()
    assert [d["name"] for d in listed["results"]] == ["Аварийная служба"]


@pytest.mark.req("D3")
def test_buildings_filter_and_run_constant_queries_per_page(uo_dispatcher, uo, territory):
    client = api_as(uo_dispatcher)

    def count(params=None):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/buildings/", params or {})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()

    for i in range(5):
        f.manage(
            f.BuildingFactory(street="ул. Мира", house=str(i + 1), territory=territory["district"]),
            uo,
        )
    count()  # warm up: the caller's organisation and roles are read once per user
    few, body = count()
    assert body["count"] == 5 and body["results"][0]["manager"]["id"] == uo.pk
    for i in range(45):
        f.manage(
            f.BuildingFactory(
                street="ул. Лесная", house=str(i + 1), territory=territory["other_district"]
            ),
            uo,
        )
    many, body = count()
    assert len(body["results"]) == 50 and many == few
    assert count({"street": "ул. Мира"})[1]["count"] == 5
    assert count({"search": "лесная 1"})[1]["count"] == 11  # 1, 10..19
    assert count({"territory": territory["district"].pk})[1]["count"] == 5
    assert count({"manager": uo.pk})[1]["count"] == 50


@pytest.mark.req("D3")
@pytest.mark.req("S7")
def test_buildings_are_created_by_operators_and_uos_with_clear_errors(
    functional_operator, uo_admin, rso_dispatcher, territory
):
    payload = {
        "settlement": "г. Кострома",
        "street": "ул. Новая",
        "house": "1",
        "latitude": 57.75,
        "longitude": 40.95,
        "territory": territory["district"].pk,
    }
    created = api_as(functional_operator).post("/api/v1/buildings/", payload, format="json")
    assert (
        created.status_code == 201 and created.json()["address"] == "г. Кострома, ул. Новая, д. 1"
    )
    dup = api_as(uo_admin).post("/api/v1/buildings/", payload, format="json")
    assert dup.status_code == 400 and dup.json()["code"] == "duplicate_building"
    bad = api_as(uo_admin).post(
        "/api/v1/buildings/", {**payload, "house": "2", "latitude": 95}, format="json"
    )
    assert bad.status_code == 400 and "latitude" in bad.json()["fields"]
    assert (
        api_as(rso_dispatcher)
        .post("/api/v1/buildings/", {**payload, "house": "3"}, format="json")
        .status_code
        == 403
    )


@pytest.mark.req("S2")
def test_only_the_managing_uo_or_an_operator_changes_a_building(
    uo_dispatcher, other_uo_admin, building
):
    r = api_as(other_uo_admin).patch(
        f"/api/v1/buildings/{building.pk}/", {"floors": 9}, format="json"
    )
    assert r.status_code == 403
    r = api_as(uo_dispatcher).patch(
        f"/api/v1/buildings/{building.pk}/", {"floors": 9}, format="json"
    )
    assert r.status_code == 200
    building.refresh_from_db()
    assert building.floors == 9


@pytest.mark.req("D4")
def test_it_answers_who_manages_and_who_supplies_a_building(
    uo_dispatcher, building, uo, other_uo, hot_water_link, rso
):
    ManagementPeriod.objects.filter(building=building).update(start=dt.date(2022, 1, 1))
    f.manage(building, other_uo, start=dt.date(2018, 1, 1), end=dt.date(2021, 12, 31))
    client = api_as(uo_dispatcher)
    now = client.get(f"/api/v1/buildings/{building.pk}/manager/", {"on": "2023-05-01"}).json()
    assert now["organization"]["id"] == uo.pk and now["on"] == "2023-05-01"
    old = client.get(f"/api/v1/buildings/{building.pk}/manager/", {"on": "2019-05-01"}).json()
    assert old["organization"]["id"] == other_uo.pk
    none = client.get(f"/api/v1/buildings/{building.pk}/manager/", {"on": "2010-01-01"}).json()
    assert none["organization"] is None
    sup = client.get(
        f"/api/v1/buildings/{building.pk}/supplier/", {"resource": "hot_water", "on": "2023-05-01"}
    ).json()
    assert sup["organization"]["id"] == rso.pk
    bad = client.get(f"/api/v1/buildings/{building.pk}/supplier/", {"resource": "beer"})
    assert bad.status_code == 400 and "resource" in bad.json()["fields"]
    bad = client.get(f"/api/v1/buildings/{building.pk}/manager/", {"on": "31.12.2023"})
    assert bad.status_code == 400 and "on" in bad.json()["fields"]


@pytest.mark.req("S5")
def test_account_owners_are_plain_and_logged_for_the_managing_uo(uo_dispatcher, building):
    prem, acc = f.premises_with_account(building, number="5", owner="Сидоров")
    body = api_as(uo_dispatcher).get("/api/v1/accounts/", {"building": building.pk}).json()
    assert body["results"][0]["owner_name"] == "Сидоров Сидор"
    assert body["results"][0]["owner_masked"] is False
    assert PersonalDataAccess.objects.get().user == uo_dispatcher
    premises = api_as(uo_dispatcher).get("/api/v1/premises/", {"building": building.pk}).json()
    assert [p["number"] for p in premises["results"]] == ["5"]
    by_number = api_as(uo_dispatcher).get("/api/v1/accounts/", {"number": acc.number}).json()
    assert by_number["count"] == 1


@pytest.mark.req("S5")
def test_account_owners_are_masked_for_others_and_not_logged(other_uo_admin, far_control, building):
    f.premises_with_account(building, number="5", owner="Сидоров")
    for user in (other_uo_admin, far_control):
        body = api_as(user).get("/api/v1/accounts/", {"building": building.pk}).json()
        assert body["results"][0]["owner_name"] == "С***в С."
        assert body["results"][0]["owner_masked"] is True
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.req("S5")
def test_the_accounts_list_runs_constant_queries(controller, building, territory):
    client = api_as(controller)
    f.premises_with_account(building, number="1")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/accounts/").status_code == 200
        return len(ctx.captured_queries)

    count()  # warm up: the caller's organisation and roles are read once per user
    few = count()
    other = f.BuildingFactory(territory=territory["other_district"])
    for n in range(2, 40):
        f.premises_with_account(building if n % 2 else other, number=str(n))
    assert count() == few


@pytest.mark.req("D4")
@pytest.mark.req("S7")
def test_operators_add_and_close_management_periods_via_the_api(
    functional_operator, building, uo, other_uo
):
    client = api_as(functional_operator)
    overlap = client.post(
        "/api/v1/management-periods/",
        {"building": building.pk, "organization": other_uo.pk, "start": "2024-01-01"},
        format="json",
    )
    assert overlap.status_code == 400
    assert overlap.json()["code"] == "management_overlap"
    assert "Период пересекается" in overlap.json()["message"]
    period = building.management.get()
    closed = client.post(
        f"/api/v1/management-periods/{period.pk}/close/", {"end": "2023-12-31"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["end"] == "2023-12-31"
    created = client.post(
        "/api/v1/management-periods/",
        {"building": building.pk, "organization": other_uo.pk, "start": "2024-01-01"},
        format="json",
    )
    assert created.status_code == 201
    listed = client.get("/api/v1/management-periods/", {"organization": other_uo.pk}).json()
    assert [p["building"] for p in listed["results"]] == [building.pk]


@pytest.mark.req("S2")
def test_a_uo_may_not_touch_the_registry_via_the_api(uo_admin, building, other_uo, rso, uo):
    client = api_as(uo_admin)
    period = building.management.get()
    assert (
        client.post(
            f"/api/v1/management-periods/{period.pk}/close/", {"end": "2021-01-01"}, format="json"
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/service-links/",
            {"uo": uo.pk, "provider": rso.pk, "resource": "gas", "start": "2024-01-01"},
            format="json",
        ).status_code
        == 403
    )
    period.refresh_from_db()
    assert period.end is None


@pytest.mark.req("D4")
def test_operators_add_service_links_via_the_api(functional_operator, uo, rso):
    client = api_as(functional_operator)
    r = client.post(
        "/api/v1/service-links/",
        {"uo": uo.pk, "provider": rso.pk, "resource": "gas", "start": "2024-01-01"},
        format="json",
    )
    assert r.status_code == 201
    wrong = client.post(
        "/api/v1/service-links/",
        {"uo": rso.pk, "provider": uo.pk, "start": "2024-01-01"},
        format="json",
    )
    assert wrong.status_code == 400 and "uo" in wrong.json()["fields"]
    listed = client.get("/api/v1/service-links/", {"uo": uo.pk}).json()
    assert [x["resource"] for x in listed["results"]] == ["gas"]
