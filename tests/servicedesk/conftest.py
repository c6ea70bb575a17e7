"""A small cast for the request workflow: a building managed by «УК Центр» (uo), served by a
hot/cold water supplier (rso), a lift contractor (contractor); a call centre, a functional
operator, the resident Анна and her neighbour Борис; a stranger UO."""

import datetime as dt

import pytest
from django.core.management import call_command

from domovoy.directory.models import ServiceLink
from domovoy.servicedesk import services
from domovoy.servicedesk.models import Channel, Topic
from tests import factories as f


@pytest.fixture
def classifier(db):
    call_command("load_classifier", verbosity=0)
    return {t.code: t for t in Topic.objects.all()}


@pytest.fixture
def contractor(db, territory):
    return f.OrganizationFactory(kinds=["contractor"], territory=territory["district"])


@pytest.fixture
def call_centre(db, territory):
    return f.OrganizationFactory(kinds=["call_centre"], territory=territory["city"])


@pytest.fixture
def links(uo, rso, contractor):
    start = dt.date(2020, 1, 1)
    for resource in ("cold_water", "hot_water"):
        ServiceLink.objects.create(uo=uo, provider=rso, resource=resource, start=start)
    ServiceLink.objects.create(uo=uo, provider=contractor, resource="", start=start)


@pytest.fixture
def rso_dispatcher(rso):
    return f.employee(rso, roles=["supplier_dispatcher"], username="rsodisp").user


@pytest.fixture
def contractor_dispatcher(contractor):
    return f.employee(contractor, roles=["supplier_dispatcher"], username="condisp").user


@pytest.fixture
def uo_engineer(uo):
    return f.employee(uo, roles=["uo_engineer"], username="uoeng").user


@pytest.fixture
def uo_accountant(uo):
    """Staff of the executor without a workflow role."""
    return f.employee(uo, roles=["org_admin"], username="uoacc").user


@pytest.fixture
def other_uo_dispatcher(other_uo):
    return f.employee(other_uo, roles=["uo_dispatcher"], username="otherdisp").user


@pytest.fixture
def call_operator(call_centre):
    return f.employee(call_centre, roles=["call_operator"], username="callop").user


@pytest.fixture
def anna(db):
    return f.UserFactory(
        username="anna", first_name="Анна", last_name="Смирнова", is_resident=True,
        phone="+79101234567",
    )  # fmt: skip


@pytest.fixture
def boris(db):
    return f.UserFactory(username="boris", first_name="Борис", is_resident=True)


@pytest.fixture
def file_request(building, classifier, anna, links):
    """Anna files a request in her cabinet; returns a function for more of them."""

    def _file(code="entrance-door", text="Сломан доводчик входной двери во 2 подъезде", **kw):
        kw.setdefault("author", anna)
        kw.setdefault("actor", kw["author"])
        kw.setdefault("channel", Channel.WEB)
        return services.service_request_create(
            building=kw.pop("building", building), topic=classifier[code], text=text, **kw
        )

    return _file


@pytest.fixture
def sr(file_request):
    """Anna's request about the entrance door, with «УК Центр»."""
    return file_request()
