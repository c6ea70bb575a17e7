"""The queue's bulk accept as a service (R4, S2): each request through the one transition
service, the refused ones named with the reason and left untouched."""

import pytest

from domovoy.servicedesk import services
from domovoy.servicedesk.workflow import Status

from .helpers import act, footprint

pytestmark = pytest.mark.django_db


@pytest.mark.req("R4")
@pytest.mark.req("S2")
def test_bulk_accept_accepts_the_allowed_and_names_each_refused_one_with_its_reason(
    file_request, uo_dispatcher, uo_engineer, other_uo_dispatcher
):
    first, second, taken = (file_request(text=f"Дверь {n}") for n in range(3))
    seen = {r.pk: r.version for r in (first, second, taken)}
    act(taken, "accept", uo_engineer, comment="Беру сам")  # a colleague was faster
    before = footprint(taken)

    result = services.service_request_bulk_accept(
        actor=uo_dispatcher, rows=list(seen.items()), comment="Приняли, ждите мастера"
    )

    assert result.accepted == [first.number, second.number]
    [(number, reason)] = result.refused
    assert number == taken.number and "изменил другой пользователь" in reason
    assert footprint(taken) == before
    for sr in (first, second):
        sr.refresh_from_db()
        assert sr.status == Status.ACCEPTED
        assert sr.events.latest("id").comment == "Приняли, ждите мастера"

    # Another organisation's dispatcher does not even learn the number (S2).
    stranger = services.service_request_bulk_accept(
        actor=other_uo_dispatcher, rows=[(first.pk, first.version)], comment="Чужая"
    )
    assert stranger.accepted == [] and stranger.refused == [(str(first.pk), "заявка недоступна")]
