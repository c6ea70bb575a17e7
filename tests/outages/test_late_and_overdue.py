"""The late mark and the overdue restoration flag (O1, issue 11): a refinement that moves the
start inside the minimum notice is marked late and the history says so; a planned outage
whose planned end passed with no actual end is flagged once to its supplier and the control
body, and shown on the list and the card."""

import pytest
from django.test import Client

from domovoy.notifications.models import Notice
from domovoy.outages import services, tasks
from domovoy.outages.models import Outage
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


@pytest.mark.req("O1")
def test_moving_the_start_earlier_by_a_refinement_marks_the_outage_late(
    frozen, publish_planned, rso_dispatcher
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0))  # 13 days ahead: on time
    assert not outage.is_late
    outage = services.outage_refine(
        actor=rso_dispatcher,
        outage=outage,
        start=msk(2026, 12, 12, 10, 0),
        planned_end=msk(2026, 12, 12, 18, 0),
    )
    outage.refresh_from_db()
    assert outage.is_late
    last = outage.revisions.order_by("-number").first()
    assert last.changes["is_late"] == [False, True]
    assert "поздняя публикация" in last.note


@pytest.mark.req("O1")
def test_moving_the_start_later_keeps_an_on_time_outage_on_time(
    frozen, publish_planned, rso_dispatcher
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0))
    frozen.move_to(msk(2026, 12, 9, 12, 0))
    outage = services.outage_refine(
        actor=rso_dispatcher,
        outage=outage,
        start=msk(2026, 12, 21, 10, 0),
        planned_end=msk(2026, 12, 21, 18, 0),
    )
    assert not Outage.objects.get(pk=outage.pk).is_late


@pytest.mark.req("O1")
def test_a_refinement_days_later_checks_the_notice_from_its_own_moment(
    frozen, publish_planned, rso_dispatcher
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0))
    frozen.move_to(msk(2026, 12, 12, 12, 0))  # 8 days before the start
    services.outage_refine(actor=rso_dispatcher, outage=outage, start=msk(2026, 12, 20, 9, 0))
    assert Outage.objects.get(pk=outage.pk).is_late


def staff_notices(outage):
    return Notice.objects.filter(group=f"outage:{outage.pk}:staff", channel="inbox")


@pytest.mark.req("O1")
def test_an_unfinished_planned_outage_past_its_end_is_flagged_once_to_supplier_and_control(
    frozen,
    publish_planned,
    rso_dispatcher,
    city_controller,
    stranger_controller,
    uo_dispatcher,
    people,
):
    outage = publish_planned(
        msk(2026, 12, 20, 10, 0), msk(2026, 12, 20, 18, 0), completion="manual"
    )
    frozen.move_to(msk(2026, 12, 20, 17, 59))
    assert tasks.flag_overdue_outages() == 0
    frozen.move_to(msk(2026, 12, 20, 18, 5))
    assert tasks.flag_overdue_outages() == 1
    assert tasks.flag_overdue_outages() == 0  # idempotent
    assert services.outage_flag_overdue(outage=outage) is None
    outage.refresh_from_db()
    assert outage.overdue_flagged_at == msk(2026, 12, 20, 18, 5)
    assert outage.restoration_overdue
    assert outage.revisions.filter(action="overdue").count() == 1
    told = sorted(
        n.recipient.username for n in staff_notices(outage).filter(kind="outage.staff_overdue")
    )
    assert told == ["citycontrol", "rsodisp"]
    # residents are not told of the flag
    assert not Notice.objects.filter(kind="outage.staff_overdue", recipient=people["anna"]).exists()

    for user in (rso_dispatcher, city_controller):
        c = Client()
        c.force_login(user)
        assert "Восстановление просрочено" in c.get("/outages/").content.decode()
        assert "Восстановление просрочено" in c.get(f"/outages/{outage.pk}/").content.decode()


@pytest.mark.req("O1")
def test_auto_completed_completed_and_cancelled_outages_are_not_flagged(
    frozen, publish_planned, rso_dispatcher, city_controller
):
    auto = publish_planned(msk(2026, 12, 20, 10, 0), msk(2026, 12, 20, 18, 0))
    done = publish_planned(msk(2026, 12, 20, 10, 0), msk(2026, 12, 20, 18, 0), completion="manual")
    gone = publish_planned(msk(2026, 12, 20, 10, 0), msk(2026, 12, 20, 18, 0), completion="manual")
    services.outage_cancel(actor=rso_dispatcher, outage=gone, reason="Работы перенесены")
    frozen.move_to(msk(2026, 12, 20, 17, 0))
    services.outage_complete(actor=rso_dispatcher, outage=done, actual_end=msk(2026, 12, 20, 16, 0))
    frozen.move_to(msk(2026, 12, 20, 19, 0))
    tasks.complete_due_outages()
    assert tasks.flag_overdue_outages() == 0
    assert not Outage.objects.filter(
        pk__in=[auto.pk, done.pk, gone.pk], overdue_flagged_at__isnull=False
    ).exists()
