"""The management registry (D4): one manager at a time, manager on a date, the supplier of a
resource through the UO's service link; several roles and several kinds (D2)."""

import datetime as dt

import pytest
import time_machine

from domovoy.core.errors import ApplicationError
from domovoy.directory import selectors, services
from domovoy.directory.models import ManagementPeriod, ServiceLink
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def bare_building(territory):
    return f.BuildingFactory(territory=territory["district"])


@pytest.mark.req("D4")
def test_it_refuses_a_later_period_while_an_open_ended_one_runs(bare_building, uo, other_uo):
    services.management_period_create(building=bare_building, organization=uo, start=D(2020, 1, 1))
    with pytest.raises(ApplicationError) as err:
        services.management_period_create(
            building=bare_building, organization=other_uo, start=D(2024, 3, 1)
        )
    assert err.value.code == "management_overlap"
    assert "Период пересекается" in err.value.message and uo.short_name in err.value.message
    assert ManagementPeriod.objects.filter(building=bare_building).count() == 1


@pytest.mark.req("D4")
def test_it_refuses_an_open_ended_period_before_a_later_one(bare_building, uo, other_uo):
    services.management_period_create(
        building=bare_building, organization=uo, start=D(2024, 1, 1), end=D(2024, 12, 31)
    )
    with pytest.raises(ApplicationError):
        services.management_period_create(
            building=bare_building, organization=other_uo, start=D(2023, 1, 1)
        )
    assert ManagementPeriod.objects.filter(building=bare_building).count() == 1


@pytest.mark.req("D4")
def test_it_refuses_touching_boundaries_because_the_end_day_is_inclusive(
    bare_building, uo, other_uo
):
    services.management_period_create(
        building=bare_building, organization=uo, start=D(2020, 1, 1), end=D(2023, 6, 30)
    )
    with pytest.raises(ApplicationError) as err:
        services.management_period_create(
            building=bare_building, organization=other_uo, start=D(2023, 6, 30)
        )
    assert err.value.fields == {"start": ["Пересечение периодов управления"]}
    nxt = services.management_period_create(
        building=bare_building, organization=other_uo, start=D(2023, 7, 1)
    )
    assert nxt.pk and ManagementPeriod.objects.filter(building=bare_building).count() == 2


@pytest.mark.req("D4")
@pytest.mark.req("S7")
def test_it_refuses_an_end_before_the_start(bare_building, uo):
    with pytest.raises(ApplicationError) as err:
        services.management_period_create(
            building=bare_building, organization=uo, start=D(2024, 5, 1), end=D(2024, 4, 30)
        )
    assert "end" in err.value.fields
    assert not ManagementPeriod.objects.exists()


@pytest.mark.req("D4")
def test_it_refuses_a_manager_that_is_not_a_uo(bare_building, rso):
    with pytest.raises(ApplicationError) as err:
        services.management_period_create(
            building=bare_building, organization=rso, start=D(2024, 1, 1)
        )
    assert err.value.code == "not_uo"


@pytest.mark.req("D4")
def test_it_refuses_to_reopen_a_closed_period_over_the_next_one(bare_building, uo, other_uo):
    first = services.management_period_create(
        building=bare_building, organization=uo, start=D(2020, 1, 1), end=D(2022, 12, 31)
    )
    services.management_period_create(
        building=bare_building, organization=other_uo, start=D(2023, 1, 1)
    )
    with pytest.raises(ApplicationError) as err:
        services.management_period_close(period=first, end=D(2023, 5, 1))
    assert err.value.code == "management_overlap"
    first.refresh_from_db()
    assert first.end == D(2022, 12, 31)


@pytest.mark.req("D4")
def test_it_answers_who_manages_a_building_on_a_date(bare_building, uo, other_uo):
    services.management_period_create(
        building=bare_building, organization=uo, start=D(2020, 1, 1), end=D(2022, 12, 31)
    )
    services.management_period_create(
        building=bare_building, organization=other_uo, start=D(2023, 1, 1)
    )
    assert selectors.building_manager(building=bare_building, on=D(2019, 12, 31)) is None
    assert selectors.building_manager(building=bare_building, on=D(2022, 12, 31)) == uo
    assert selectors.building_manager(building=bare_building, on=D(2023, 1, 1)) == other_uo
    with time_machine.travel(dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)):
        assert selectors.building_manager(building=bare_building) == other_uo
        managed = selectors.buildings_managed_by(organization=other_uo)
        assert list(managed) == [bare_building]
        assert not selectors.buildings_managed_by(organization=uo).exists()


@pytest.mark.req("D4")
def test_it_finds_the_supplier_through_the_managing_uos_service_link(
    bare_building, uo, other_uo, rso, territory
):
    other_rso = f.OrganizationFactory(kinds=["rso"], territory=territory["district"])
    services.management_period_create(
        building=bare_building, organization=uo, start=D(2020, 1, 1), end=D(2022, 12, 31)
    )
    services.management_period_create(
        building=bare_building, organization=other_uo, start=D(2023, 1, 1)
    )
    services.service_link_create(uo=uo, provider=rso, resource="hot_water", start=D(2020, 1, 1))
    services.service_link_create(
        uo=other_uo, provider=other_rso, resource="hot_water", start=D(2023, 1, 1)
    )
    on_old = D(2021, 5, 1)
    assert (
        selectors.building_supplier(building=bare_building, resource="hot_water", on=on_old) == rso
    )
    assert (
        selectors.building_supplier(building=bare_building, resource="hot_water", on=D(2024, 1, 1))
        == other_rso
    )
    assert selectors.building_supplier(building=bare_building, resource="gas", on=on_old) is None
    table = selectors.building_suppliers(building=bare_building, on=on_old)
    assert table["hot_water"] == rso and table["heating"] is None


@pytest.mark.req("D4")
def test_it_refuses_a_second_supplier_of_one_resource_for_a_uo_at_a_time(uo, rso, territory):
    other_rso = f.OrganizationFactory(kinds=["rso"], territory=territory["district"])
    services.service_link_create(uo=uo, provider=rso, resource="heating", start=D(2020, 1, 1))
    with pytest.raises(ApplicationError) as err:
        services.service_link_create(
            uo=uo, provider=other_rso, resource="heating", start=D(2024, 1, 1)
        )
    assert err.value.code == "duplicate_link"
    assert ServiceLink.objects.count() == 1


@pytest.mark.req("D4")
def test_it_refuses_a_resource_link_from_a_contractor(uo, territory):
    contractor = f.OrganizationFactory(kinds=["contractor"], territory=territory["district"])
    with pytest.raises(ApplicationError) as err:
        services.service_link_create(
            uo=uo, provider=contractor, resource="gas", start=D(2024, 1, 1)
        )
    assert "resource" in err.value.fields
    link = services.service_link_create(uo=uo, provider=contractor, start=D(2024, 1, 1))
    assert link.resource == ""


@pytest.mark.req("D2")
def test_an_employee_holds_several_roles_and_keeps_an_administrator(uo):
    admin, _pwd = services.employee_create(
        organization=uo,
        full_name="Кузнецова Анна Сергеевна",
        position="Главный инженер",
        roles=["org_admin", "uo_dispatcher", "uo_engineer"],
        send_credentials=False,
    )
    assert admin.role_codes == {"org_admin", "uo_dispatcher", "uo_engineer"}
    with pytest.raises(ApplicationError) as err:
        services.employee_set_roles(employee=admin, roles=["uo_dispatcher"])
    assert err.value.code == "last_admin"
    assert admin.role_codes == {"org_admin", "uo_dispatcher", "uo_engineer"}
    with pytest.raises(ApplicationError):
        services.employee_deactivate(employee=admin)
    f.employee(uo, roles=["org_admin"])
    services.employee_set_roles(employee=admin, roles=["uo_dispatcher", "uo_engineer"])
    admin.refresh_from_db()
    assert admin.role_codes == {"uo_dispatcher", "uo_engineer"}


@pytest.mark.req("D2")
def test_an_organisation_holds_several_kinds(territory):
    org = services.organization_create(
        data=f.card_data(), kinds=["call_centre", "technical_operator"], territory=territory["city"]
    )
    assert org.kind_codes == {"call_centre", "technical_operator"}
    services.organization_update(
        organization=org, data={}, kinds=["call_centre", "technical_operator", "control"]
    )
    assert org.kind_codes == {"call_centre", "technical_operator", "control"}
    with pytest.raises(ApplicationError) as err:
        services.organization_update(organization=org, data={}, kinds=[])
    assert "kinds" in err.value.fields
    assert org.kind_codes == {"call_centre", "technical_operator", "control"}


@pytest.mark.req("D3")
@pytest.mark.req("S7")
def test_it_refuses_a_building_with_bad_coordinates_and_stores_nothing(territory):
    with pytest.raises(ApplicationError) as err:
        services.building_create(
            data={
                "settlement": "г. Кострома",
                "street": "ул. Ленина",
                "house": "5",
                "latitude": "abc",
                "longitude": 200,
            }
        )
    assert set(err.value.fields) == {"latitude", "longitude"}
    b = services.building_create(
        data={
            "settlement": "г. Кострома",
            "street": "ул. Ленина",
            "house": "5",
            "block": "2",
            "latitude": 57.1,
            "longitude": 40.2,
            "territory": territory["district"],
        }
    )
    assert b.search_text == "ул. ленина 5 2"
    with pytest.raises(ApplicationError) as err:
        services.building_create(
            data={"settlement": "г. Кострома", "street": "ул. Ленина", "house": "5", "block": "2"}
        )
    assert err.value.code == "duplicate_building"
