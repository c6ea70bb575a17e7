"""Every write of outages (O1–O4, O6): one function per user action, one transaction each.
Notices are planned by ``schedule`` and written by ``notify`` in the same transaction (the
engine schedules its delivery on commit)."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.directory import roles
from domovoy.directory.models import Building, Resource

from . import notify, schedule
from . import permissions as perms
from .models import (
    Completion,
    FavouriteAddress,
    FavouriteLabel,
    Network,
    Outage,
    OutageBuilding,
    OutageKind,
    OutageRevision,
    OutageStatus,
    RevisionAction,
)
from .zones import ZoneSpec, resolve_zone

# The 1-hour rules of regulation 000 (publication after an accident, entry of the end).
ENTRY_LIMIT_MINUTES = 60
DEFAULT_MIN_NOTICE_DAYS = {Network.SUPPLIER: 10, Network.IN_BUILDING: 10}
_UNSET = object()


def min_notice_days(network) -> int:
    configured = settings.OUTAGES_MIN_NOTICE_DAYS or {}
    return int(configured.get(str(network), DEFAULT_MIN_NOTICE_DAYS[network]))


def _minutes(later, earlier) -> int:
    return max(0, math.floor((later - earlier).total_seconds() / 60))


def _choice(value, choices, field, message):
    if value not in choices.values:
        raise ApplicationError(message, code="invalid", fields={field: [message]})
    return value


def _iso(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


SNAPSHOT_FIELDS = (
    "kind",
    "resource",
    "network",
    "organization_id",
    "status",
    "start",
    "planned_end",
    "actual_end",
    "end_known_at",
    "reason",
    "description",
    "completion",
    "cancel_reason",
    "accident_at",
    "emergency_alert",
)


def _snapshot(outage, building_ids):
    data = {name: _iso(getattr(outage, name)) for name in SNAPSHOT_FIELDS}
    data["building_ids"] = list(building_ids)
    return data


def _revise(outage, *, action, actor, at, changes, building_ids, known_at=None, note=""):
    delay = _minutes(at, known_at) if known_at is not None else None
    if delay is not None:
        worst = max(delay, outage.end_entry_delay_minutes or 0)
        outage.end_entry_delay_minutes = worst
        outage.end_entry_late = worst > ENTRY_LIMIT_MINUTES
    OutageRevision.objects.create(
        outage=outage,
        number=outage.revision,
        action=action,
        at=at,
        actor=actor,
        actor_org=roles.organization_of(actor) if actor is not None else None,
        changes=changes,
        snapshot=_snapshot(outage, building_ids),
        known_at=known_at,
        entry_delay_minutes=delay,
        note=note,
    )


def _check_known_at(known_at, now, field="end_known_at"):
    if known_at is not None and known_at > now:
        raise ApplicationError(
            _("Момент, с которого известен срок, не может быть в будущем."),
            code="invalid",
            fields={field: [_("Не позже текущего момента.")]},
        )


def _check_in_scope(org, network, resource, building_ids):
    allowed = set(
        perms.buildings_in_scope(organization=org, network=network, resource=resource)
        .filter(id__in=building_ids)
        .values_list("id", flat=True)
    )
    outside = [b for b in building_ids if b not in allowed]
    if outside:
        names = [
            b.short_address for b in Building.objects.filter(id__in=outside[:5]).order_by("id")
        ]
        more = len(outside) - len(names)
        listed = ", ".join(names) + (_(" и ещё %(n)s") % {"n": more} if more > 0 else "")
        raise PermissionDeniedError(
            _("%(org)s не обслуживает эти дома по ресурсу «%(resource)s»: %(list)s.")
            % {"org": org.short_name, "resource": Resource(resource).label, "list": listed},
            code="building_out_of_scope",
        )


def outage_publish(
    *,
    actor,
    kind: str,
    resource: str,
    network: str,
    zone: ZoneSpec,
    reason: str,
    start: dt.datetime | None = None,
    planned_end: dt.datetime | None = None,
    description: str = "",
    completion: str = Completion.AUTO,
    accident_at: dt.datetime | None = None,
    end_known_at: dt.datetime | None = None,
    emergency_alert: bool = False,
) -> Outage:
    """Publish a planned (O1) or emergency (O2) outage and plan its notices (O3)."""
    now = timezone.now()
    _choice(kind, OutageKind, "kind", _("Неизвестный вид отключения."))
    _choice(resource, Resource, "resource", _("Неизвестный коммунальный ресурс."))
    _choice(network, Network, "network", _("Укажите, чьи сети отключаются."))
    _choice(completion, Completion, "completion", _("Неизвестный способ завершения."))
    org = perms.publisher_org(actor, network)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Укажите причину отключения."),
            code="invalid",
            fields={"reason": [_("Обязательное поле.")]},
        )
    emergency = kind == OutageKind.EMERGENCY
    if emergency_alert and not emergency:
        raise ApplicationError(
            _("«Экстренное оповещение» можно отметить только у аварийного отключения."),
            code="alert_not_emergency",
            fields={"emergency_alert": [_("Только для аварийных отключений.")]},
        )
    if emergency:
        if accident_at is None:
            raise ApplicationError(
                _("Укажите время возникновения аварии."),
                code="invalid",
                fields={"accident_at": [_("Обязательное поле.")]},
            )
        if accident_at > now:
            raise ApplicationError(
                _("Время аварии не может быть в будущем."),
                code="invalid",
                fields={"accident_at": [_("Не позже текущего момента.")]},
            )
        start = start or accident_at
        if planned_end is not None:
            end_known_at = end_known_at or now
            _check_known_at(end_known_at, now)
        else:
            end_known_at = None
    else:
        if start is None or planned_end is None:
            raise ApplicationError(
                _("Укажите начало и плановое окончание отключения."),
                code="invalid",
                fields={
                    k: [_("Обязательное поле.")]
                    for k, v in (("start", start), ("planned_end", planned_end))
                    if v is None
                },
            )
        if start <= now:
            raise ApplicationError(
                _("Начало планового отключения уже прошло: укажите будущее время."),
                code="start_in_past",
                fields={"start": [_("Начало должно быть в будущем.")]},
            )
        accident_at = None
        end_known_at = None
    if planned_end is not None and planned_end <= start:
        raise ApplicationError(
            _("Окончание отключения должно быть позже его начала."),
            code="end_before_start",
            fields={"planned_end": [_("Позже начала.")]},
        )
    building_ids = resolve_zone(zone)
    _check_in_scope(org, network, resource, building_ids)

    notice_days = min_notice_days(network)
    with transaction.atomic():
        outage = Outage.objects.create(
            kind=kind,
            resource=resource,
            network=network,
            organization=org,
            created_by=actor,
            start=start,
            planned_end=planned_end,
            end_known_at=end_known_at,
            reason=reason,
            description=(description or "").strip(),
            completion=completion,
            accident_at=accident_at,
            emergency_alert=bool(emergency_alert),
            published_at=now,
            min_notice_days=notice_days,
            is_late=(not emergency) and (start - now) < dt.timedelta(days=notice_days),
            publication_delay_minutes=_minutes(now, accident_at) if emergency else None,
            building_count=len(building_ids),
        )
        OutageBuilding.objects.bulk_create(
            [OutageBuilding(outage=outage, building_id=b) for b in building_ids], batch_size=2000
        )
        _revise(
            outage,
            action=RevisionAction.PUBLISHED,
            actor=actor,
            at=now,
            changes={},
            building_ids=building_ids,
            known_at=end_known_at,
        )
        if end_known_at is not None:
            outage.save(update_fields=["end_entry_delay_minutes", "end_entry_late"])
        notify.send(
            outage,
            schedule.on_publish(start=outage.start, now=now, emergency=emergency),
            notify.recipient_ids(building_ids=building_ids),
        )
    return outage


def _lock(outage) -> Outage:
    return Outage.objects.select_for_update().select_related("organization").get(pk=outage.pk)


def _require_published(outage):
    if outage.status != OutageStatus.PUBLISHED:
        raise ApplicationError(
            _("Отключение уже %(status)s: изменить его нельзя.")
            % {"status": outage.get_status_display().lower()},
            code="invalid_status",
            status_code=409,
        )


def outage_refine(
    *,
    actor,
    outage: Outage,
    start=_UNSET,
    planned_end=_UNSET,
    end_known_at: dt.datetime | None = None,
    reason=_UNSET,
    description=_UNSET,
    zone: ZoneSpec | None = None,
    emergency_alert=_UNSET,
) -> Outage:
    """Refine or change an outage: times, zone, text (O1, O2). A change of times is announced
    and the pending reminders are re-planned (O3); a grown zone tells its new residents."""
    now = timezone.now()
    perms.check_responsible(actor, outage)
    with transaction.atomic():
        outage = _lock(outage)
        _require_published(outage)
        changes = {}

        def change(field, value):
            old = getattr(outage, field)
            if value is not _UNSET and value != old:
                changes[field] = [_iso(old), _iso(value)]
                setattr(outage, field, value)

        for field, value in (("reason", reason), ("description", description)):
            if value is not _UNSET:
                value = (value or "").strip()
                if field == "reason" and not value:
                    raise ApplicationError(
                        _("Причина отключения не может быть пустой."),
                        code="invalid",
                        fields={"reason": [_("Обязательное поле.")]},
                    )
                change(field, value)
        if start is not _UNSET and start is None:
            raise ApplicationError(
                _("Начало отключения обязательно."),
                code="invalid",
                fields={"start": [_("Обязательное поле.")]},
            )
        if planned_end is _UNSET and not outage.is_emergency:
            pass
        elif planned_end is None and not outage.is_emergency:
            raise ApplicationError(
                _("Плановое окончание обязательно."),
                code="invalid",
                fields={"planned_end": [_("Обязательное поле.")]},
            )
        change("start", start)
        change("planned_end", planned_end)
        new_start, new_end = outage.start, outage.planned_end
        if new_end is not None and new_end <= new_start:
            raise ApplicationError(
                _("Окончание отключения должно быть позже его начала."),
                code="end_before_start",
                fields={"planned_end": [_("Позже начала.")]},
            )
        if emergency_alert is not _UNSET:
            if emergency_alert and not outage.is_emergency:
                raise ApplicationError(
                    _("«Экстренное оповещение» можно отметить только у аварийного отключения."),
                    code="alert_not_emergency",
                    fields={"emergency_alert": [_("Только для аварийных отключений.")]},
                )
            change("emergency_alert", bool(emergency_alert))

        old_ids = list(
            OutageBuilding.objects.filter(outage=outage)
            .order_by("building_id")
            .values_list("building_id", flat=True)
        )
        new_ids = old_ids
        if zone is not None:
            new_ids = resolve_zone(zone)
            added = sorted(set(new_ids) - set(old_ids))
            _check_in_scope(outage.organization, outage.network, outage.resource, added)
            removed = sorted(set(old_ids) - set(new_ids))
            if added or removed:
                changes["zone"] = {"added": added, "removed": removed}
        if not changes:
            raise ApplicationError(
                _("Изменений нет: поменяйте сроки, зону или описание."), code="no_changes"
            )

        times_changed = "start" in changes or "planned_end" in changes
        known_at = None
        if "planned_end" in changes:
            known_at = end_known_at or now
            _check_known_at(known_at, now)
            outage.end_known_at = known_at
        outage.revision += 1
        old_recipients = notify.recipient_ids(building_ids=old_ids) if "zone" in changes else None
        if "zone" in changes:
            OutageBuilding.objects.filter(
                outage=outage, building_id__in=changes["zone"]["removed"]
            ).delete()
            OutageBuilding.objects.bulk_create(
                [OutageBuilding(outage=outage, building_id=b) for b in changes["zone"]["added"]],
                batch_size=2000,
            )
            outage.building_count = len(new_ids)
        _revise(
            outage,
            action=RevisionAction.REFINED,
            actor=actor,
            at=now,
            changes=changes,
            building_ids=new_ids,
            known_at=known_at,
        )
        outage.save()

        recipients = notify.recipient_ids(building_ids=new_ids)
        if times_changed or "zone" in changes:
            # The reminders of the old times/zone go; the new ones carry this revision.
            notify.cancel_pending(outage, kinds=schedule.REMINDER_KINDS)
        if times_changed:
            notify.send(
                outage,
                schedule.on_times_changed(start=outage.start, now=now, revision=outage.revision),
                recipients,
            )
        elif "zone" in changes:
            notify.send(
                outage,
                schedule.reminders_after(start=outage.start, now=now, revision=outage.revision),
                recipients,
            )
        if "zone" in changes:
            added_people = sorted(set(recipients) - set(old_recipients))
            notify.send(outage, schedule.on_zone_added(now=now), added_people)
    return outage


def _complete(outage, *, actor, actual_end, known_at, now, action):
    changes = {"status": [outage.status, OutageStatus.COMPLETED]}
    if actual_end != outage.actual_end:
        changes["actual_end"] = [_iso(outage.actual_end), _iso(actual_end)]
    outage.status = OutageStatus.COMPLETED
    outage.actual_end = actual_end
    outage.completed_at = now
    if known_at is not None:
        outage.end_known_at = known_at
    outage.revision += 1
    ids = list(OutageBuilding.objects.filter(outage=outage).values_list("building_id", flat=True))
    _revise(
        outage,
        action=action,
        actor=actor,
        at=now,
        changes=changes,
        building_ids=sorted(ids),
        known_at=known_at,
    )
    outage.save()
    notify.cancel_pending(outage)
    notify.send(
        outage,
        schedule.on_complete(now=now, notify=notify.notify_completion()),
        notify.recipient_ids(building_ids=ids),
    )
    return outage


def outage_complete(
    *,
    actor,
    outage: Outage,
    actual_end: dt.datetime | None = None,
    known_at: dt.datetime | None = None,
) -> Outage:
    """Manual completion: the actual end, entered within 1 hour of being known (O1, O4)."""
    now = timezone.now()
    perms.check_responsible(actor, outage)
    actual_end = actual_end or now
    known_at = known_at or now
    _check_known_at(known_at, now, "known_at")
    with transaction.atomic():
        outage = _lock(outage)
        _require_published(outage)
        if outage.start > now:
            raise ApplicationError(
                _("Отключение ещё не началось: завершить его нельзя, его можно отменить."),
                code="not_started",
                status_code=409,
            )
        if actual_end > now or actual_end <= outage.start:
            raise ApplicationError(
                _("Фактическое окончание должно быть после начала и не позже текущего момента."),
                code="invalid",
                fields={"actual_end": [_("Между началом отключения и текущим моментом.")]},
            )
        return _complete(
            outage,
            actor=actor,
            actual_end=actual_end,
            known_at=known_at,
            now=now,
            action=RevisionAction.COMPLETED,
        )


def outage_auto_complete(*, outage: Outage) -> Outage | None:
    """Completion at the planned end for outages created with automatic completion (O4)."""
    now = timezone.now()
    with transaction.atomic():
        outage = _lock(outage)
        if (
            outage.status != OutageStatus.PUBLISHED
            or outage.completion != Completion.AUTO
            or outage.planned_end is None
            or outage.planned_end > now
        ):
            return None
        return _complete(
            outage,
            actor=None,
            actual_end=outage.planned_end,
            known_at=None,
            now=now,
            action=RevisionAction.AUTO_COMPLETED,
        )


def outage_cancel(*, actor, outage: Outage, reason: str) -> Outage:
    """Cancel with a reason: pending notices are cancelled; residents who already heard of the
    outage are told it is cancelled (O3)."""
    now = timezone.now()
    perms.check_responsible(actor, outage)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Укажите причину отмены отключения."),
            code="invalid",
            fields={"reason": [_("Обязательное поле.")]},
        )
    with transaction.atomic():
        outage = _lock(outage)
        _require_published(outage)
        outage.status = OutageStatus.CANCELLED
        outage.cancel_reason = reason
        outage.revision += 1
        ids = list(
            OutageBuilding.objects.filter(outage=outage).values_list("building_id", flat=True)
        )
        _revise(
            outage,
            action=RevisionAction.CANCELLED,
            actor=actor,
            at=now,
            changes={"status": [OutageStatus.PUBLISHED, OutageStatus.CANCELLED]},
            building_ids=sorted(ids),
            note=reason,
        )
        outage.save()
        told = notify.residents_were_told(outage)
        notify.cancel_pending(outage)
        notify.send(
            outage,
            schedule.on_cancel(now=now, residents_were_told=told),
            notify.recipient_ids(building_ids=ids),
        )
    return outage


# --- Favourite addresses (O6, regulation 004) -----------------------------------------------

MAX_FAVOURITES = 20


def favourite_add(*, user, building_id, label=FavouriteLabel.HOME, title="") -> FavouriteAddress:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDeniedError()
    _choice(label, FavouriteLabel, "label", _("Неизвестная метка адреса."))
    building = Building.objects.filter(pk=building_id).first()
    if building is None:
        raise ApplicationError(
            _("Дом не найден."), code="invalid", fields={"building": [_("Выберите дом.")]}
        )
    with transaction.atomic():
        count = FavouriteAddress.objects.select_for_update().filter(user=user).count()
        if count >= MAX_FAVOURITES:
            raise ApplicationError(
                _("Можно сохранить не более %(n)s адресов.") % {"n": MAX_FAVOURITES},
                code="too_many",
            )
        try:
            with transaction.atomic():
                return FavouriteAddress.objects.create(
                    user=user, building=building, label=label, title=(title or "").strip()[:100]
                )
        except IntegrityError:
            raise ApplicationError(
                _("Адрес «%(address)s» уже в избранном.") % {"address": building.address},
                code="duplicate",
                fields={"building": [_("Уже добавлен.")]},
            ) from None


def favourite_remove(*, user, favourite_id) -> None:
    with transaction.atomic():
        deleted, _rows = FavouriteAddress.objects.filter(pk=favourite_id, user=user).delete()
    if not deleted:
        raise ApplicationError(
            _("Адрес не найден в вашем избранном."), code="not_found", status_code=404
        )
