"""Two dispatchers accept the same request at once: exactly one wins (DESIGN §3, R4)."""

import threading

import pytest
from django.db import connection, connections

from domovoy.core.errors import ApplicationError
from domovoy.servicedesk import services
from domovoy.servicedesk.models import RequestEvent, ServiceRequest
from domovoy.servicedesk.workflow import Status
from tests import factories as f

pytestmark = pytest.mark.req("R4")


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_accepting_at_once_exactly_one_wins(sr, uo):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers (see the CAS test)")
    second = f.employee(uo, roles=["uo_dispatcher"], username="uodisp2").user
    first = f.employee(uo, roles=["uo_dispatcher"], username="uodisp1").user
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(user):
        try:
            request = ServiceRequest.objects.get(pk=sr.pk)  # each sees version 0, status new
            barrier.wait()
            services.service_request_transition(
                request=request, action="accept", actor=user, comment=f"Принял {user.username}"
            )
            outcomes.append(("won", user.username))
        except ApplicationError as exc:
            outcomes.append((exc.code, user.username))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(code for code, _ in outcomes) == ["stale", "won"]
    row = ServiceRequest.objects.get(pk=sr.pk)
    assert row.status == Status.ACCEPTED and row.version == 1
    assert RequestEvent.objects.filter(request=sr, action="accept").count() == 1


@pytest.mark.django_db
def test_a_writer_holding_an_old_version_is_refused_on_any_database(sr, uo_dispatcher):
    first = ServiceRequest.objects.get(pk=sr.pk)
    second = ServiceRequest.objects.get(pk=sr.pk)
    services.service_request_transition(
        request=first, action="accept", actor=uo_dispatcher, comment="Принято"
    )
    with pytest.raises(ApplicationError) as err:
        services.service_request_transition(
            request=second, action="start", actor=uo_dispatcher, comment="Взяли в работу"
        )
    assert err.value.code == "stale"
    # With the version it saw refreshed, the same action is judged on the real status.
    services.service_request_transition(request=second, action="start", actor=uo_dispatcher,
                                        comment="Взяли в работу", expected_version=1)  # fmt: skip
    assert second.status == Status.IN_WORK and second.version == 2
