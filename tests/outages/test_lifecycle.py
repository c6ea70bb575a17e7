"""Changing, completing and cancelling outages (O1, O2, O3, O4): history, measured delays,
rescheduled and cancelled notices."""

import datetime as dt

import pytest

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.notifications.models import Notice
from domovoy.outages import services
from domovoy.outages.tasks import complete_due_outages, outages_autocomplete
from domovoy.outages.zones import zone_spec
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


def inbox_of(outage, user, **filters):
    return Notice.objects.filter(group=outage.group, channel="inbox", recipient=user, **filters)


@pytest.mark.req("O1", "O3")
def test_moving_the_times_announces_it_and_replans_the_reminders(
    frozen, publish_planned, rso_dispatcher, people
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0))
    frozen.move_to(msk(2026, 12, 9, 12, 0))
    outage = services.outage_refine(
        actor=rso_dispatcher,
        outage=outage,
        start=msk(2026, 12, 22, 10, 0),
        planned_end=msk(2026, 12, 22, 20, 0),
        end_known_at=msk(2026, 12, 9, 10, 30),
    )
    anna = people["anna"]
    old = inbox_of(outage, anna, kind__startswith="outage.reminder", dedup_key__contains=":r1:")
    assert set(old.values_list("state", flat=True)) == {"cancelled"}
    new = inbox_of(outage, anna, state="queued", kind__startswith="outage.reminder")
    assert sorted(new.values_list("kind", "due_at")) == [
        ("outage.reminder_1d", msk(2026, 12, 21, 10, 0)),
        ("outage.reminder_5d", msk(2026, 12, 17, 10, 0)),
    ]
    changed = inbox_of(outage, anna, kind="outage.times_changed").get()
    assert changed.due_at == msk(2026, 12, 9, 12, 0)
    # O1: the new end was known at 10:30 and entered at 12:00 — 90 minutes, flagged
    assert outage.end_entry_delay_minutes == 90 and outage.end_entry_late
    revision = outage.revisions.get(number=2)
    assert revision.action == "refined" and revision.entry_delay_minutes == 90
    assert set(revision.changes) == {"start", "planned_end"}
    assert revision.actor == rso_dispatcher
    assert revision.snapshot["start"] == msk(2026, 12, 22, 10, 0).isoformat()


@pytest.mark.req("O3")
def test_changing_the_text_only_sends_nothing_and_no_change_is_refused(
    frozen, publish_planned, rso_dispatcher, people
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0))
    before = Notice.objects.count()
    outage = services.outage_refine(actor=rso_dispatcher, outage=outage, description="Уточнено")
    assert Notice.objects.count() == before
    assert outage.revisions.count() == 2
    with pytest.raises(ApplicationError) as err:
        services.outage_refine(actor=rso_dispatcher, outage=outage, description="Уточнено")
    assert err.value.code == "no_changes"


@pytest.mark.req("O3", "O6")
def test_growing_the_zone_tells_only_the_new_residents(
    frozen, publish_planned, rso_dispatcher, houses, people
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0), zone=zone_spec(building_ids=[houses[0].pk]))
    assert not inbox_of(outage, people["boris"]).exists()
    outage = services.outage_refine(
        actor=rso_dispatcher,
        outage=outage,
        zone=zone_spec(building_ids=[houses[0].pk, houses[1].pk]),
    )
    assert inbox_of(outage, people["anna"], kind="outage.published").count() == 1
    assert inbox_of(outage, people["boris"], kind="outage.published").count() == 1
    boris = inbox_of(outage, people["boris"], state="queued", kind__startswith="outage.reminder")
    assert boris.count() == 2
    assert outage.revisions.last().changes["zone"] == {"added": [houses[1].pk], "removed": []}


@pytest.mark.req("O1")
def test_only_the_responsible_dispatcher_changes_it(
    frozen, publish_planned, uo_dispatcher, other_rso_dispatcher, rso_admin
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0))
    for actor in (uo_dispatcher, other_rso_dispatcher, rso_admin):
        with pytest.raises(PermissionDeniedError):
            services.outage_refine(actor=actor, outage=outage, description="x")
        with pytest.raises(PermissionDeniedError):
            services.outage_cancel(actor=actor, outage=outage, reason="x")
    assert outage.revisions.count() == 1


@pytest.mark.req("O1", "O4", "O3")
def test_manual_completion_records_the_actual_end_and_its_entry_delay(
    frozen, publish_planned, rso_dispatcher, people
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0), completion="manual")
    frozen.move_to(msk(2026, 12, 20, 15, 0))
    outage = services.outage_complete(
        actor=rso_dispatcher,
        outage=outage,
        actual_end=msk(2026, 12, 20, 14, 0),
        known_at=msk(2026, 12, 20, 14, 20),
    )
    assert outage.status == "completed" and outage.actual_end == msk(2026, 12, 20, 14, 0)
    assert outage.end_entry_delay_minutes == 40 and not outage.end_entry_late
    done = inbox_of(outage, people["anna"], kind="outage.completed").get()
    assert done.due_at == msk(2026, 12, 20, 15, 0)
    with pytest.raises(ApplicationError) as err:
        services.outage_complete(actor=rso_dispatcher, outage=outage)
    assert err.value.code == "invalid_status"


@pytest.mark.req("O4")
def test_completion_before_the_start_or_in_the_future_is_refused(
    frozen, publish_planned, rso_dispatcher
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0), completion="manual")
    with pytest.raises(ApplicationError) as err:
        services.outage_complete(actor=rso_dispatcher, outage=outage)
    assert err.value.code == "not_started"
    frozen.move_to(msk(2026, 12, 20, 12, 0))
    with pytest.raises(ApplicationError) as err:
        services.outage_complete(
            actor=rso_dispatcher, outage=outage, actual_end=msk(2026, 12, 20, 13, 0)
        )
    assert "actual_end" in err.value.fields


@pytest.mark.req("O4", "O3")
def test_automatic_completion_at_the_planned_end_by_the_periodic_task(
    frozen, publish_planned, people, settings
):
    auto = publish_planned(msk(2026, 12, 20, 10, 0), msk(2026, 12, 20, 18, 0))
    manual = publish_planned(
        msk(2026, 12, 20, 10, 0), msk(2026, 12, 20, 18, 0), completion="manual"
    )
    frozen.move_to(msk(2026, 12, 20, 17, 59))
    assert complete_due_outages() == 0
    frozen.move_to(msk(2026, 12, 20, 18, 0))
    outages_autocomplete.call_local()
    auto.refresh_from_db()
    manual.refresh_from_db()
    assert auto.status == "completed" and auto.actual_end == msk(2026, 12, 20, 18, 0)
    assert manual.status == "published"
    assert auto.revisions.last().action == "auto_completed"
    assert auto.revisions.last().actor is None
    assert inbox_of(auto, people["anna"], kind="outage.completed").exists()
    settings.OUTAGES_NOTIFY_COMPLETION = False
    third = None
    frozen.move_to(msk(2026, 12, 7, 12, 0))
    third = publish_planned(msk(2026, 12, 21, 10, 0), msk(2026, 12, 21, 11, 0))
    frozen.move_to(msk(2026, 12, 21, 11, 0))
    assert complete_due_outages() == 1
    assert not inbox_of(third, people["anna"], kind="outage.completed").exists()


@pytest.mark.req("O3")
def test_cancelling_cancels_pending_notices_and_tells_residents_who_were_told(
    frozen, publish_planned, rso_dispatcher, people
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0))
    # the publication notices were delivered
    Notice.objects.filter(group=outage.group, kind="outage.published").update(state="sent")
    outage = services.outage_cancel(actor=rso_dispatcher, outage=outage, reason="Работы перенесены")
    assert outage.status == "cancelled" and outage.cancel_reason == "Работы перенесены"
    reminders = Notice.objects.filter(group=outage.group, kind__startswith="outage.reminder")
    assert set(reminders.values_list("state", flat=True)) == {"cancelled"}
    cancelled = inbox_of(outage, people["anna"], kind="outage.cancelled").get()
    assert cancelled.state == "queued" and "перенесены" in cancelled.body
    with pytest.raises(ApplicationError) as err:
        services.outage_refine(actor=rso_dispatcher, outage=outage, description="x")
    assert err.value.code == "invalid_status"


@pytest.mark.req("O3")
def test_cancelling_before_anyone_was_told_sends_no_cancellation(
    frozen, publish_planned, rso_dispatcher, people
):
    frozen.move_to(msk(2026, 12, 7, 23, 0))  # the publication notice waits for 08:00
    outage = publish_planned(msk(2026, 12, 20, 10, 0))
    outage = services.outage_cancel(actor=rso_dispatcher, outage=outage, reason="Ошибка ввода")
    assert not Notice.objects.filter(group=outage.group, kind="outage.cancelled").exists()
    assert set(Notice.objects.filter(group=outage.group).values_list("state", flat=True)) == {
        "cancelled"
    }
    with pytest.raises(ApplicationError):
        services.outage_cancel(actor=rso_dispatcher, outage=outage, reason="")


@pytest.mark.req("O2")
def test_an_emergency_estimate_refined_later_measures_its_entry_delay(
    frozen, rso_dispatcher, houses, water_link, people
):
    outage = services.outage_publish(
        actor=rso_dispatcher,
        kind="emergency",
        resource="cold_water",
        network="supplier",
        zone=zone_spec(building_ids=[houses[0].pk]),
        reason="Порыв",
        accident_at=msk(2026, 12, 7, 11, 30),
    )
    assert outage.planned_end is None and outage.end_entry_delay_minutes is None
    frozen.move_to(msk(2026, 12, 7, 14, 0))
    outage = services.outage_refine(
        actor=rso_dispatcher,
        outage=outage,
        planned_end=msk(2026, 12, 7, 20, 0),
        end_known_at=msk(2026, 12, 7, 13, 45),
    )
    assert outage.end_entry_delay_minutes == 15 and not outage.end_entry_late
    assert outage.end_known_at == msk(2026, 12, 7, 13, 45)
    with pytest.raises(ApplicationError):
        services.outage_refine(
            actor=rso_dispatcher,
            outage=outage,
            planned_end=msk(2026, 12, 7, 21, 0),
            end_known_at=msk(2026, 12, 7, 15, 0),  # in the future
        )
    assert outage.revisions.count() == 2
    assert dt.timedelta(0) < outage.planned_end - outage.start
