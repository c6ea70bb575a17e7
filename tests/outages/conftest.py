"""The cast for outages (the houses, the water link and ``publish_planned`` are shared, in
tests/fixtures.py): «УК Центр» (uo) manages three houses on ул. Советская, a stranger UO
(other_uo) one house on ул. Ленина; the water supplier (rso) serves uo for cold water.
Анна lives in house 1, Борис in house 2; Вера lives nowhere here but keeps house 3 as a
favourite address (O6); Анна also keeps her own house as a favourite (one notice, not two)."""

import pytest

from domovoy.outages.models import FavouriteAddress
from tests import factories as f


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
