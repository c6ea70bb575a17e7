"""Integration tokens on the directory API (S1, S2, G 3.1.6): reads within the agreement's
territory, owners' names only for the organisation party to the building (logged, S5),
writes only for the agreement's own organisation, never beyond the token's scopes."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from domovoy.api.services import integration_token_revoke
from domovoy.audit.models import PersonalDataAccess
from domovoy.directory.models import Building, Employee, ManagementPeriod, Organization
from tests import factories as f
from tests.fixtures import token_client

pytestmark = [pytest.mark.req("S1"), pytest.mark.req("S2"), pytest.mark.django_db]

READ = ["directory:read"]
READ_WRITE = ["directory:read", "directory:write"]


@pytest.fixture
def far_uo(territory):
    return f.OrganizationFactory(kinds=["uo"], territory=territory["other_district"])


@pytest.fixture
def far_building(far_uo, territory):
    """A building in the other district, managed by a UO of that district."""
    b = f.BuildingFactory(territory=territory["other_district"], street="ул. Заволжская")
    f.manage(b, far_uo)
    return b


@pytest.fixture
def other_building(other_uo, territory):
    """A building in the same district as ``building``, managed by another UO."""
    b = f.BuildingFactory(territory=territory["district"], street="ул. Ленина")
    f.manage(b, other_uo)
    return b


@pytest.fixture
def client_for(make_agreement, make_token):
    def make(scopes=READ, **kw):
        return token_client(make_token(make_agreement(scopes=scopes, **kw)))

    return make


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- Reading


def test_a_territory_token_lists_only_the_buildings_of_its_territory(
    client_for, territory, building, far_building
):
    client = client_for(territory=territory["district"])
    assert ids(client.get("/api/v1/buildings/")) == {building.pk}
    assert client.get(f"/api/v1/buildings/{building.pk}/").status_code == 200
    response = client.get(f"/api/v1/buildings/{far_building.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_token_for_the_whole_system_lists_every_building(client_for, building, far_building):
    assert ids(client_for().get("/api/v1/buildings/")) == {building.pk, far_building.pk}


def test_a_territory_token_cannot_look_up_who_manages_a_building_outside_it(
    client_for, territory, uo, building, far_building
):
    client = client_for(territory=territory["district"])
    response = client.get(f"/api/v1/buildings/{building.pk}/manager/")
    assert response.status_code == 200
    assert response.json()["organization"]["id"] == uo.pk
    assert client.get(f"/api/v1/buildings/{far_building.pk}/manager/").status_code == 404
    response = client.get(f"/api/v1/buildings/{far_building.pk}/supplier/?resource=heat")
    assert response.status_code == 404


def test_a_territory_token_sees_premises_accounts_and_periods_of_its_territory_only(
    client_for, territory, building, far_building
):
    here_prem, here_acc = f.premises_with_account(building, "1")
    far_prem, far_acc = f.premises_with_account(far_building, "1")
    client = client_for(territory=territory["district"])
    assert ids(client.get("/api/v1/premises/")) == {here_prem.pk}
    assert client.get(f"/api/v1/premises/{far_prem.pk}/").status_code == 404
    assert ids(client.get("/api/v1/accounts/")) == {here_acc.pk}
    assert client.get(f"/api/v1/accounts/{far_acc.pk}/").status_code == 404
    periods = ids(client.get("/api/v1/management-periods/"))
    assert periods == set(
        ManagementPeriod.objects.filter(building=building).values_list("pk", flat=True)
    )


def test_a_building_filter_outside_the_territory_answers_like_an_unknown_building(
    client_for, territory, building, far_building
):
    client = client_for(territory=territory["district"])
    outside = client.get("/api/v1/accounts/", {"building": far_building.pk})
    unknown = client.get("/api/v1/accounts/", {"building": far_building.pk + 1000})
    assert outside.status_code == unknown.status_code == 400
    assert outside.json()["fields"].keys() == unknown.json()["fields"].keys() == {"building"}
    assert client.get("/api/v1/accounts/", {"building": building.pk}).status_code == 200


def test_a_territory_token_lists_the_organisations_and_staff_of_its_territory(
    client_for, territory, uo, far_uo, operator_org
):
    near = f.employee(uo, roles=["uo_dispatcher"])
    far = f.employee(far_uo, roles=["uo_dispatcher"])
    client = client_for(territory=territory["district"])
    orgs = ids(client.get("/api/v1/organizations/"))
    assert uo.pk in orgs
    assert far_uo.pk not in orgs
    assert operator_org.pk not in orgs  # the region-level operator is above the district
    assert client.get(f"/api/v1/organizations/{far_uo.pk}/").status_code == 404
    staff = ids(client.get("/api/v1/employees/"))
    assert near.pk in staff
    assert far.pk not in staff
    assert client.get(f"/api/v1/employees/{far.pk}/").status_code == 404


def test_a_token_reads_employees_without_their_phones_and_emails(client_for, uo):
    person = f.employee(uo, roles=["uo_dispatcher"])
    person.user.phone = "+79991234567"
    person.user.save()
    # Even a token of the employee's own organisation gets no personal contacts (S5).
    for client in (client_for(), client_for(organization=uo)):
        body = client.get(f"/api/v1/employees/{person.pk}/").json()
        assert body["full_name"] == person.user.full_name
        assert body["email"] == ""
        assert body["phone"] == ""


def test_a_token_reads_the_full_card_of_its_own_organisation_only(client_for, uo, other_uo):
    client = client_for(organization=uo)
    own = client.get(f"/api/v1/organizations/{uo.pk}/").json()
    assert own["inn"] == uo.inn
    other = client.get(f"/api/v1/organizations/{other_uo.pk}/").json()
    assert other["short_name"] == other_uo.short_name
    assert "inn" not in other
    assert "inn" not in client_for().get(f"/api/v1/organizations/{uo.pk}/").json()


@pytest.mark.req("S5")
def test_a_token_gets_owners_names_masked_and_nothing_is_logged(client_for, building):
    _prem, account = f.premises_with_account(building, "1", owner="Иванов")
    response = client_for().get("/api/v1/accounts/")
    row = response.json()["results"][0]
    assert row["id"] == account.pk
    assert row["owner_masked"] is True
    assert "Иванов" not in row["owner_name"]
    assert row["owner_name"].startswith("И")
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.req("S5")
def test_a_token_of_the_managing_uo_reads_owners_names_and_the_read_is_logged(
    make_agreement, make_token, uo, building, other_building
):
    f.premises_with_account(building, "1", owner="Иванов")
    f.premises_with_account(other_building, "1", owner="Петров")
    agreement = make_agreement(scopes=READ, organization=uo)
    response = token_client(make_token(agreement)).get("/api/v1/accounts/")
    rows = {r["building"]: r for r in response.json()["results"]}
    assert rows[building.pk]["owner_masked"] is False
    assert rows[building.pk]["owner_name"].startswith("Иванов")
    assert rows[other_building.pk]["owner_masked"] is True
    assert "Петров" not in rows[other_building.pk]["owner_name"]
    log = PersonalDataAccess.objects.get()
    assert log.user == agreement.user
    assert log.subject == f"accounts of building:{building.pk}"
    assert f"соглашение № {agreement.number}" in log.purpose


@pytest.mark.req("S5")
def test_a_token_of_a_uo_that_no_longer_manages_the_building_gets_names_masked(
    client_for, uo, building
):
    ManagementPeriod.objects.filter(building=building, organization=uo).update(
        end=dt.date(2021, 12, 31)
    )
    f.premises_with_account(building, "1", owner="Иванов")
    row = client_for(organization=uo).get("/api/v1/accounts/").json()["results"][0]
    assert row["owner_masked"] is True
    assert not PersonalDataAccess.objects.exists()


def test_the_account_list_costs_the_same_queries_for_one_or_many_rows(client_for, uo, building):
    client = client_for(organization=uo)
    f.premises_with_account(building, "1")
    # Within one minute after a first call: the token-use row of the minute and knox's sweep
    # of expired tokens are written/run by the first call only (issue 10).
    with time_machine.travel(timezone.now(), tick=False):
        assert client.get("/api/v1/accounts/").status_code == 200
        with CaptureQueriesContext(connection) as one:
            assert client.get("/api/v1/accounts/").status_code == 200
        for n in range(2, 12):
            f.premises_with_account(building, str(n))
        with CaptureQueriesContext(connection) as many:
            assert len(client.get("/api/v1/accounts/").json()["results"]) == 11
    assert len(many) == len(one)


# --- Scopes


def test_a_token_without_the_directory_read_scope_gets_403(client_for, building):
    client = client_for(scopes=["audit:read"])
    for url in ("/api/v1/buildings/", f"/api/v1/buildings/{building.pk}/", "/api/v1/accounts/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"
    # A write scope does not imply reading.
    assert client_for(scopes=["directory:write"]).get("/api/v1/buildings/").status_code == 403


def test_a_read_only_token_cannot_change_a_building(client_for, uo, building):
    response = client_for(organization=uo).patch(
        f"/api/v1/buildings/{building.pk}/", {"entrances": 7}, format="json"
    )
    assert response.status_code == 403
    building.refresh_from_db()
    assert building.entrances == 2


def test_a_revoked_token_gets_401_from_the_directory(
    make_agreement, make_token, technical_operator, building
):
    agreement = make_agreement(scopes=READ)
    client = token_client(make_token(agreement))
    assert client.get("/api/v1/buildings/").status_code == 200
    key = AuthToken.objects.get(user=agreement.user).token_key
    integration_token_revoke(actor=technical_operator, agreement=agreement, token_key=key)
    response = client.get("/api/v1/buildings/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


# --- Writing on behalf of the agreement's organisation


def test_a_write_token_of_a_uo_edits_its_own_building_but_not_another_uos(
    client_for, uo, building, other_building
):
    client = client_for(scopes=READ_WRITE, organization=uo)
    response = client.patch(f"/api/v1/buildings/{building.pk}/", {"entrances": 4}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["entrances"] == 4
    building.refresh_from_db()
    assert building.entrances == 4
    response = client.patch(
        f"/api/v1/buildings/{other_building.pk}/", {"entrances": 4}, format="json"
    )
    assert response.status_code == 403
    other_building.refresh_from_db()
    assert other_building.entrances == 2


def test_a_write_token_without_an_organisation_writes_nothing(client_for, uo, building, territory):
    client = client_for(scopes=READ_WRITE)
    assert (
        client.patch(
            f"/api/v1/buildings/{building.pk}/", {"entrances": 4}, format="json"
        ).status_code
        == 403
    )
    response = client.post(
        "/api/v1/buildings/",
        {"settlement": "г. Кострома", "street": "ул. Новая", "house": "1"},
        format="json",
    )
    assert response.status_code == 403
    response = client.patch(
        f"/api/v1/organizations/{uo.pk}/", {"working_hours": "круглосуточно"}, format="json"
    )
    assert response.status_code == 403
    assert not Building.objects.filter(street="ул. Новая").exists()
    uo.refresh_from_db()
    assert uo.working_hours != "круглосуточно"


def test_a_write_token_of_a_uo_registers_a_building_only_inside_its_territory(
    client_for, uo, territory
):
    client = client_for(scopes=READ_WRITE, organization=uo, territory=territory["district"])
    address = {"settlement": "г. Кострома", "street": "ул. Новая", "house": "1"}
    response = client.post(
        "/api/v1/buildings/",
        {**address, "territory": territory["other_district"].pk},
        format="json",
    )
    assert response.status_code == 403
    response = client.post("/api/v1/buildings/", address, format="json")
    assert response.status_code == 403  # no territory is outside a limited agreement
    assert not Building.objects.filter(street="ул. Новая").exists()
    response = client.post(
        "/api/v1/buildings/", {**address, "territory": territory["district"].pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Building.objects.get(street="ул. Новая").territory == territory["district"]


def test_a_write_token_cannot_move_its_building_out_of_its_territory(
    client_for, uo, building, territory
):
    client = client_for(scopes=READ_WRITE, organization=uo, territory=territory["district"])
    response = client.patch(
        f"/api/v1/buildings/{building.pk}/",
        {"territory": territory["other_district"].pk},
        format="json",
    )
    assert response.status_code == 403
    building.refresh_from_db()
    assert building.territory == territory["district"]


def test_a_write_token_of_an_rso_cannot_register_buildings(client_for, rso):
    response = client_for(scopes=READ_WRITE, organization=rso).post(
        "/api/v1/buildings/",
        {"settlement": "г. Кострома", "street": "ул. Новая", "house": "1"},
        format="json",
    )
    assert response.status_code == 403


def test_a_write_token_edits_its_own_card_but_not_another_card_nor_kinds(client_for, uo, other_uo):
    client = client_for(scopes=READ_WRITE, organization=uo)
    response = client.patch(
        f"/api/v1/organizations/{uo.pk}/", {"working_hours": "пн–пт 9:00–18:00"}, format="json"
    )
    assert response.status_code == 200, response.content
    uo.refresh_from_db()
    assert uo.working_hours == "пн–пт 9:00–18:00"
    response = client.patch(
        f"/api/v1/organizations/{other_uo.pk}/",
        {"working_hours": "пн–пт 9:00–18:00"},
        format="json",
    )
    assert response.status_code == 403
    response = client.patch(
        f"/api/v1/organizations/{uo.pk}/", {"kinds": ["uo", "rso"]}, format="json"
    )
    assert response.status_code == 403
    assert Organization.objects.get(pk=uo.pk).kind_codes == {"uo"}


def test_a_write_token_manages_the_staff_of_its_own_organisation_only(client_for, uo, other_uo):
    client = client_for(scopes=READ_WRITE, organization=uo)
    person = {"full_name": "Смирнова Анна Павловна", "position": "Диспетчер"}
    response = client.post(
        "/api/v1/employees/",
        {**person, "organization": uo.pk, "roles": ["uo_dispatcher"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = Employee.objects.get(pk=response.json()["employee"]["id"])
    assert created.organization == uo
    response = client.post(
        "/api/v1/employees/",
        {**person, "organization": other_uo.pk, "roles": ["uo_dispatcher"]},
        format="json",
    )
    assert response.status_code == 403
    assert Employee.objects.filter(organization=other_uo).count() == 0
    stranger = f.employee(other_uo, roles=["uo_dispatcher"])
    assert client.post(f"/api/v1/employees/{stranger.pk}/deactivate/").status_code == 403
    stranger.refresh_from_db()
    assert stranger.is_active
    response = client.post(
        "/api/v1/departments/", {"organization": other_uo.pk, "name": "ОДС"}, format="json"
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/departments/", {"organization": uo.pk, "name": "ОДС"}, format="json"
    )
    assert response.status_code == 201


def test_a_write_token_cannot_change_the_management_registry(client_for, uo, building):
    client = client_for(scopes=READ_WRITE, organization=uo)
    other = f.BuildingFactory()
    response = client.post(
        "/api/v1/management-periods/",
        {"building": other.pk, "organization": uo.pk, "start": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 403
    assert not ManagementPeriod.objects.filter(building=other).exists()
    response = client.post(
        "/api/v1/service-links/",
        {"uo": uo.pk, "provider": uo.pk, "resource": "heat", "start": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 403
