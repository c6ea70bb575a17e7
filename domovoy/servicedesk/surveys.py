"""The satisfaction survey and the appeal (R13; regulation 004, M 115.бел).

- ``surveys_send(now)``: the morning run. Every request closed the previous (local) day gets
  one survey per closing: a resident with an account hears of it through the notification
  engine (the inbox and their chosen channels: push, e-mail, SMS; one notice, dedup key per
  survey); a caller without an account (filed by the call centre) goes on the call centre's
  call list — an SMS cannot carry the answer. Idempotent: a second run writes nothing.
- ``survey_answer``: satisfied or not (the one question of regulation 004) with a comment,
  from the resident's page or the call centre's call; «не удовлетворён» sends the request to
  additional control and back to work through the workflow (``Action.SURVEY_RETURN``).
- Selectors: the call list, a resident's open survey, the control body's appeals, and the
  satisfaction share per executor organisation (statistics; the UO rating comes later).

The appeal itself is three rows of the workflow table (``appeal``, ``appeal_uphold``,
``appeal_dismiss``); its record is ``models.Appeal``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core.errors import Conflict, Forbidden, Invalid
from domovoy.directory import roles
from domovoy.notifications.services import NoticeIntent, notices_enqueue

from . import events, services
from . import permissions as who
from .models import Appeal, ServiceRequest, Survey
from .workflow import Action, Status

KIND_SURVEY = "request.survey"


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def has_account(request: ServiceRequest) -> bool:
    """A resident with an account reads the survey in the cabinet (the inbox is always on);
    everyone else (a caller filed by the call centre) is called."""
    return request.author_id is not None and bool(request.author.is_resident)


def surveys_send(now: dt.datetime | None = None) -> int:
    """R13: from ``SERVICEDESK_SURVEY_HOUR`` (local) on, survey every request closed the
    previous day (status «Завершено», filed through ``SERVICEDESK_SURVEY_CHANNELS``). Runs
    every few minutes; before the hour it does nothing, after it the unique key (request,
    closing) makes every later run a no-op. Returns the surveys created."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.SERVICEDESK_SURVEY_HOUR:
        return 0
    start, end = _day_bounds(local.date() - dt.timedelta(days=1))
    already = Survey.objects.filter(request=OuterRef("pk"), closed_at=OuterRef("closed_at"))
    due = (
        ServiceRequest.objects.filter(
            status=Status.CLOSED,
            closed_at__gte=start,
            closed_at__lt=end,
            is_deleted=False,
            channel__in=list(settings.SERVICEDESK_SURVEY_CHANNELS),
        )
        .exclude(Exists(already))
        .select_related("author")
        .order_by("closed_at")
    )
    created = 0
    for request in due.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                created += _survey_create(request, now)
        except IntegrityError:  # a concurrent run surveyed it first
            continue
    return created


def _survey_create(request: ServiceRequest, now: dt.datetime) -> int:
    account = has_account(request)
    survey = Survey.objects.create(
        request=request,
        closed_at=request.closed_at,
        created_at=now,
        delivery=Survey.Delivery.NOTICE if account else Survey.Delivery.CALL,
    )
    if account:
        notices_enqueue(
            [
                NoticeIntent(
                    recipient_id=request.author_id,
                    kind=KIND_SURVEY,
                    dedup_key=f"request:{request.pk}:survey:{survey.pk}",
                    subject=_("Заявка № %(number)s: оцените результат")
                    % {"number": request.number},
                    body=_(
                        "Вчера ваша заявка была закрыта. Удовлетворены ли вы результатом? "
                        "Если нет, заявка уйдёт на дополнительный контроль и доработку."
                    ),
                    url=reverse("servicedesk:resident_survey", args=[request.number]),
                    group=events.request_group(request),
                )
            ]
        )
    return 1


def open_survey(request: ServiceRequest) -> Survey | None:
    """The survey of the request's current closing, if it is still unanswered."""
    if request.status != Status.CLOSED or request.closed_at is None:
        return None
    return Survey.objects.filter(
        request=request, closed_at=request.closed_at, answered_at__isnull=True
    ).first()


def survey_of(request: ServiceRequest) -> Survey | None:
    """The latest survey of the request (answered or not)."""
    return Survey.objects.filter(request=request).order_by("-created_at", "-id").first()


def on_additional_control(request: ServiceRequest) -> bool:
    """«На дополнительном контроле»: the last survey said «не удовлетворён» and the request is
    back with the executor."""
    if request.status in (Status.CLOSED, Status.REJECTED, Status.WITHDRAWN):
        return False
    survey = survey_of(request)
    return survey is not None and survey.satisfied is False


def _clean_answer(satisfied, comment) -> tuple[bool, str]:
    if isinstance(satisfied, str):
        satisfied = {"1": True, "true": True, "yes": True, "0": False, "false": False,
                     "no": False}.get(satisfied.strip().lower())  # fmt: skip
    if not isinstance(satisfied, bool):
        raise Invalid(
            _("Ответьте, удовлетворены ли вы результатом: «да» или «нет»"),
            code="required",
            fields={"satisfied": [_("Выберите ответ")]},
        )
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise Invalid(
            _("Комментарий длиннее 2000 символов"),
            code="too_long",
            fields={"comment": [_("Не длиннее 2000 символов")]},
        )
    return satisfied, comment


def survey_answer(*, request: ServiceRequest, actor, satisfied, comment: str = "", via: str):
    """Record the answer to the survey of the request's current closing: the author (cabinet,
    API) or a call-centre operator (a call). «Не удовлетворён» sends the request to additional
    control and back to work in the same transaction. Returns the survey."""
    satisfied, comment = _clean_answer(satisfied, comment)
    if not (who.is_author(actor, request) or who.is_call_operator(actor, request)):
        raise Forbidden(_("Ответить на опрос может заявитель или оператор call-центра"))
    with transaction.atomic():
        survey = (
            Survey.objects.select_for_update()
            .filter(request=request, closed_at=request.closed_at)
            .first()
        )
        if survey is None or request.status != Status.CLOSED:
            raise Conflict(_("По этой заявке нет опроса, ждущего ответа"), code="no_survey")
        if survey.answered_at is not None:
            raise Conflict(_("На этот опрос уже ответили"), code="answered")
        survey.satisfied = satisfied
        survey.comment = comment
        survey.answered_at = timezone.now()
        survey.answered_by = actor
        survey.answered_via = via
        survey.save(
            update_fields=["satisfied", "comment", "answered_at", "answered_by", "answered_via"]
        )
        if not satisfied:
            services.service_request_transition(
                request=request,
                action=Action.SURVEY_RETURN,
                actor=actor,
                comment=comment
                or _("Заявитель не удовлетворён результатом (опрос): на дополнительный контроль"),
            )
    return survey


# --- Selectors -------------------------------------------------------------------------------


def call_list():
    """R13: the call centre's list — unanswered surveys of callers without a channel, oldest
    closing first, while the request is still closed."""
    return (
        Survey.objects.filter(
            delivery=Survey.Delivery.CALL,
            answered_at__isnull=True,
            request__status=Status.CLOSED,
            request__closed_at=F("closed_at"),
        )
        .select_related("request__building", "request__topic", "request__executor_org")
        .order_by("closed_at", "id")
    )


def appeals_for(user, *, pending_only: bool = True):
    """R13: the appeals the control body member decides — of its territory's buildings."""
    rows = Appeal.objects.select_related(
        "request__building__territory", "request__topic", "request__executor_org", "decided_by"
    )
    if pending_only:
        rows = rows.filter(decision="")
    scope = roles.territory_scope(user)
    if scope is not None:
        rows = rows.filter(request__building__territory__path__startswith=scope.path)
    return rows.order_by("due_at", "id") if pending_only else rows.order_by("-filed_at", "-id")


def pending_appeal(request: ServiceRequest) -> Appeal | None:
    return Appeal.objects.filter(request=request, decision="").first()


def satisfaction_by_organization(*, since: dt.date, until: dt.date, organizations=None):
    """R13, R18: per executor organisation, the surveys answered in [since, until] (local
    dates): answered, satisfied, unsatisfied and the satisfied share (0..1, None without
    answers). One grouped query. ``organizations``: limit to these ids."""
    start, _end = _day_bounds(since)
    _start, end = _day_bounds(until)
    rows = Survey.objects.filter(answered_at__gte=start, answered_at__lt=end)
    if organizations is not None:
        rows = rows.filter(request__executor_org__in=list(organizations))
    grouped = (
        rows.values("request__executor_org", "request__executor_org__short_name")
        .annotate(
            answered=Count("id"),
            satisfied=Count("id", filter=Q(satisfied=True)),
        )
        .order_by("request__executor_org__short_name")
    )
    result = []
    for row in grouped:
        answered, satisfied = row["answered"], row["satisfied"]
        result.append(
            {
                "organization_id": row["request__executor_org"],
                "organization": row["request__executor_org__short_name"],
                "answered": answered,
                "satisfied": satisfied,
                "unsatisfied": answered - satisfied,
                "share": satisfied / answered if answered else None,
            }
        )
    return result
