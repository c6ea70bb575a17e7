"""The demo city: valid organisations (D1), staff for every role (D2), a believable housing
stock (D3) and a complete management registry (D4); loading it twice changes nothing."""

import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.utils import timezone

from domovoy.demo import data
from domovoy.demo.generator import _address_plan, demo_city_load
from domovoy.demo.models import DemoCity
from domovoy.directory.card import check_card
from domovoy.directory.models import (
    Account,
    Building,
    Department,
    Employee,
    EmployeeRole,
    ManagementPeriod,
    Organization,
    OrgKind,
    Premises,
    Resource,
    Role,
    ServiceLink,
    Territory,
    User,
)
from domovoy.directory.selectors import building_manager, building_supplier
from domovoy.directory.services import CARD_FIELDS

MODELS = (
    Territory,
    Organization,
    Department,
    User,
    Employee,
    EmployeeRole,
    Building,
    Premises,
    Account,
    ManagementPeriod,
    ServiceLink,
    Account.residents.through,
    DemoCity,
)


def _load(*args):
    out = io.StringIO()
    call_command("demo_city", *args, stdout=out)
    return out.getvalue()


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def tiny_city(db):
    output = _load("--scale", "0.05")
    assert "demo city loaded" in output
    return output


@pytest.mark.req("D1")
def test_every_demo_organisation_has_a_card_that_passes_the_strict_checks(tiny_city):
    orgs = Organization.objects.prefetch_related("kinds")
    assert orgs.count() == len(data.ORGANIZATIONS)
    for org in orgs:
        card = {f: getattr(org, f) for f in CARD_FIELDS}
        _cleaned, errors, warnings = check_card(card, is_uo=org.has_kind(OrgKind.UO))
        assert errors == {} and warnings == {}, (org.short_name, errors, warnings)
        assert org.territory is not None


@pytest.mark.req("D1")
def test_the_demo_has_every_kind_of_participant_and_uos_hold_licences(tiny_city):
    kinds = Organization.objects.values("kinds__kind").annotate(n=Count("id"))
    by_kind = {row["kinds__kind"]: row["n"] for row in kinds}
    assert by_kind == {
        "uo": 6,
        "rso": 4,
        "contractor": 3,
        "call_centre": 1,
        "technical_operator": 1,
        "control": 1,
        "functional_operator": 1,
    }
    call_centre = Organization.objects.get(kinds__kind=OrgKind.CALL_CENTRE)
    assert call_centre.kind_codes == {"call_centre", "technical_operator"}
    control = Organization.objects.get(kinds__kind=OrgKind.CONTROL)
    assert control.territory.level == Territory.Level.MUNICIPALITY
    names = set(Organization.objects.filter(kinds__kind="uo").values_list("short_name", flat=True))
    assert any(n.startswith("ТСЖ") for n in names) and any("УК" in n for n in names)
    assert not Organization.objects.filter(kinds__kind="uo", license_number="").exists()
    ip = Organization.objects.get(legal_form=Organization.LegalForm.IP)
    assert len(ip.inn) == 12 and len(ip.ogrn) == 15 and ip.kpp == ""


@pytest.mark.req("D2")
def test_every_role_has_a_demo_user_and_every_organisation_has_departments(tiny_city):
    staff_roles = set(EmployeeRole.objects.values_list("role", flat=True))
    assert set(Role.values) - staff_roles == {Role.RESIDENT}
    assert User.objects.filter(username=data.RESIDENT_LOGIN, is_resident=True).exists()
    assert not Organization.objects.filter(departments__isnull=True).exists()
    assert not User.objects.filter(must_change_password=True).exists()


@pytest.mark.req("D4")
def test_every_building_is_managed_by_exactly_one_uo_today(tiny_city):
    today = timezone.localdate()
    active = Q(management__start__lte=today) & (
        Q(management__end__isnull=True) | Q(management__end__gte=today)
    )
    per_building = Building.objects.annotate(n=Count("management", filter=active))
    assert per_building.count() == 15
    assert sorted({b.n for b in per_building}) == [1]
    for building in Building.objects.all():
        assert building_manager(building=building).has_kind(OrgKind.UO)
    managing = set(ManagementPeriod.objects.values_list("organization__short_name", flat=True))
    assert len(managing) >= 4  # the four district companies and at least one ТСЖ


@pytest.mark.req("D4")
def test_every_resource_of_every_building_has_a_supplier_and_uos_have_contractors(tiny_city):
    for building in Building.objects.all():
        for resource in Resource.values:
            supplier = building_supplier(building=building, resource=resource)
            assert supplier is not None, (building, resource)
            assert supplier.has_kind(OrgKind.RSO)
    water = Organization.objects.get(short_name="МУП «Горводоканал»")
    assert building_supplier(building=Building.objects.first(), resource="sewerage") == water
    for uo in Organization.objects.filter(kinds__kind="uo"):
        assert uo.service_links.filter(resource="", provider__kinds__kind="contractor").exists()


@pytest.mark.slow
@pytest.mark.req("D3")
def test_the_city_at_scale_one_is_a_believable_kostroma(db):
    _load()
    buildings = Building.objects.all()
    assert buildings.count() == 300
    assert 17_000 <= Account.objects.count() <= 23_000
    lat, lon = data.CITY_BBOX["lat"], data.CITY_BBOX["lon"]
    assert not buildings.exclude(settlement="г. Кострома").exists()
    assert not buildings.exclude(latitude__range=lat, longitude__range=lon).exists()
    assert buildings.exclude(block="").exists()  # some have a корпус
    assert set(buildings.values_list("floors", flat=True)) == {5, 9, 10, 12, 16}
    districts = Territory.objects.filter(level="district", parent__name="г. Кострома")
    assert 4 <= districts.count() <= 5
    assert not buildings.exclude(territory__in=districts).exists()
    assert buildings.filter(street="ул. Советская").exists()
    assert buildings.filter(street="пр-т Мира").exists()
    # Districts are places: each district's buildings lie near one another.
    for district in districts:
        lats = list(buildings.filter(territory=district).values_list("latitude", flat=True))
        assert max(lats) - min(lats) < 0.025
    sample = Building.objects.order_by("id")[7]
    flats = sample.premises.filter(kind=Premises.Kind.FLAT)
    assert flats.count() % (sample.entrances * sample.floors) == 0
    assert set(flats.values_list("floor", flat=True)) == set(range(1, sample.floors + 1))
    # Owners: most are known with a patronymic, some are unknown.
    assert Account.objects.filter(owner_last_name="").count() > 500
    assert Account.objects.exclude(owner_middle_name="").count() > 15_000
    assert not Premises.objects.filter(accounts__isnull=True).exists()
    residents = User.objects.filter(is_resident=True)
    assert residents.count() > 100
    assert not residents.filter(accounts__isnull=True).exists()
    resident = User.objects.get(username="resident")
    building = resident.accounts.get().premises.building
    assert building_manager(building=building).short_name == "ООО «УК «Жилкомсервис»"


@pytest.mark.req("D3")
def test_a_region_sized_load_fills_the_other_towns_with_unique_addresses(db):
    counts = demo_city_load(buildings=3_400, with_premises=False)
    assert counts["buildings"] == 3_400 and counts["accounts"] == 0
    assert Building.objects.filter(settlement="г. Кострома").count() == 3_120
    towns = Building.objects.exclude(settlement="г. Кострома")
    assert towns.values("settlement").distinct().count() == len(data.REGION_TOWNS)
    assert not towns.exclude(territory__level="municipality").exists()
    assert not towns.exclude(territory__parent__name="Костромская область").exists()
    unique = Building.objects.values("settlement", "street", "house", "block").distinct()
    assert unique.count() == 3_400


@pytest.mark.req("D3")
def test_the_same_seed_plans_the_same_city_and_another_seed_a_different_one():
    territories = {row[0]: Territory(name=row[0], level="district") for row in data.CITY_DISTRICTS}

    def plan(seed):
        return [row[2:8] for row in _address_plan(random.Random(seed), 300, territories)]

    assert plan(44) == plan(44)
    assert plan(44) != plan(45)


@pytest.mark.req("D2")
def test_demo_logins_sign_in_on_the_login_page(tiny_city, client):
    # One login per role (the page rate-limits 20 attempts a minute per address).
    usernames = [
        "operator",
        "techop",
        "callcentre",
        "control",
        "cc_specialist",
        "cc_head",
        "supervisor",
        "media",
        "uo1",
        "uo1_dispatcher",
        "rso_water",
        "contractor3",
        "resident",
    ]
    for username in usernames:
        response = client.post("/login/", {"username": username, "password": "demo12345"})
        assert response.status_code == 302, username
        assert response.url == "/"
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.logout()


@pytest.mark.req("D2")
def test_demo_logins_prints_every_login_with_its_russian_role(tiny_city):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Роль") and "Логин" in lines[0] and "Организация" in lines[0]
    table = {line.split(" — ")[1].strip(): line for line in lines[1:]}
    assert set(table) == {row[0] for row in data.STAFF} | {"resident", "admin"}
    assert "Диспетчер УО" in table["uo1_dispatcher"]
    assert "ООО «УК «Жилкомсервис»" in table["uo1_dispatcher"]
    assert "Житель" in table["resident"]
    assert all("demo12345" in line for line in table.values())


@pytest.mark.req("D2")
def test_demo_logins_says_when_there_is_no_demo(db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "demo city is not loaded" in out.getvalue()


@pytest.mark.req("D1", "D3", "D4")
def test_a_second_run_changes_nothing(tiny_city):
    before = _counts()
    output = _load("--scale", "3")
    assert output.strip() == "demo city already loaded"
    assert _counts() == before
    assert DemoCity.objects.get().counts["buildings"] == 15


@pytest.mark.req("D3")
def test_a_non_positive_scale_is_refused_and_nothing_is_stored(db):
    with pytest.raises(CommandError, match="--scale must be positive"):
        _load("--scale", "0")
    assert not Building.objects.exists() and not DemoCity.objects.exists()


@pytest.mark.req("R2")
@pytest.mark.req("R9")
def test_the_demo_ships_the_classifier_and_the_work_order_form(tiny_city):
    from domovoy.servicedesk.models import Topic
    from domovoy.workorders.models import WorkOrderTemplate

    topics = Topic.objects.count()
    assert topics > 30 and Topic.objects.filter(code="water-leak", is_emergency=True).exists()
    assert WorkOrderTemplate.objects.filter(kind="standard").exists()
    _load("--scale", "0.05")  # again: nothing more
    assert Topic.objects.count() == topics


@pytest.mark.req("D2")
def test_make_run_prints_the_address_and_the_logins_to_try_first(tiny_city):
    """`make run` passes the address: the resident to try first, then the dispatcher of the
    resident's own management company (the request filed shows in that queue)."""
    from domovoy.directory.models import ManagementPeriod

    out = io.StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8080/", stdout=out)
    text = out.getvalue()
    assert "Откройте http://127.0.0.1:8080/" in text
    hint = text.splitlines()[-1]
    assert "resident / demo12345" in hint and "uo1_dispatcher / demo12345" in hint
    resident = User.objects.get(username=data.RESIDENT_LOGIN)
    building = resident.accounts.get().premises.building
    managers = ManagementPeriod.objects.filter(building=building, end=None)
    dispatcher = User.objects.get(username=data.FIRST_DISPATCHER_LOGIN)
    assert {m.organization_id for m in managers} == {dispatcher.employee.organization_id}
