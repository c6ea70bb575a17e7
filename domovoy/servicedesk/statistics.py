"""Statistics of an organisation's requests for the staff page and its XLSX export (R18):
counts by status, topic, building and period, the on-time share, the average time to accept
and to close — a handful of grouped queries, none per row."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core import exports

from . import deadlines, selectors
from .models import RequestEvent, ServiceRequest
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
        (_("Возвращено в УО"), summary["returned_to_uo"]),
        (_("Бригада направлена с опозданием"), summary["late_crew"]),
        (_("Аварийных"), summary["emergency"]),
        (_("С нецензурной лексикой"), summary["obscene"]),
        (_("Средняя оценка"), summary["avg_rating"]),
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
    return sheets


def statistics_xlsx_response(stats, *, filename):
    return exports.xlsx_response(statistics_sheets(stats), filename=filename)
