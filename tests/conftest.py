"""Shared fixtures: a small cast of named users and organisations; no network but loopback."""

import socket

import pytest
from django.core.cache import cache
from huey.contrib.djhuey import HUEY

from tests import factories as f

pytest_plugins = ["tests.browser_fixtures"]

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
    from domovoy.servicedesk import intake_cache

    cache.clear()
    intake_cache.invalidate()  # its entries live in this process, beside the cache
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
    """Uploads go to a private root of this test only, never to the worktree's var/private."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_FILES_SERVER = "django"


@pytest.fixture(autouse=True)
def _huey_immediate():
    """Tasks run inline in tests; the consumer test switches this off for itself."""
    HUEY.immediate = True
    yield
    HUEY.immediate = True


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
def operator_org(db, territory):
    return f.OrganizationFactory(
        kinds=["functional_operator", "technical_operator"], territory=territory["region"]
    )


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
def other_uo_admin(other_uo):
    return f.employee(other_uo, roles=["org_admin"], username="otheradmin").user


@pytest.fixture
def resident(db):
    return f.UserFactory(username="resident", is_resident=True)


@pytest.fixture
def building(uo, territory):
    b = f.BuildingFactory(territory=territory["district"])
    f.manage(b, uo)
    return b
