"""The UO is told (O7, U 3.5.2а): publishing, changing or cancelling an outage notifies the
staff of every UO managing a building of the zone, through the notification engine, once per
outage + event + user."""

import pytest

from domovoy.notifications.models import Notice
from domovoy.outages import services
from domovoy.outages.zones import zone_spec
from tests import factories as f
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


@pytest.fixture
def uo_staff(uo, other_uo):
    return {
        "disp": f.employee(uo, roles=["uo_dispatcher"], username="uo_disp").user,
        "eng": f.employee(uo, roles=["uo_engineer"], username="uo_eng").user,
        "stranger": f.employee(other_uo, roles=["uo_dispatcher"], username="stranger").user,
    }


def told(outage, kind):
    return sorted(
        n.recipient.username
        for n in Notice.objects.filter(
            group=f"outage:{outage.pk}:staff", channel="inbox", kind=kind
        ).select_related("recipient")
    )


@pytest.mark.req("O7")
def test_publishing_changing_and_cancelling_tell_the_uo_staff_of_the_buildings(
    frozen, publish_planned, rso_dispatcher, uo_staff, people
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0))
    assert told(outage, "outage.staff_published") == ["uo_disp", "uo_eng"]
    notice = Notice.objects.get(
        group=f"outage:{outage.pk}:staff", channel="inbox", recipient=uo_staff["disp"]
    )
    assert notice.dedup_key == f"outage:{outage.pk}:published:staff:u{uo_staff['disp'].pk}:inbox"
    assert notice.url == f"/outages/{outage.pk}/" and "холодная вода" in notice.subject

    services.outage_refine(actor=rso_dispatcher, outage=outage, reason="Замена задвижки")
    services.outage_refine(
        actor=rso_dispatcher,
        outage=outage,
        start=msk(2026, 12, 21, 10, 0),
        planned_end=msk(2026, 12, 21, 18, 0),
    )
    assert told(outage, "outage.staff_changed") == ["uo_disp", "uo_disp", "uo_eng", "uo_eng"]

    services.outage_cancel(actor=rso_dispatcher, outage=outage, reason="Перенос <работ>")
    assert told(outage, "outage.staff_cancelled") == ["uo_disp", "uo_eng"]
    cancel = Notice.objects.get(
        group=f"outage:{outage.pk}:staff",
        channel="inbox",
        recipient=uo_staff["eng"],
        kind="outage.staff_cancelled",
    )
    assert "Перенос <работ>" in cancel.body  # plain text; pages escape it
    # residents' notices are untouched by the staff ones
    assert not Notice.objects.filter(
        group=f"outage:{outage.pk}:staff", recipient=people["anna"]
    ).exists()


@pytest.mark.req("O7")
def test_a_uo_of_a_building_outside_the_zone_is_not_told(frozen, publish_planned, houses, uo_staff):
    outage = publish_planned(msk(2026, 12, 20, 10, 0), zone=zone_spec(building_ids=[houses[0].pk]))
    assert "stranger" not in told(outage, "outage.staff_published")


@pytest.mark.req("O7")
def test_the_uo_publishing_its_own_outage_does_not_tell_the_actor_himself(frozen, houses, uo_staff):
    outage = services.outage_publish(
        actor=uo_staff["disp"],
        kind="planned",
        resource="hot_water",
        network="in_building",
        zone=zone_spec(building_ids=[houses[0].pk]),
        reason="Ремонт стояка",
        start=msk(2026, 12, 20, 10, 0),
        planned_end=msk(2026, 12, 20, 12, 0),
    )
    assert told(outage, "outage.staff_published") == ["uo_eng"]
