"""Publishing outages through the service (O1, O2, O3, O6): rules, zone, lateness, delays,
and the notices written to the engine's outbox."""

import pytest

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.notifications.models import Notice
from domovoy.outages import services
from domovoy.outages.models import Outage, OutageBuilding, OutageRevision
from domovoy.outages.zones import zone_spec
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


def inbox(**filters):
    return Notice.objects.filter(channel="inbox", **filters)


def schedule_of(outage):
    return sorted(
        (n.recipient.username, n.kind, n.due_at)
        for n in inbox(group=outage.group).select_related("recipient")
    )


@pytest.mark.req("O1", "O3", "O6")
def test_a_planned_outage_ten_days_ahead_notifies_each_resident_and_subscriber_once(
    frozen, publish_planned, people, houses
):
    start = msk(2026, 12, 17, 12, 0)
    outage = publish_planned(start)

    assert outage.status == "published" and not outage.is_late
    assert outage.building_count == 3
    assert set(outage.zone.values_list("building_id", flat=True)) == {b.pk for b in houses}
    five, one = msk(2026, 12, 12, 12, 0), msk(2026, 12, 16, 12, 0)
    now = msk(2026, 12, 7, 12, 0)
    expected = []
    for name in ("anna", "boris", "vera"):
        expected += [
            (name, "outage.published", now),
            (name, "outage.reminder_5d", five),
            (name, "outage.reminder_1d", one),
        ]
    assert schedule_of(outage) == sorted(expected)
    # e-mail too (the recipients have addresses), same keys per channel
    assert Notice.objects.filter(group=outage.group, channel="email").count() == 9
    anna_pub = inbox(recipient=people["anna"], kind="outage.published").get()
    assert anna_pub.dedup_key == f"outage:{outage.pk}:published:u{people['anna'].pk}:inbox"
    assert anna_pub.url == f"/outages/{outage.pk}/"
    assert "холодная вода" in anna_pub.subject.lower()


@pytest.mark.req("O1")
def test_a_notice_shorter_than_ten_days_is_accepted_and_marked_late(frozen, publish_planned):
    outage = publish_planned(msk(2026, 12, 17, 11, 59))
    assert outage.is_late and outage.min_notice_days == 10
    on_time = publish_planned(msk(2026, 12, 17, 12, 0))
    assert not on_time.is_late


@pytest.mark.req("O1")
def test_the_minimum_notice_is_a_setting_per_responsible_kind(frozen, publish_planned, settings):
    settings.OUTAGES_MIN_NOTICE_DAYS = {"supplier": 3}
    outage = publish_planned(msk(2026, 12, 11, 12, 0))
    assert outage.min_notice_days == 3 and not outage.is_late


@pytest.mark.req("O3")
def test_five_days_and_one_minute_before_gives_publication_and_the_5_day_reminder(
    frozen, publish_planned, people
):
    outage = publish_planned(msk(2026, 12, 12, 12, 1))
    anna = [(k, d) for n, k, d in schedule_of(outage) if n == "anna"]
    assert anna == [
        ("outage.published", msk(2026, 12, 7, 12, 0)),
        ("outage.reminder_1d", msk(2026, 12, 11, 12, 1)),
        ("outage.reminder_5d", msk(2026, 12, 7, 12, 1)),
    ]


@pytest.mark.req("O3")
def test_exactly_five_days_before_gives_only_the_5_day_reminder_at_once(
    frozen, publish_planned, people
):
    outage = publish_planned(msk(2026, 12, 12, 12, 0))
    anna = [(k, d) for n, k, d in schedule_of(outage) if n == "anna"]
    assert anna == [
        ("outage.reminder_1d", msk(2026, 12, 11, 12, 0)),
        ("outage.reminder_5d", msk(2026, 12, 7, 12, 0)),
    ]


@pytest.mark.req("O3")
@pytest.mark.parametrize(
    "published, due",
    [
        (msk(2026, 12, 7, 21, 59), msk(2026, 12, 7, 21, 59)),
        (msk(2026, 12, 7, 22, 0), msk(2026, 12, 8, 8, 0)),
        (msk(2026, 12, 8, 7, 59), msk(2026, 12, 8, 8, 0)),
        (msk(2026, 12, 8, 8, 0), msk(2026, 12, 8, 8, 0)),
    ],
)
def test_quiet_hours_hold_the_publication_notice_until_eight(
    frozen, publish_planned, people, published, due
):
    frozen.move_to(published)
    outage = publish_planned(msk(2026, 12, 28, 10, 0))
    notice = inbox(group=outage.group, kind="outage.published", recipient=people["anna"]).get()
    assert notice.due_at == due


@pytest.mark.req("O3")
def test_a_reminder_falling_at_night_waits_until_eight(frozen, publish_planned, people):
    outage = publish_planned(msk(2026, 12, 20, 2, 30))
    reminder = inbox(group=outage.group, kind="outage.reminder_1d", recipient=people["anna"])
    assert reminder.get().due_at == msk(2026, 12, 19, 8, 0)


@pytest.mark.req("O2", "O3")
def test_an_emergency_with_the_alert_mark_is_delivered_at_night_at_once(
    frozen, rso_dispatcher, houses, water_link, people
):
    frozen.move_to(msk(2026, 12, 8, 2, 40))
    outage = services.outage_publish(
        actor=rso_dispatcher,
        kind="emergency",
        resource="cold_water",
        network="supplier",
        zone=zone_spec(building_ids=[houses[0].pk]),
        reason="Порыв магистрали",
        accident_at=msk(2026, 12, 8, 1, 10),
        emergency_alert=True,
    )
    notice = inbox(group=outage.group, recipient=people["anna"]).get()
    assert notice.kind == "outage.published" and notice.emergency
    assert notice.due_at == msk(2026, 12, 8, 2, 40)
    # O2: published 90 minutes after the accident: measured and flagged
    assert outage.publication_delay_minutes == 90 and outage.publication_late
    assert outage.start == msk(2026, 12, 8, 1, 10)


@pytest.mark.req("O2", "O3")
def test_an_emergency_without_the_alert_mark_waits_for_eight(
    frozen, rso_dispatcher, houses, water_link, people
):
    frozen.move_to(msk(2026, 12, 8, 2, 40))
    outage = services.outage_publish(
        actor=rso_dispatcher,
        kind="emergency",
        resource="cold_water",
        network="supplier",
        zone=zone_spec(building_ids=[houses[0].pk]),
        reason="Порыв магистрали",
        accident_at=msk(2026, 12, 8, 2, 0),
        planned_end=msk(2026, 12, 8, 9, 0),
        end_known_at=msk(2026, 12, 8, 2, 30),
    )
    notice = inbox(group=outage.group, recipient=people["anna"]).get()
    assert notice.due_at == msk(2026, 12, 8, 8, 0) and not notice.emergency
    assert outage.publication_delay_minutes == 40 and not outage.publication_late
    assert outage.end_entry_delay_minutes == 10 and not outage.end_entry_late


@pytest.mark.req("O3")
def test_the_alert_mark_is_refused_on_a_planned_outage_and_nothing_is_stored(
    frozen, publish_planned, people
):
    with pytest.raises(ApplicationError) as err:
        publish_planned(msk(2026, 12, 20, 10, 0), emergency_alert=True)
    assert err.value.code == "alert_not_emergency"
    assert not Outage.objects.exists() and not Notice.objects.exists()


@pytest.mark.req("O1")
@pytest.mark.parametrize(
    "start, end, code",
    [
        (msk(2026, 12, 7, 11, 0), msk(2026, 12, 7, 18, 0), "start_in_past"),
        (msk(2026, 12, 20, 10, 0), msk(2026, 12, 20, 9, 0), "end_before_start"),
    ],
)
def test_bad_times_are_refused(frozen, publish_planned, start, end, code):
    with pytest.raises(ApplicationError) as err:
        publish_planned(start, end)
    assert err.value.code == code
    assert not Outage.objects.exists()


@pytest.mark.req("O1")
def test_an_empty_reason_and_an_empty_zone_are_refused(frozen, publish_planned, rso_dispatcher):
    with pytest.raises(ApplicationError) as err:
        services.outage_publish(
            actor=rso_dispatcher,
            kind="planned",
            resource="cold_water",
            network="supplier",
            zone=zone_spec(building_ids=[]),
            reason="  ",
            start=msk(2026, 12, 20, 10, 0),
            planned_end=msk(2026, 12, 20, 12, 0),
        )
    assert "reason" in err.value.fields
    with pytest.raises(ApplicationError) as err:
        publish_planned(msk(2026, 12, 20, 10, 0), zone=zone_spec(polygon=[(1, 1), (1, 2), (2, 2)]))
    assert err.value.code == "empty_zone"


@pytest.mark.req("O1", "O7")
def test_a_supplier_cannot_cut_a_house_it_does_not_serve(frozen, publish_planned, foreign_house):
    with pytest.raises(PermissionDeniedError) as err:
        publish_planned(msk(2026, 12, 20, 10, 0), zone=zone_spec(building_ids=[foreign_house.pk]))
    assert err.value.code == "building_out_of_scope"
    assert "Ленина, 10" in err.value.message
    assert not Outage.objects.exists()


@pytest.mark.req("O1")
def test_a_supplier_cannot_cut_a_resource_it_does_not_supply(
    frozen, rso_dispatcher, houses, water_link
):
    with pytest.raises(PermissionDeniedError) as err:
        services.outage_publish(
            actor=rso_dispatcher,
            kind="planned",
            resource="heating",
            network="supplier",
            zone=zone_spec(building_ids=[houses[0].pk]),
            reason="Ремонт",
            start=msk(2026, 12, 20, 10, 0),
            planned_end=msk(2026, 12, 20, 12, 0),
        )
    assert err.value.code == "building_out_of_scope"


@pytest.mark.req("O1")
def test_wrong_roles_and_organisations_are_refused(
    frozen, publish_planned, rso_admin, uo_dispatcher, other_rso_dispatcher, resident
):
    start = msk(2026, 12, 20, 10, 0)
    for actor, code in (
        (rso_admin, "wrong_role"),
        (uo_dispatcher, "wrong_organization"),  # a UO does not publish supplier networks
        (resident, "wrong_organization"),
        (other_rso_dispatcher, "building_out_of_scope"),
    ):
        with pytest.raises(PermissionDeniedError) as err:
            publish_planned(start, actor=actor)
        assert err.value.code == code, actor
    assert not Outage.objects.exists()


@pytest.mark.req("O1")
def test_a_uo_publishes_in_building_outages_of_the_houses_it_manages(
    frozen, uo_dispatcher, houses, foreign_house, people
):
    outage = services.outage_publish(
        actor=uo_dispatcher,
        kind="planned",
        resource="hot_water",
        network="in_building",
        zone=zone_spec(streets=[("г. Кострома", "ул. Советская")]),
        reason="Замена стояка",
        start=msk(2026, 12, 20, 10, 0),
        planned_end=msk(2026, 12, 20, 16, 0),
        completion="manual",
    )
    assert outage.organization.pk == houses[0].management.get().organization_id
    assert outage.building_count == 3
    with pytest.raises(PermissionDeniedError):
        services.outage_publish(
            actor=uo_dispatcher,
            kind="planned",
            resource="hot_water",
            network="in_building",
            zone=zone_spec(building_ids=[foreign_house.pk]),
            reason="Замена стояка",
            start=msk(2026, 12, 20, 10, 0),
            planned_end=msk(2026, 12, 20, 16, 0),
        )


@pytest.mark.req("O1")
def test_the_zone_by_polygon_takes_only_the_houses_inside(frozen, publish_planned, houses):
    square = [(57.755, 40.915), (57.755, 40.925), (57.765, 40.925), (57.765, 40.915)]
    outage = publish_planned(msk(2026, 12, 20, 10, 0), zone=zone_spec(polygon=square))
    assert sorted(outage.zone.values_list("building_id", flat=True)) == [
        houses[0].pk,
        houses[1].pk,
    ]
    first = OutageRevision.objects.get(outage=outage)
    assert first.action == "published" and first.snapshot["building_ids"] == [
        houses[0].pk,
        houses[1].pk,
    ]


@pytest.mark.req("O1")
def test_bad_zone_input_is_refused_with_the_field_named(frozen, publish_planned):
    for kwargs, field in (
        ({"building_ids": ["x"]}, "building_ids"),
        ({"building_ids": [999999]}, "building_ids"),
        ({"polygon": [(57.7, 40.9), (57.8, 40.9)]}, "polygon"),
        ({"polygon": [(91, 40.9), (57.8, 40.9), (57.8, 41)]}, "polygon"),
        ({"streets": [("г. Кострома", "ул. Несуществующая")]}, "streets"),
        ({"streets": [("г. Кострома",)]}, "streets"),
    ):
        with pytest.raises(ApplicationError) as err:
            publish_planned(msk(2026, 12, 20, 10, 0), zone=zone_spec(**kwargs))
        assert field in err.value.fields, kwargs
    assert not OutageBuilding.objects.exists()
