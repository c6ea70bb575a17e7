"""Statistics of an organisation's requests for the staff page and its XLSX export (R18):
counts by status, topic, building and period, the on-time share, the average time to accept
and to close — a handful of grouped queries, none per row."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core import exports
from domovoy.directory.models import Organization

from . import deadlines, selectors
from .models import (
    DURATION_BUCKET_EDGES,
    DURATION_BUCKETS,
    RequestDayStat,
    RequestEvent,
    ServiceRequest,
    StatsRollupCursor,
    Topic,
)
from .workflow import OPEN_STATUSES, Action, Status


def _duration(end, start):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _hours(value):
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def _share(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _row_aggregates():
    return {
        "total": Count("id"),
        "completed": Count("id", filter=selectors.completed_q()),
        "done": Count("id", filter=Q(done_at__isnull=False)),
        "on_time": Count("id", filter=Q(done_at__isnull=False, done_at__lte=F("deadline_at"))),
        "rejected": Count("id", filter=Q(status=Status.REJECTED)),
        "open": Count("id", filter=Q(status__in=sorted(OPEN_STATUSES))),
    }


def statistics(*, organization, date_from, date_to, now=None, territory=None) -> dict:
    """R18: counts of the organisation's requests filed in the period by status, topic,
    building and day or month; the on-time share (done by the deadline, of those done); the
    average time to accept and to close. A handful of grouped queries, none per row."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    qs = ServiceRequest.objects.filter(created_at__gte=start, created_at__lt=end)
    if territory is not None:
        qs = qs.filter(building__territory__path__startswith=territory.path)
    returns = RequestEvent.objects.filter(action=Action.RETURN_TO_UO, request__in=qs)
    if organization is not None:
        # R6 (U 3.5.2г, G 3.4.2): a request a supplier or contractor returned to the UO stays
        # in that supplier's statistics, and its return counts there as well as at the UO's.
        returned_by = returns.filter(actor_org=organization)
        qs = qs.filter(
            Q(executor_org=organization)
            | Q(origin_org=organization)
            | Q(pk__in=returned_by.values("request_id"))
        )
    summary = qs.aggregate(
        **_row_aggregates(),
        overdue_open=Count("id", filter=deadlines.overdue_q(now)),
        late_crew=Count("id", filter=Q(crew_dispatch_late=True)),
        emergency=Count("id", filter=Q(is_emergency=True)),
        obscene=Count("id", filter=Q(has_obscene=True)),
        avg_accept=Avg(_duration("accepted_at", "created_at"), filter=Q(accepted_at__isnull=False)),
        avg_close=Avg(_duration("closed_at", "created_at"), filter=Q(status=Status.CLOSED)),
        avg_rating=Avg("rating"),
    )
    if organization is None:
        summary["returned_to_uo"] = returns.count()
    else:
        # Returns made by the organisation, plus returns to it (the UO that got them back).
        # (Rows written before the receiving UO was recorded: the request's executor now.)
        summary["returned_to_uo"] = returns.filter(
            Q(actor_org=organization)
            | Q(data__returned_to_org_id=organization.pk)
            | (~Q(data__has_key="returned_to_org_id") & Q(request__executor_org=organization))
        ).count()
    by_status_rows = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    by_status = [(Status(code).label, by_status_rows.get(code, 0)) for code in Status.values]
    by_topic = list(
        qs.values("topic_id", "topic__name", "topic__parent__name")
        .annotate(**_row_aggregates())
        .order_by("-total", "topic__name")[:200]
    )
    by_building = list(
        qs.values(
            "building_id",
            "building__street",
            "building__house",
            "building__block",
            "building__house_sort",
        )
        .annotate(**_row_aggregates())
        .order_by("-total", "building__street", "building__house_sort")[:200]
    )
    monthly = (date_to - date_from).days > 62
    trunc = TruncMonth("created_at", tzinfo=tz) if monthly else TruncDate("created_at", tzinfo=tz)
    by_period = list(
        qs.annotate(period=trunc).values("period").annotate(**_row_aggregates()).order_by("period")
    )
    for row in by_topic + by_building + by_period:
        row["on_time_share"] = _share(row["on_time"], row["done"])
    for row in by_topic:
        parent = row["topic__parent__name"]
        row["label"] = f"{parent} / {row['topic__name']}" if parent else row["topic__name"]
    for row in by_building:
        row["label"] = f"{row['building__street']}, {row['building__house']}" + (
            f"к{row['building__block']}" if row["building__block"] else ""
        )
    for row in by_period:
        period = row["period"]
        if isinstance(period, dt.datetime):
            period = timezone.localtime(period).date() if timezone.is_aware(period) else period
        row["label"] = period.strftime("%m.%Y" if monthly else "%d.%m.%Y") if period else "—"
    summary.update(
        {
            "on_time_share": _share(summary["on_time"], summary["done"]),
            "avg_accept_hours": _hours(summary["avg_accept"]),
            "avg_close_hours": _hours(summary["avg_close"]),
            "avg_rating": round(summary["avg_rating"], 2) if summary["avg_rating"] else None,
        }
    )
    return {
        "summary": summary,
        "by_status": by_status,
        "by_topic": by_topic,
        "by_building": by_building,
        "by_period": by_period,
        "monthly": monthly,
    }


def statistics_sheets(stats) -> list[exports.Sheet]:
    """The statistics as worksheets for ``core.exports`` (R18)."""
    summary = stats["summary"]
    org = stats.get("organization")
    rows = [
        (_("Организация"), str(org) if org else _("все организации территории")),
        (_("Период"), f"{stats['date_from']:%d.%m.%Y} — {stats['date_to']:%d.%m.%Y}"),
        (_("Всего заявок"), summary["total"]),
        (_("Выполнено"), summary["completed"]),
        (_("Отклонено"), summary["rejected"]),
        (_("В работе"), summary["open"]),
        (_("Просрочено (в работе)"), summary["overdue_open"]),
        (_("Доля выполненных в срок, %"), summary["on_time_share"]),
        (_("Среднее время принятия, ч"), summary["avg_accept_hours"]),
        (_("Среднее время закрытия, ч"), summary["avg_close_hours"]),
        (_("Медиана времени принятия, ч"), summary.get("median_accept_hours")),
        (_("Медиана времени закрытия, ч"), summary.get("median_close_hours")),
        (_("Возвращено в УО"), summary["returned_to_uo"]),
        (_("Бригада направлена с опозданием"), summary["late_crew"]),
        (_("Аварийных"), summary["emergency"]),
        (_("С нецензурной лексикой"), summary["obscene"]),
        (_("Средняя оценка"), summary["avg_rating"]),
        (_("Оценок"), summary.get("rated")),
        (_("Удовлетворены (оценка 4–5), %"), summary.get("satisfied_share")),
        (_("Не удовлетворены (оценка 1–2)"), summary.get("dissatisfied")),
    ]
    sheets = [
        exports.Sheet(title=_("Сводка"), rows=rows, widths={0: 45, 1: 18}),
        exports.Sheet(
            title=_("По статусам"),
            header=[_("Статус"), _("Заявок")],
            rows=stats["by_status"],
            widths={0: 30},
        ),
    ]
    headers = [_("Всего"), _("Выполнено"), _("В срок, %"), _("Отклонено"), _("В работе")]
    for title, key, first in (
        (_("По темам"), "by_topic", _("Тема")),
        (_("По домам"), "by_building", _("Дом")),
        (_("По периодам"), "by_period", _("Месяц") if stats["monthly"] else _("День")),
    ):
        sheets.append(
            exports.Sheet(
                title=title,
                header=[first, *headers],
                rows=[
                    (
                        str(row["label"]),
                        row["total"],
                        row["completed"],
                        row["on_time_share"],
                        row["rejected"],
                        row["open"],
                    )
                    for row in stats[key]
                ],
                widths={0: 45},
            )
        )
    if stats.get("by_org"):
        sheets.append(
            exports.Sheet(
                title=_("По организациям"),
                header=[
                    _("Организация"),
                    _("Всего"),
                    _("Выполнено"),
                    _("В срок, %"),
                    _("Возвратов в УО"),
                    _("Принятие, среднее, ч"),
                    _("Принятие, медиана, ч"),
                    _("Закрытие, среднее, ч"),
                    _("Закрытие, медиана, ч"),
                    _("Средняя оценка"),
                    _("Удовлетворены, %"),
                ],
                rows=[
                    (
                        str(row["label"]),
                        row["total"],
                        row["completed"],
                        row["on_time_share"],
                        row["returns_made"],
                        row["avg_accept_hours"],
                        row["median_accept_hours"],
                        row["avg_close_hours"],
                        row["median_close_hours"],
                        row["avg_rating"],
                        row["satisfied_share"],
                    )
                    for row in stats["by_org"]
                ],
                widths={0: 45},
            )
        )
    return sheets


def statistics_xlsx_response(stats, *, filename):
    return exports.xlsx_response(statistics_sheets(stats), filename=filename)


# --- Daily rollups (R18) -----------------------------------------------------------------------
#
# The statistics page and API read ``RequestDayStat`` rows only, so the control body's page over
# millions of requests sums a few thousand rows. A request belongs to the day it was filed (its
# cohort, the same period rule as above); any change to it (``updated_at``) marks that day, and
# the worker recomputes the marked days from the requests (``refresh_rollups``).

ROLLUP_CURSOR = "requests"
# A transaction that stamped ``updated_at`` before the last run but committed after it is
# still seen: the next run looks this far back.
ROLLUP_OVERLAP = dt.timedelta(minutes=10)

STATUS_COLUMNS = [f"st_{code}" for code in Status.values]
ACCEPT_BUCKETS = [f"accept_b{i}" for i in range(DURATION_BUCKETS)]
CLOSE_BUCKETS = [f"close_b{i}" for i in range(DURATION_BUCKETS)]
COUNTERS = (
    "received accepted completed done on_time closed emergency obscene late_crew returns_made "
    "returns_received accept_minutes close_minutes rated rating_sum satisfied dissatisfied"
).split()


def bucket_of(minutes: float) -> int:
    for index, edge in enumerate(DURATION_BUCKET_EDGES):
        if minutes < edge:
            return index
    return len(DURATION_BUCKET_EDGES)


def bucket_median(counts) -> float | None:
    """The median (minutes) of a histogram over ``DURATION_BUCKET_EDGES``: the bucket holding
    the middle value, linearly interpolated inside it (the open last bucket gives its lower
    edge). Exact to within that bucket's width."""
    total = sum(counts)
    if not total:
        return None
    middle = total / 2
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= middle:
            low = DURATION_BUCKET_EDGES[index - 1] if index else 0
            if index == len(DURATION_BUCKET_EDGES):
                return float(low)
            high = DURATION_BUCKET_EDGES[index]
            return low + (high - low) * (middle - seen) / count
        seen += count
    return None


def durations_median(minutes) -> float | None:
    """``bucket_median`` of a plain list of durations (the direct computation)."""
    counts = [0] * DURATION_BUCKETS
    for value in minutes:
        counts[bucket_of(value)] += 1
    return bucket_median(counts)


def _minutes(end, start):
    return max((end - start).total_seconds() / 60, 0)


def _day_bounds(day):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def rollup_day(day: dt.date) -> int:
    """Recompute the rollup rows of requests filed on ``day`` (local date); returns the
    number of rows written. One query for the requests, one for their returns."""
    start, end = _day_bounds(day)
    rows = ServiceRequest.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "id",
        "executor_org_id",
        "topic_id",
        "building__territory_id",
        "status",
        "withdraw_reason",
        "created_at",
        "accepted_at",
        "done_at",
        "deadline_at",
        "closed_at",
        "is_emergency",
        "has_obscene",
        "crew_dispatch_late",
        "rating",
    )
    cells: dict[tuple, RequestDayStat] = {}

    def cell(org_id, topic_id, territory_id):
        key = (org_id, topic_id, territory_id)
        if key not in cells:
            cells[key] = RequestDayStat(
                day=day, organization_id=org_id, topic_id=topic_id, territory_id=territory_id
            )
        return cells[key]

    from .workflow import WithdrawReason

    place = {}
    for (pk, org, topic, territory, status, withdraw, created, accepted, done, deadline,
         closed, emergency, obscene, late_crew, rating) in rows:  # fmt: skip
        place[pk] = (org, topic, territory)
        c = cell(org, topic, territory)
        c.received += 1
        setattr(c, f"st_{status}", getattr(c, f"st_{status}") + 1)
        c.completed += status in (Status.DONE, Status.CLOSED) or (
            status == Status.WITHDRAWN and withdraw == WithdrawReason.ALREADY_DONE
        )
        c.emergency += emergency
        c.obscene += obscene
        c.late_crew += late_crew
        if accepted is not None:
            minutes = _minutes(accepted, created)
            c.accepted += 1
            c.accept_minutes += round(minutes)
            name = ACCEPT_BUCKETS[bucket_of(minutes)]
            setattr(c, name, getattr(c, name) + 1)
        if done is not None:
            c.done += 1
            c.on_time += done <= deadline
        if status == Status.CLOSED and closed is not None:
            minutes = _minutes(closed, created)
            c.closed += 1
            c.close_minutes += round(minutes)
            name = CLOSE_BUCKETS[bucket_of(minutes)]
            setattr(c, name, getattr(c, name) + 1)
        if rating is not None:
            c.rated += 1
            c.rating_sum += rating
            c.satisfied += rating >= 4
            c.dissatisfied += rating <= 2
    returns = RequestEvent.objects.filter(
        action=Action.RETURN_TO_UO, request__created_at__gte=start, request__created_at__lt=end
    ).values_list("request_id", "actor_org_id", "data")
    for request_id, actor_org, data in returns:
        org, topic, territory = place[request_id]
        if actor_org is not None:  # the returning organisation's row (made if need be)
            cell(actor_org, topic, territory).returns_made += 1
        to_org = (data or {}).get("returned_to_org_id") or org
        cell(to_org, topic, territory).returns_received += 1
    with transaction.atomic():
        RequestDayStat.objects.filter(day=day, is_month=False).delete()
        RequestDayStat.objects.bulk_create(cells.values(), batch_size=500)
    return len(cells)


def rollup_month(month: dt.date) -> int:
    """Recompute the month rows of ``month`` (its first day) as sums of its day rows."""
    month = month.replace(day=1)
    end = _month_end(month)
    sums = (
        RequestDayStat.objects.filter(is_month=False, day__gte=month, day__lte=end)
        .values("organization_id", "topic_id", "territory_id")
        .annotate(**_sums(ALL_COLUMNS))
        .order_by()
    )
    rows = [RequestDayStat(day=month, is_month=True, **_renamed(row)) for row in sums]
    with transaction.atomic():
        RequestDayStat.objects.filter(day=month, is_month=True).delete()
        RequestDayStat.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def rollup_days(days) -> int:
    days = sorted(set(days))
    written = sum(rollup_day(day) for day in days)
    return written + sum(rollup_month(month) for month in sorted({d.replace(day=1) for d in days}))


def rebuild_period(date_from: dt.date, date_to: dt.date) -> int:
    """Recompute every day of the period (``manage.py rebuild_statistics``)."""
    days = (date_from + dt.timedelta(days=n) for n in range((date_to - date_from).days + 1))
    return rollup_days(days)


def refresh_rollups(now=None) -> list[dt.date]:
    """The worker's step: recompute the cohort days of the requests changed since the last
    run (all days on the first run); returns the days recomputed."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor, _created = StatsRollupCursor.objects.select_for_update().get_or_create(
            key=ROLLUP_CURSOR
        )
        requests = ServiceRequest.objects.all()
        if cursor.last_run_at is not None:
            requests = requests.filter(updated_at__gte=cursor.last_run_at - ROLLUP_OVERLAP)
        days = list(requests.dates("created_at", "day"))
        rollup_days(days)
        cursor.last_run_at = now
        cursor.save(update_fields=["last_run_at"])
    return days


# --- Reading the rollups: the page, the XLSX and the API (R18) --------------------------------


def _sums(names):
    # Aliases may not repeat the column names: ``sum_<column>``, renamed back by ``_renamed``.
    return {f"sum_{name}": Sum(name, default=0) for name in names}


ALL_COLUMNS = (*COUNTERS, *STATUS_COLUMNS, *ACCEPT_BUCKETS, *CLOSE_BUCKETS)
# The per-period rows feed the table and the chart only: no histograms, no statuses.
PERIOD_COLUMNS = (
    "received",
    "completed",
    "done",
    "on_time",
    "st_rejected",
    *(f"st_{code}" for code in sorted(OPEN_STATUSES)),
)


def _renamed(row):
    for key in [key for key in row if key.startswith("sum_")]:
        row[key.removeprefix("sum_")] = row.pop(key)
    return row


def _add(total, row):
    for name in ALL_COLUMNS:
        total[name] = total.get(name, 0) + row[name]
    return total


def _finish(row, *, organization=None):
    """Derived figures of a summed rollup row (in place): shares, means and medians in hours,
    the mean rating and the satisfied share; the histogram columns are dropped."""
    accept = [row.pop(name) for name in ACCEPT_BUCKETS]
    close = [row.pop(name) for name in CLOSE_BUCKETS]
    row["open"] = sum(row[f"st_{code}"] for code in OPEN_STATUSES)
    row["rejected"] = row["st_rejected"]
    median_accept, median_close = bucket_median(accept), bucket_median(close)
    row["total"] = row["received"]
    row["on_time_share"] = _share(row["on_time"], row["done"])
    row["avg_accept_hours"] = (
        round(row["accept_minutes"] / row["accepted"] / 60, 1) if row["accepted"] else None
    )
    row["avg_close_hours"] = (
        round(row["close_minutes"] / row["closed"] / 60, 1) if row["closed"] else None
    )
    row["median_accept_hours"] = round(median_accept / 60, 1) if median_accept is not None else None
    row["median_close_hours"] = round(median_close / 60, 1) if median_close is not None else None
    row["avg_rating"] = round(row["rating_sum"] / row["rated"], 2) if row["rated"] else None
    row["satisfied_share"] = _share(row["satisfied"], row["rated"])
    # An organisation's returns: those it made (a supplier's) plus those made to it (a UO's).
    row["returned_to_uo"] = row["returns_made"] + (
        row["returns_received"] if organization is not None else 0
    )
    return row


def statistics_scope(user):
    """Whose statistics ``user`` reads (``servicedesk.view_statistics`` already checked):
    (own organisation, None, None) for an executing organisation's staff — its own only; for
    a control body or an operator (None, the organisations it may pick, its territory or
    None) — any organisation of its territory, or the whole territory."""
    from domovoy.directory import roles
    from domovoy.directory.models import OrgKind
    from domovoy.directory.selectors import organization_visible

    if user.has_perm("servicedesk.use_queue"):
        return roles.organization_of(user), None, None
    choices = organization_visible(viewer=user).filter(
        kinds__kind__in=(OrgKind.UO, OrgKind.RSO, OrgKind.CONTRACTOR)
    )
    scope = roles.territory_scope(user)
    if scope is not None:
        choices = choices.filter(territory__path__startswith=scope.path)
    return None, choices.distinct(), scope


def period_q(date_from: dt.date, date_to: dt.date) -> Q:
    """The rollup rows covering [date_from, date_to] once: month rows for the whole months
    inside it, day rows for the days before and after them."""
    first = date_from if date_from.day == 1 else _month_end(date_from) + dt.timedelta(days=1)
    last = date_to.replace(day=1) if date_to == _month_end(date_to) else None
    if last is None:
        last = date_to.replace(day=1) - dt.timedelta(days=1)  # the month before date_to's
        last = last.replace(day=1)
    if first > last:
        return Q(is_month=False, day__gte=date_from, day__lte=date_to)
    return (
        Q(is_month=True, day__gte=first, day__lte=last)
        | Q(is_month=False, day__gte=date_from, day__lt=first)
        | Q(is_month=False, day__gt=_month_end(last), day__lte=date_to)
    )


def rollup_scope(*, organization=None, date_from, date_to, territory=None, days_only=False):
    """The rollup rows of the period (``days_only``: day rows, for a breakdown by day)."""
    if days_only:
        qs = RequestDayStat.objects.filter(is_month=False, day__gte=date_from, day__lte=date_to)
    else:
        qs = RequestDayStat.objects.filter(period_q(date_from, date_to))
    if territory is not None:
        qs = qs.filter(territory__path__startswith=territory.path)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs


def rollup_statistics(*, organization, date_from, date_to, now=None, territory=None) -> dict:
    """R18 from the daily rollups: the organisation's (or, with ``organization`` None, every
    organisation's of ``territory``) requests filed in the period — summary, by status, topic,
    organisation (with per-supplier returns) and day or month, with on-time share, mean and
    median time to accept and to close, satisfaction. Five grouped queries over rollup rows;
    for a single organisation also the live overdue count and the per-building table (its own
    requests, by the indexed executor column)."""
    now = now or timezone.now()
    qs = rollup_scope(
        organization=organization, date_from=date_from, date_to=date_to, territory=territory
    ).order_by()
    # One pass over the rollup rows grouped by organisation × topic (a territory has hundreds
    # of organisations and topics at most); the summary, the counts by status and the rows per
    # organisation and per topic are sums of these groups. A second pass gives the periods.
    cells = list(qs.values("organization_id", "topic_id").annotate(**_sums(ALL_COLUMNS)).order_by())
    total = dict.fromkeys(ALL_COLUMNS, 0)
    per_org: dict[int, dict] = {}
    per_topic: dict[int, dict] = {}
    for cell in cells:
        cell = _renamed(cell)
        _add(total, cell)
        _add(per_org.setdefault(cell["organization_id"], {}), cell)
        _add(per_topic.setdefault(cell["topic_id"], {}), cell)
    by_status = [(Status(code).label, total[f"st_{code}"]) for code in Status.values]
    summary = _finish(total, organization=organization)
    org_names = dict(Organization.objects.filter(pk__in=per_org).values_list("pk", "short_name"))
    by_org = []
    for org_id, row in per_org.items():
        row = _finish(row, organization=organization)
        row.update(organization_id=org_id, label=org_names.get(org_id, ""))
        by_org.append(row)
    by_org.sort(key=lambda row: (-row["received"], row["label"]))
    topics = Topic.objects.filter(pk__in=per_topic).select_related("parent")
    topic_labels = {topic.pk: str(topic) for topic in topics}
    by_topic = []
    for topic_id, row in per_topic.items():
        row = _finish(row, organization=organization)
        row.update(topic_id=topic_id, label=topic_labels.get(topic_id, ""))
        by_topic.append(row)
    by_topic.sort(key=lambda row: (-row["received"], row["label"]))
    monthly = (date_to - date_from).days > 62
    period = TruncMonth("day") if monthly else F("day")
    by_period = []
    period_rows = qs
    if not monthly:
        period_rows = rollup_scope(
            organization=organization,
            date_from=date_from,
            date_to=date_to,
            territory=territory,
            days_only=True,
        ).order_by()
    for row in (
        period_rows.annotate(period=period).values("period").annotate(**_sums(PERIOD_COLUMNS))
    ).order_by("period"):
        row = _renamed(row)
        value = row["period"]
        if isinstance(value, dt.datetime):
            value = value.date()
        row.update(
            period=value,
            label=value.strftime("%m.%Y" if monthly else "%d.%m.%Y") if value else "—",
            total=row["received"],
            rejected=row["st_rejected"],
            open=sum(row[f"st_{code}"] for code in OPEN_STATUSES),
            on_time_share=_share(row["on_time"], row["done"]),
        )
        by_period.append(row)
    by_building = []
    summary["overdue_open"] = None
    if organization is not None:
        start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
        live = ServiceRequest.objects.filter(
            executor_org=organization, created_at__gte=start, created_at__lt=end
        )
        if territory is not None:
            live = live.filter(building__territory__path__startswith=territory.path)
        summary["overdue_open"] = live.filter(deadlines.overdue_q(now)).count()
        by_building = list(
            live.values(
                "building_id",
                "building__street",
                "building__house",
                "building__block",
                "building__house_sort",
            )
            .annotate(**_row_aggregates())
            .order_by("-total", "building__street", "building__house_sort")[:200]
        )
        for row in by_building:
            row["on_time_share"] = _share(row["on_time"], row["done"])
            row["label"] = f"{row['building__street']}, {row['building__house']}" + (
                f"к{row['building__block']}" if row["building__block"] else ""
            )
    return {
        "summary": summary,
        "by_status": by_status,
        "by_topic": by_topic,
        "by_org": by_org,
        "by_building": by_building,
        "by_period": by_period,
        "monthly": monthly,
    }


def chart_data(stats) -> dict:
    """What the page's charts draw (``json_script``, drawn by ``stats.js``)."""
    return {
        "period": {
            "labels": [row["label"] for row in stats["by_period"]],
            "received": [row["received"] for row in stats["by_period"]],
            "completed": [row["completed"] for row in stats["by_period"]],
            "on_time_share": [row["on_time_share"] for row in stats["by_period"]],
        },
        "topics": {
            "labels": [str(row["label"]) for row in stats["by_topic"][:10]],
            "received": [row["received"] for row in stats["by_topic"][:10]],
        },
        "orgs": {
            "labels": [str(row["label"]) for row in stats["by_org"][:15]],
            "median_accept": [row["median_accept_hours"] for row in stats["by_org"][:15]],
            "median_close": [row["median_close_hours"] for row in stats["by_org"][:15]],
            "returns": [row["returns_made"] for row in stats["by_org"][:15]],
        },
    }
