"""The cast for outages: «УК Центр» (uo) manages three houses on ул. Советская, a stranger UO
(other_uo) one house on ул. Ленина; the water supplier (rso) serves uo for cold water.
Анна lives in house 1, Борис in house 2; Вера lives nowhere here but keeps house 3 as a
favourite address (O6); Анна also keeps her own house as a favourite (one notice, not two)."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from domovoy.directory.models import ServiceLink
from domovoy.outages import services
from domovoy.outages.models import FavouriteAddress
from domovoy.outages.zones import zone_spec
from tests import factories as f

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


def msk(*args):
    return dt.datetime(*args, tzinfo=MSK)


@pytest.fixture
def frozen():
    """Time frozen on Monday 2026-12-07 12:00 MSK; ``frozen.move_to(...)`` moves it."""
    with time_machine.travel(msk(2026, 12, 7, 12, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def houses(uo, territory):
    coords = [(57.7600, 40.9200), (57.7610, 40.9210), (57.7700, 40.9400)]
    result = []
    for n, (lat, lon) in enumerate(coords, start=1):
        b = f.BuildingFactory(
            street="ул. Советская",
            house=str(n),
            latitude=lat,
            longitude=lon,
            territory=territory["district"],
        )
        f.manage(b, uo)
        result.append(b)
    return result


@pytest.fixture
def foreign_house(other_uo, territory):
    b = f.BuildingFactory(
        street="ул. Ленина",
        house="10",
        latitude=57.75,
        longitude=40.90,
        territory=territory["other_district"],
    )
    f.manage(b, other_uo)
    return b


@pytest.fixture
def water_link(uo, rso):
    return ServiceLink.objects.create(
        uo=uo, provider=rso, resource="cold_water", start=dt.date(2020, 1, 1)
    )


@pytest.fixture
def rso_dispatcher(rso):
    return f.employee(rso, roles=["supplier_dispatcher"], username="rsodisp").user


@pytest.fixture
def rso_admin(rso):
    return f.employee(rso, roles=["org_admin"], username="rsoadmin").user


@pytest.fixture
def other_rso_dispatcher(territory):
    org = f.OrganizationFactory(kinds=["rso"], territory=territory["district"])
    return f.employee(org, roles=["supplier_dispatcher"], username="otherrso").user


@pytest.fixture
def people(houses):
    anna = f.UserFactory(username="anna", is_resident=True)
    boris = f.UserFactory(username="boris", is_resident=True)
    vera = f.UserFactory(username="vera", is_resident=True)
    _p, acc1 = f.premises_with_account(houses[0], "1")
    acc1.residents.add(anna)
    _p, acc2 = f.premises_with_account(houses[1], "2")
    acc2.residents.add(boris)
    FavouriteAddress.objects.create(user=vera, building=houses[2], label="parents")
    FavouriteAddress.objects.create(user=anna, building=houses[0], label="home")
    return {"anna": anna, "boris": boris, "vera": vera}


@pytest.fixture
def publish_planned(rso_dispatcher, houses, water_link):
    def publish(start, end=None, *, actor=None, zone=None, **extra):
        return services.outage_publish(
            actor=actor or rso_dispatcher,
            kind="planned",
            resource="cold_water",
            network="supplier",
            zone=zone or zone_spec(building_ids=[b.pk for b in houses]),
            reason="Ремонт водопровода",
            start=start,
            planned_end=end or start + dt.timedelta(hours=8),
            **extra,
        )

    return publish


@pytest.fixture
def city_controller(territory):
    """A controller of the city's control body (its territory holds the houses' district)."""
    body = f.OrganizationFactory(kinds=["control"], territory=territory["city"])
    return f.employee(body, roles=["controller"], username="citycontrol").user


@pytest.fixture
def stranger_controller(territory):
    """A controller of another district's control body: not told of these houses."""
    body = f.OrganizationFactory(kinds=["control"], territory=territory["other_district"])
    return f.employee(body, roles=["controller"], username="othercontrol").user
