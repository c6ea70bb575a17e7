"""When residents hear about an outage (O3, regulation 000 sections 1–2): ONE table.

Regulation 000 §1: a notice «при опубликовании события (если до начала отключения остается
более 5 дней)»; «за 5 календарных дней и за сутки до начала»; §1, §2: a notice on every change
of the restoration terms («для дополнительного оповещения»); our addition (a setting): a notice
on completion. Quiet hours (22:00–08:00) are the notification engine's job; an emergency outage
marked «Экстренное оповещение» passes ``emergency=True`` and ignores them.

Decisions (see the final report / docs/decisions.md):
- Both the publication notice and the 5-day reminder are sent when the publication comes
  5 days and 1 minute before the start: the regulation names them as two notices.
- Exactly 5 days before: no publication notice («более 5 дней» is strict); the 5-day reminder
  is due at once (its moment is now, not passed).
- A late publication (less than 5 days ahead, issue 11): a reminder whose moment has already
  passed is NOT queued (a «5-day» notice three days ahead lies); instead the publication
  notice goes at once and states the real interval to the start (``notify``), and the later
  reminders come at their moments. Never two notices at the same moment.
- An emergency outage is announced on publication whatever the time to its start.
- On a change of times, the pending reminders are cancelled and re-planned for the new start
  (dedup keys carry the revision), plus one «times changed» notice; reminders whose moment has
  passed are not caught up (the change notice says the new times).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Reminder:
    name: str  # the dedup part and the notice kind suffix
    before_start: dt.timedelta


@dataclass(frozen=True)
class Planned:
    """One notice to every recipient: its kind, due moment and dedup part."""

    kind: str
    due_at: dt.datetime
    key: str


PUBLISHED = "outage.published"
TIMES_CHANGED = "outage.times_changed"
COMPLETED = "outage.completed"
CANCELLED = "outage.cancelled"

# «При опубликовании события, если до начала остается более 5 дней».
ANNOUNCE_IF_MORE_THAN = dt.timedelta(days=5)
# «За 5 календарных дней и за сутки до начала отключения».
REMINDERS = (
    Reminder("start_5d", dt.timedelta(days=5)),
    Reminder("start_1d", dt.timedelta(days=1)),
)


def reminder_kind(reminder: Reminder) -> str:
    return f"outage.reminder_{reminder.name.removeprefix('start_')}"


REMINDER_KINDS = tuple(reminder_kind(r) for r in REMINDERS)

# What each notice is, as the outage card's delivery table names it (issue 12: «В очереди 38»
# said nothing of which reminder and when).
KIND_LABELS = {
    PUBLISHED: _("О публикации"),
    reminder_kind(REMINDERS[0]): _("Напоминание за 5 дней до начала"),
    reminder_kind(REMINDERS[1]): _("Напоминание за сутки до начала"),
    TIMES_CHANGED: _("Об изменении сроков"),
    COMPLETED: _("О восстановлении подачи"),
    CANCELLED: _("Об отмене"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def on_publish(*, start: dt.datetime, now: dt.datetime, emergency: bool) -> list[Planned]:
    """The notices an outage gets when it is published at ``now``: reminders whose moment has
    passed are not queued; the publication notice goes at once unless a reminder is due at
    this very moment (O3, issue 11)."""
    reminders = _reminders(start=start, now=now, revision=1) if start > now else []
    planned: list[Planned] = list(reminders)
    reminder_now = any(p.due_at == now for p in reminders)
    regular = start - now > ANNOUNCE_IF_MORE_THAN
    if emergency or regular or (start > now and not reminder_now):
        planned.append(Planned(PUBLISHED, now, "published"))
    return sorted(planned, key=lambda p: p.due_at)


def on_times_changed(*, start: dt.datetime, now: dt.datetime, revision: int) -> list[Planned]:
    """The notices after a change of the start or the end (the pending ones are cancelled)."""
    planned = [Planned(TIMES_CHANGED, now, f"r{revision}:times")]
    if start > now:
        planned += _reminders(start=start, now=now, revision=revision)
    return planned


def reminders_after(*, start: dt.datetime, now: dt.datetime, revision: int) -> list[Planned]:
    """The reminders re-planned after a change of the zone (times unchanged)."""
    return _reminders(start=start, now=now, revision=revision) if start > now else []


def on_zone_added(*, now: dt.datetime) -> list[Planned]:
    """Residents of buildings added to the zone get the publication notice at once (its dedup
    key is the publication's, so nobody gets it twice)."""
    return [Planned(PUBLISHED, now, "published")]


def on_complete(*, now: dt.datetime, notify: bool) -> list[Planned]:
    return [Planned(COMPLETED, now, "completed")] if notify else []


def on_cancel(*, now: dt.datetime, residents_were_told: bool) -> list[Planned]:
    """A cancelled outage: pending notices are cancelled; the residents hear of the
    cancellation only if some notice about the outage already reached them."""
    return [Planned(CANCELLED, now, "cancelled")] if residents_were_told else []


def _reminders(*, start, now, revision) -> list[Planned]:
    return [
        Planned(reminder_kind(r), start - r.before_start, f"r{revision}:{r.name}")
        for r in REMINDERS
        if start - r.before_start >= now
    ]
