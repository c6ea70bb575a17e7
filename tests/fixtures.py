"""The fixtures of every test folder, loaded as a plugin by tests/conftest.py: the isolation of
each test (no network, a clean cache, private and public media roots of its own), and one cast
of named organisations and people.

The cast: a building managed by «УК Центр» (uo), served by a hot/cold water supplier (rso) and
a lift contractor (contractor); a call centre, the platform operators, a control body; the
resident Анна and her neighbour Борис; a stranger UO (other_uo). Outages add three houses of
«УК Центр» on ул. Советская with a cold-water link to the supplier.

A folder's conftest.py overrides a fixture here only where its tests need a different one
(the notification tests' Борис has neither e-mail nor phone, say)."""

import datetime as dt
import socket
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from rest_framework.test import APIClient

from tests import factories as f

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


def msk(*args):
    """An aware Moscow time."""
    return dt.datetime(*args, tzinfo=MSK)


# --- Isolation of every test -----------------------------------------------------------------

_real_connect = socket.socket.connect


def _guarded_connect(sock, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
    ):
        raise RuntimeError(f"tests must not touch the network: {address!r}")
    return _real_connect(sock, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def _clean_cache():
    from domovoy.core import process_cache

    cache.clear()
    process_cache.clear_all()  # their entries live in this process, beside the cache
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Proper password hashing is slow by design and not what the tests prove."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _work_order_rule(request, settings):
    """Completing a request needs a drawn work order (R9). Workflow tests are about other rules,
    so they complete without one; the tests of this rule and the journeys carry
    ``@pytest.mark.work_order_required`` and run with the production setting."""
    settings.SERVICEDESK_WORK_ORDER_REQUIRED = bool(
        request.node.get_closest_marker("work_order_required")
    )


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Uploads go to a private root of this test only, never to the worktree's var/private (S5).
    Returns that root."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_FILES_SERVER = "django"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Public media (logos, help images, generated files) go to a root of this test only.
    Returns that root."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _huey_immediate():
    """Tasks run inline in tests; the consumer test switches this off for itself."""
    HUEY.immediate = True
    yield
    HUEY.immediate = True


@pytest.fixture
def stored_files(_private_files):
    """The files on disk under the private root, as relative paths."""

    def _list():
        if not _private_files.exists():
            return []
        root = _private_files
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    return _list


@pytest.fixture
def frozen():
    """Time frozen on Monday 2026-12-07 12:00 MSK; ``frozen.move_to(...)`` moves it."""
    with time_machine.travel(msk(2026, 12, 7, 12, 0), tick=False) as traveller:
        yield traveller


# --- Organisations -----------------------------------------------------------------------------


@pytest.fixture
def territory(db):
    return f.city_territories()


@pytest.fixture
def uo(db, territory):
    return f.OrganizationFactory(kinds=["uo"], territory=territory["district"])


@pytest.fixture
def other_uo(db, territory):
    return f.OrganizationFactory(kinds=["uo"], territory=territory["district"])


@pytest.fixture
def rso(db, territory):
    return f.OrganizationFactory(kinds=["rso"], territory=territory["district"])


@pytest.fixture
def contractor(db, territory):
    return f.OrganizationFactory(kinds=["contractor"], territory=territory["district"])


@pytest.fixture
def call_centre(db, territory):
    return f.OrganizationFactory(kinds=["call_centre"], territory=territory["city"])


@pytest.fixture
def operator_org(db, territory):
    return f.OrganizationFactory(
        kinds=["functional_operator", "technical_operator"], territory=territory["region"]
    )


@pytest.fixture
def control_org(territory):
    """A control body (ГЖИ) of the whole city."""
    return f.OrganizationFactory(kinds=["control"], territory=territory["city"])


@pytest.fixture
def links(uo, rso, contractor):
    """The supplier serves «УК Центр» for cold and hot water; the contractor for everything."""
    from domovoy.directory.models import ServiceLink

    start = dt.date(2020, 1, 1)
    for resource in ("cold_water", "hot_water"):
        ServiceLink.objects.create(uo=uo, provider=rso, resource=resource, start=start)
    ServiceLink.objects.create(uo=uo, provider=contractor, resource="", start=start)


# --- People ------------------------------------------------------------------------------------


@pytest.fixture
def functional_operator(operator_org):
    return f.employee(operator_org, roles=["functional_operator"], username="fop").user


@pytest.fixture
def technical_operator(operator_org):
    return f.employee(operator_org, roles=["technical_operator"], username="top").user


@pytest.fixture
def uo_admin(uo):
    return f.employee(uo, roles=["org_admin", "uo_dispatcher"], username="uoadmin").user


@pytest.fixture
def uo_dispatcher(uo):
    return f.employee(uo, roles=["uo_dispatcher"], username="uodisp").user


@pytest.fixture
def uo_engineer(uo):
    return f.employee(uo, roles=["uo_engineer"], username="uoeng").user


@pytest.fixture
def uo_accountant(uo):
    """Staff of the executor without a workflow role."""
    return f.employee(uo, roles=["org_admin"], username="uoacc").user


@pytest.fixture
def other_uo_admin(other_uo):
    return f.employee(other_uo, roles=["org_admin"], username="otheradmin").user


@pytest.fixture
def other_uo_dispatcher(other_uo):
    return f.employee(other_uo, roles=["uo_dispatcher"], username="otherdisp").user


@pytest.fixture
def rso_dispatcher(rso):
    return f.employee(rso, roles=["supplier_dispatcher"], username="rsodisp").user


@pytest.fixture
def contractor_dispatcher(contractor):
    return f.employee(contractor, roles=["supplier_dispatcher"], username="condisp").user


@pytest.fixture
def call_operator(call_centre):
    return f.employee(call_centre, roles=["call_operator"], username="callop").user


@pytest.fixture
def controller(control_org):
    """A control body's specialist: reads the territory, is party to nothing."""
    return f.employee(control_org, roles=["controller"], username="gzhi").user


@pytest.fixture
def resident(db):
    return f.UserFactory(username="resident", is_resident=True)


@pytest.fixture
def anna(db):
    """The resident Анна Смирнова, with an e-mail (anna@example.ru) and a phone."""
    return f.UserFactory(
        username="anna", first_name="Анна", last_name="Смирнова", is_resident=True,
        phone="+79101234567",
    )  # fmt: skip


@pytest.fixture
def boris(db):
    return f.UserFactory(username="boris", first_name="Борис", is_resident=True)


# --- Places ------------------------------------------------------------------------------------


@pytest.fixture
def building(uo, territory):
    b = f.BuildingFactory(territory=territory["district"])
    f.manage(b, uo)
    return b


@pytest.fixture
def houses(uo, territory):
    """Three houses of «УК Центр» on ул. Советская (1, 2 close together, 3 further away)."""
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
def water_link(uo, rso):
    from domovoy.directory.models import ServiceLink

    return ServiceLink.objects.create(
        uo=uo, provider=rso, resource="cold_water", start=dt.date(2020, 1, 1)
    )


# --- Service requests and outages ----------------------------------------------------------


@pytest.fixture
def classifier(db):
    from domovoy.servicedesk.models import Topic

    call_command("load_classifier", verbosity=0)
    return {t.code: t for t in Topic.objects.all()}


@pytest.fixture
def file_request(building, classifier, anna, links):
    """Anna files a request in her cabinet; returns a function for more of them."""
    from domovoy.servicedesk import services
    from domovoy.servicedesk.models import Channel

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


@pytest.fixture
def publish_planned(rso_dispatcher, houses, water_link):
    """``publish_planned(start, end=None, ...)``: the supplier publishes a planned cold-water
    outage over the three houses."""
    from domovoy.outages import services
    from domovoy.outages.zones import zone_spec

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


# --- Clients -----------------------------------------------------------------------------------


def api_as(user):
    """An API client authenticated as ``user`` (a person's session)."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def signed_in(client, user):
    """``client`` (a Django test client) logged in as ``user``."""
    client.force_login(user)
    return client


def token_client(token):
    """An API client presenting an integration token (A1)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def api_of():
    """``api_of(user)``: an API client authenticated as ``user``."""
    return api_as


@pytest.fixture
def client_of(client):
    """``client_of(user)``: the test client logged in as ``user`` (pages)."""

    def _login(user):
        return signed_in(client, user)

    return _login


@pytest.fixture
def make_agreement(technical_operator):
    """``make_agreement(scopes=..., territory=..., ...)``: an integration agreement in force."""
    from domovoy.api import services

    counter = {"n": 0}

    def make(scopes=("directory:read",), territory=None, valid_from=None, valid_to=None, **kw):
        counter["n"] += 1
        today = timezone.localdate()
        return services.integration_agreement_create(
            actor=technical_operator,
            number=kw.pop("number", f"ИС-{counter['n']}/2026"),
            system_name=kw.pop("system_name", "ГИС ЖКХ"),
            parties=kw.pop("parties", "Администрация города и ООО «Интегратор»"),
            valid_from=valid_from or today - dt.timedelta(days=10),
            valid_to=valid_to or today + dt.timedelta(days=365),
            scopes=list(scopes),
            territory=territory,
            **kw,
        )

    return make


@pytest.fixture
def make_token(technical_operator):
    """``make_token(agreement, expires_on=None)``: the plain text of a new integration token."""
    from domovoy.api import services

    def make(agreement, expires_on=None):
        _instance, token = services.integration_token_issue(
            actor=technical_operator, agreement=agreement, expires_on=expires_on
        )
        return token

    return make
