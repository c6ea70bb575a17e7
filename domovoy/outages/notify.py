"""Resident notices of an outage (O3, O6) through the notification engine's contract
(``notices_enqueue``, ``notices_cancel``, ``delivery_stats``): the recipients in one query,
the intents in chunks, no per-recipient queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from domovoy.directory import roles
from domovoy.directory.models import Account, Employee, ManagementPeriod, OrgKind
from domovoy.notifications import quiet
from domovoy.notifications import services as engine

from . import schedule
from .models import FavouriteAddress, OutageBuilding

CHUNK = 2000


def recipient_ids(*, outage=None, building_ids=None) -> list[int]:
    """Residents of the accounts of premises in the zone, plus users with a favourite address
    in it (O6), each once: ONE query (a UNION of two indexed lookups)."""
    if building_ids is None:
        buildings = OutageBuilding.objects.filter(outage=outage).values("building_id")
    else:
        buildings = list(building_ids)
    residents = (
        Account.residents.through.objects.filter(
            account__premises__building_id__in=buildings,
            account__is_active=True,
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .order_by()
    )
    favourites = (
        FavouriteAddress.objects.filter(building_id__in=buildings, user__is_active=True)
        .values_list("user_id", flat=True)
        .order_by()
    )
    return sorted(set(residents.union(favourites)))


def _fmt(moment):
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else "—"


def interval_text(delta) -> str:
    """A time span in Russian words with the right plural forms: «3 дня», «4 дня 20 часов»,
    «18 часов», «45 минут» (days and hours; minutes only under an hour)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d день", "%(n)d дней", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d час", "%(n)d часов", hours) % {"n": hours})
    if not parts:
        parts.append(ngettext("%(n)d минуту", "%(n)d минут", mins) % {"n": mins})
    return " ".join(parts)


def _text(outage, kind, send_at=None) -> tuple[str, str]:
    """Subject and body of a notice of ``kind`` delivered at ``send_at``: the interval to the
    start is the real one from that moment (O3, issue 11), never a fixed «5 days»."""
    send_at = send_at or timezone.now()
    resource = outage.get_resource_display().lower()
    what = (
        _("Аварийное отключение: %(resource)s")
        if outage.is_emergency
        else _("Плановое отключение: %(resource)s")
    ) % {"resource": resource}
    ahead = outage.start > send_at
    interval = interval_text(outage.start - send_at) if ahead else ""
    soon = _("Через %(interval)s: %(what)s") % {"interval": interval, "what": what}
    subjects = {
        schedule.PUBLISHED: soon if ahead else what,
        schedule.TIMES_CHANGED: _("Изменены сроки. %(what)s") % {"what": what},
        schedule.COMPLETED: _("Подача возобновлена: %(resource)s") % {"resource": resource},
        schedule.CANCELLED: _("Отключение отменено: %(resource)s") % {"resource": resource},
    }
    for reminder_kind in schedule.REMINDER_KINDS:
        subjects[reminder_kind] = soon if ahead else what
    start_line = _("Начало: %(start)s.") % {"start": _fmt(outage.start)}
    if ahead:
        start_line = _("Начало: %(start)s (через %(interval)s).") % {
            "start": _fmt(outage.start),
            "interval": interval,
        }
    lines = [
        start_line,
        _("Окончание (план): %(end)s.") % {"end": _fmt(outage.planned_end)},
    ]
    if kind == schedule.COMPLETED:
        lines = [_("Подача восстановлена: %(end)s.") % {"end": _fmt(outage.actual_end)}]
    if kind == schedule.CANCELLED:
        lines = [_("Причина отмены: %(reason)s.") % {"reason": outage.cancel_reason}]
    lines.append(_("Причина: %(reason)s.") % {"reason": outage.reason})
    lines.append(_("Ответственный: %(org)s.") % {"org": outage.organization.short_name})
    return subjects.get(kind, what), "\n".join(lines)


def _intents(outage, planned: Iterable[schedule.Planned], ids: list[int]) -> Iterator:
    NoticeIntent = engine.NoticeIntent
    url = reverse("outages:detail", args=[outage.pk])
    emergency = bool(outage.emergency_alert)
    now = timezone.now()
    rules = quiet.window()
    # The text is written for the moment the notice is actually delivered: its due moment
    # after quiet hours (the engine applies the same rule).
    texts = [
        (
            p,
            *_text(
                outage,
                p.kind,
                quiet.deliverable_at(p.due_at or now, emergency=emergency, rules=rules),
            ),
            f"outage:{outage.pk}:{p.key}:u",
        )
        for p in planned
    ]
    # Recipient-major order: a chunk of intents names a third as many users when three notices
    # are planned, so the engine looks each recipient up once.
    for uid in ids:
        for p, subject, body, prefix in texts:
            yield NoticeIntent(
                recipient_id=uid,
                kind=p.kind,
                dedup_key=f"{prefix}{uid}",
                subject=subject,
                body=body,
                url=url,
                due_at=p.due_at,
                emergency=emergency,
                group=outage.group,
            )


# --- Staff notices (issue 11: O1 overdue flag, O7 the UO is told) ----------------------------

UO_STAFF_ROLES = frozenset({"uo_dispatcher", "uo_engineer", "org_admin"})


def _employees(**filters):
    return Employee.objects.filter(is_active=True, user__is_active=True, **filters)


def responsible_staff_ids(outage) -> list[int]:
    """The acting staff (dispatchers) of the organisation responsible for ``outage``."""
    from .permissions import PUBLISHERS

    _kind, acting = PUBLISHERS[outage.network]
    return sorted(
        set(
            _employees(organization_id=outage.organization_id, roles__role__in=acting)
            .values_list("user_id", flat=True)
            .order_by()
        )
    )


def control_staff_ids(building_ids) -> list[int]:
    """Control-body staff (control roles) whose territory covers a building of the zone; a
    control body without a territory covers everything. Two queries."""
    from domovoy.directory.models import Building

    paths = set(
        Building.objects.filter(id__in=list(building_ids), territory__isnull=False)
        .values_list("territory__path", flat=True)
        .distinct()
    )
    rows = (
        _employees(organization__kinds__kind=OrgKind.CONTROL, roles__role__in=roles.CONTROL_ROLES)
        .values_list("user_id", "organization__territory__path")
        .distinct()
    )
    return sorted(
        {uid for uid, scope in rows if not scope or any(p.startswith(scope) for p in paths)}
    )


def uo_staff_ids(building_ids) -> list[int]:
    """The staff of every UO managing a building of the zone today (D4), U 3.5.2а. Two
    queries."""
    today = timezone.localdate()
    uos = (
        ManagementPeriod.objects.filter(building_id__in=list(building_ids), start__lte=today)
        .exclude(end__lt=today)
        .values("organization_id")
    )
    return sorted(
        set(
            _employees(organization_id__in=uos, roles__role__in=UO_STAFF_ROLES)
            .values_list("user_id", flat=True)
            .order_by()
        )
    )


def _staff_text(outage, event) -> tuple[str, str]:
    resource = outage.get_resource_display().lower()
    what = (
        _("Аварийное отключение: %(resource)s")
        if outage.is_emergency
        else _("Плановое отключение: %(resource)s")
    ) % {"resource": resource}
    subjects = {
        "overdue": _("Просрочено восстановление. %(what)s"),
        "published": _("Отключение на ваших домах. %(what)s"),
        "changed": _("Изменено отключение на ваших домах. %(what)s"),
        "cancelled": _("Отменено отключение на ваших домах. %(what)s"),
    }
    lines = [
        _("Начало: %(start)s.") % {"start": _fmt(outage.start)},
        _("Окончание (план): %(end)s.") % {"end": _fmt(outage.planned_end)},
        _("Домов в зоне: %(n)s.") % {"n": outage.building_count},
        _("Причина: %(reason)s.") % {"reason": outage.reason},
        _("Ответственный: %(org)s.") % {"org": outage.organization.short_name},
    ]
    if event == "overdue":
        lines.insert(0, _("Плановое окончание прошло, фактическое окончание не введено."))
    if event == "cancelled":
        lines.insert(0, _("Причина отмены: %(reason)s.") % {"reason": outage.cancel_reason})
    return subjects[event] % {"what": what}, "\n".join(lines)


def tell_staff(outage, *, event: str, user_ids, now=None) -> int:
    """Notices to staff about ``outage`` through the engine: one per outage + event + user
    (``event`` carries the revision for changes); grouped apart from the residents' notices
    (``outage:<pk>:staff``) so cancelling residents' reminders never touches them."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    subject, body = _staff_text(outage, event)
    url = reverse("outages:detail", args=[outage.pk])
    key = f"outage:{outage.pk}:{event}"
    if event == "changed":
        key += f":r{outage.revision}"
    return engine.notices_enqueue(
        [
            engine.NoticeIntent(
                recipient_id=uid,
                kind=f"outage.staff_{event}",
                dedup_key=f"{key}:staff:u{uid}",
                subject=subject,
                body=body,
                url=url,
                due_at=now,
                emergency=bool(outage.emergency_alert),
                group=f"outage:{outage.pk}:staff",
            )
            for uid in ids
        ]
    )


def send(outage, planned: list[schedule.Planned], ids: list[int] | None = None) -> int:
    """Enqueue ``planned`` notices to ``ids`` (default: all recipients), in chunks."""
    if not planned:
        return 0
    if ids is None:
        ids = recipient_ids(outage=outage)
    if not ids:
        return 0
    enqueue = engine.notices_enqueue
    inserted = 0
    batch = []
    for intent in _intents(outage, planned, ids):
        batch.append(intent)
        if len(batch) >= CHUNK:
            inserted += enqueue(batch)
            batch = []
    if batch:
        inserted += enqueue(batch)
    return inserted


def cancel_pending(outage, kinds: Iterable[str] | None = None) -> int:
    return engine.notices_cancel(group=outage.group, kinds=kinds)


def stats(outage) -> dict[str, dict[str, int]]:
    return engine.delivery_stats(group=outage.group)


def delivery_schedule(outage) -> list[dict]:
    """The residents' notices of the outage by kind and due moment (``engine.delivery_schedule``)
    with the kind's name: «Напоминание за 5 дней до начала · 12.03 08:00 · в очереди 38»."""
    rows = engine.delivery_schedule(group=outage.group)
    for row in rows:
        row["label"] = schedule.kind_label(row["kind"])
    return rows


def residents_were_told(outage) -> bool:
    return any(row.get("sent", 0) for row in stats(outage).values())


def notify_completion() -> bool:
    return bool(settings.OUTAGES_NOTIFY_COMPLETION)
