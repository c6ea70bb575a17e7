"""Reads of requests for pages, the API and other apps (R4, R8, R11, R14, R18, R19, S2): the
dispatcher's queue with its tabs, counts and live poll, the control lists, the call centre's
search and call-back list. Every list joins what its rows show (no N+1) and filters on indexed
columns. Who may see which list is the caller's decision (``permissions.py``); the selectors
take the organisation or territory the caller chose."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from domovoy.audit.services import personal_data_read
from domovoy.core.phones import phone_key
from domovoy.directory import roles
from domovoy.directory.selectors import buildings_matching_address

from . import deadlines
from .models import (
    AdvanceNotice,
    Call,
    CallAttempt,
    Comment,
    RequestEvent,
    ServiceRequest,
    SystemFailure,
    Topic,
)
from .permissions import is_call_operator
from .workflow import (
    CHECK_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    Action,
    Status,
    WithdrawReason,
    transition_for,
)

_LIST_RELATED = (
    "topic",
    "building",
    "premises",
    "executor_org",
    "executor_department",
    "executor_employee__user",
    "controller_org",
)


def request_get(*, number: str) -> ServiceRequest | None:
    return (
        ServiceRequest.objects.select_related(*_LIST_RELATED, "author", "origin_org")
        .filter(number=number)
        .first()
    )


def redirect_organizations(*, request, on: dt.date | None = None) -> QuerySet:
    """R5 (K 3, U 3.4.1а, G 3.3.1): the organisations a request may be passed to — those that
    may execute on its building on ``on`` (today): the UO managing the building by the registry
    (D4), the suppliers and contractors linked to that UO (``ServiceLink``, active on that
    day), and the request's current executor and controller (a move to a department or an
    employee inside the organisation, a return to the controller). Operators, call centres and
    control bodies execute nothing (see docs/decisions.md); inactive organisations neither.
    The redirect form offers exactly these and ``services`` refuses any other (one rule)."""
    from domovoy.directory.models import ManagementPeriod, Organization, ServiceLink

    from .params import executor_kinds

    on = on or timezone.localdate()
    managers = ManagementPeriod.objects.active_on(on).filter(building_id=request.building_id)
    manager_ids = managers.values("organization_id")
    providers = ServiceLink.objects.active_on(on).filter(uo_id__in=manager_ids)
    parties = {request.executor_org_id, request.controller_org_id} - {None}
    return (
        Organization.objects.filter(
            Q(pk__in=manager_ids) | Q(pk__in=providers.values("provider_id")) | Q(pk__in=parties),
            is_active=True,
            kinds__kind__in=executor_kinds(),
        )
        .distinct()
        .order_by("short_name", "id")
    )


def requests_visible_to(user) -> QuerySet[ServiceRequest]:
    """S2 as a filter for lists: a resident's own requests; an organisation's requests it
    executes, controls or passed on; everything for the call centre; the territory for
    operators and control roles, by role (the per-object rule is ``servicedesk.view_request``)."""
    qs = ServiceRequest.objects.filter(is_deleted=False)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_call_operator(user):
        return qs  # S2: the call centre finds any request (status and public comments)
    if roles.is_territorial_reader(user):
        scope = roles.territory_scope(user)
        if scope is not None:
            qs = qs.filter(building__territory__path__startswith=scope.path)
        return qs
    org = roles.organization_of(user)
    if org is not None:
        if not roles.is_working_staff(user):
            return qs.none()  # the media role reads what the public reads
        return qs.filter(
            Q(executor_org=org)
            | Q(controller_org=org)
            | Q(origin_org=org)
            | Q(pk__in=RequestEvent.objects.filter(actor_org=org).values("request_id"))
        )
    return qs.filter(author=user)


def resident_lives_in(*, user, building) -> bool:
    """The resident has a confirmed address in ``building``: an active personal account of
    one of its premises lists them as a resident (D3)."""
    from domovoy.directory.models import Account

    if user is None or building is None:
        return False
    return Account.objects.filter(
        residents=user, is_active=True, premises__building=building
    ).exists()


def is_off_address(*, author, building) -> bool:
    """12d: a request a resident files on a building where they do not live."""
    return bool(
        author is not None
        and getattr(author, "is_resident", False)
        and not resident_lives_in(user=author, building=building)
    )


def controller_queue(*, organization) -> QuerySet[ServiceRequest]:
    """Requests «на контроле» of ``organization``; those awaiting its moderation first."""
    return (
        ServiceRequest.objects.filter(controller_org=organization, is_deleted=False)
        .exclude(status__in=(Status.CLOSED, Status.REJECTED, Status.WITHDRAWN))
        .select_related(*_LIST_RELATED)
        .order_by("-status", "deadline_at")
    )


def verification_queue(*, organization) -> QuerySet[ServiceRequest]:
    """Contractors' completions awaiting this UO's check (R10)."""
    return (
        ServiceRequest.objects.filter(
            origin_org=organization, status=Status.VERIFICATION, is_deleted=False
        )
        .select_related(*_LIST_RELATED)
        .order_by("done_at")
    )


def conflict_queue(*, territory=None) -> QuerySet[ServiceRequest]:
    """Completions the resident did not confirm, for the functional operator (R10)."""
    qs = ServiceRequest.objects.filter(status=Status.CONFLICT, is_deleted=False)
    if territory is not None:
        qs = qs.filter(building__territory__path__startswith=territory.path)
    return qs.select_related(*_LIST_RELATED).order_by("updated_at")


def resident_requests(*, user) -> QuerySet[ServiceRequest]:
    """«Мои заявки» (M): the resident's own requests, newest first."""
    return (
        ServiceRequest.objects.filter(author=user, is_deleted=False)
        .select_related("topic", "building", "premises")
        .order_by("-created_at")
    )


def request_history(*, request, public_only=False) -> QuerySet[RequestEvent]:
    """The history of a request; a resident sees status changes and public comments only."""
    qs = request.events.select_related("actor", "actor_org").order_by("at", "id")
    if public_only:
        qs = qs.exclude(action__in=PUBLIC_HIDDEN_ACTIONS)
    return qs


# Internal moves a resident does not see in their history (R6: a return goes to the UO's
# queue, not to the resident; deadlines and topics are the executors' business).
PUBLIC_HIDDEN_ACTIONS = (
    Action.RETURN_TO_UO,
    Action.VERIFY_RETURN,
    Action.MODERATION_RETURN,
    Action.EXTEND_DEADLINE,
    Action.SET_DEADLINE,
    Action.CHANGE_TOPIC,
    Action.FLAG_NOT_ACCEPTED,
    Action.FLAG_OVERDUE,
    Action.ADVANCE_NOTICE,
    Action.CLOCK_PAUSE,
)


# --- The work queue of an executing organisation (R19) -------------------------------------

QUEUE_TABS = ("new", "mine", "today", "overdue", "control", "verification", "returned", "all")
ACTIVE_STATUSES = sorted(OPEN_STATUSES | CHECK_STATUSES)
ACCEPT_SOURCES = transition_for(Action.ACCEPT).sources
RETURN_ACTIONS = (
    Action.RETURN_TO_UO,
    Action.VERIFY_RETURN,
    Action.MODERATION_RETURN,
    Action.CONFLICT_RETURN,
)
# What a row of the queue and the control lists shows of its relations (``_row.html``). Only
# these columns are read: an organisation's card is some 60 columns, and building three of
# them for 50 rows cost more than the rest of the page.
ROW_RELATED = {
    "topic": ("name",),
    "building": ("street", "house", "block"),
    "premises": ("number",),
    "executor_org": ("short_name",),
    "executor_department": ("name",),
    "executor_employee": ("user",),
    "executor_employee__user": ("last_name", "first_name", "middle_name"),
    "controller_org": ("short_name",),
}


def request_rows(ids) -> list[ServiceRequest]:
    """The requests ``ids`` in that order, with the columns of ``ROW_RELATED``: the second step
    of a page of the queue or a control list (the first pages the ids alone, narrow rows), each
    with its advance notice's new date (R14, ``with_advance_notice``)."""
    if not ids:
        return []
    own = [f.name for f in ServiceRequest._meta.concrete_fields]
    related = [f"{rel}__{name}" for rel, names in ROW_RELATED.items() for name in names]
    qs = with_advance_notice(
        ServiceRequest.objects.filter(pk__in=ids)
        .select_related(*ROW_RELATED)
        .only(*own, *related)
        .order_by()
    )
    by_id = {sr.pk: sr for sr in qs}
    return [by_id[pk] for pk in ids if pk in by_id]


def _party_q(organization, prefix="") -> Q:
    """The requests ``organization`` executes, controls or passed on (its queue's scope)."""
    return (
        Q(**{f"{prefix}executor_org": organization})
        | Q(**{f"{prefix}controller_org": organization})
        | Q(**{f"{prefix}origin_org": organization})
    )


def _end_of_today(now):
    local = timezone.localtime(now)
    return timezone.make_aware(dt.datetime.combine(local.date(), dt.time.max))


def queue_tab_q(tab, *, organization, employee, now) -> Q:
    """The condition of a tab; every one starts from an indexed column of the organisation
    (executor_org+status, controller_org+status, origin_org+status)."""
    org = organization
    mine = Q(executor_org=org)
    if tab == "new":
        return mine & Q(status__in=sorted(ACCEPT_SOURCES))
    if tab == "mine":
        assigned = Q(executor_employee=employee) if employee else Q(pk__in=[])
        if employee is not None and employee.department_id:
            assigned |= Q(executor_department_id=employee.department_id)
        return mine & Q(status__in=sorted(OPEN_STATUSES)) & assigned
    if tab == "today":
        return (
            mine
            & Q(status__in=sorted(OPEN_STATUSES))
            & Q(deadline_at__gte=now, deadline_at__lte=_end_of_today(now))
        )
    if tab == "overdue":
        return mine & deadlines.overdue_q(now)
    if tab == "control":
        return Q(controller_org=org, status__in=ACTIVE_STATUSES) & ~Q(executor_org=org)
    if tab == "verification":
        return Q(origin_org=org, status=Status.VERIFICATION) | Q(
            controller_org=org, status=Status.MODERATION
        )
    if tab == "returned":
        return mine & Q(status__in=sorted(OPEN_STATUSES))  # + the last event, see queue_tab
    return mine & Q(status__in=ACTIVE_STATUSES)


def queue_tab(tab, *, organization, employee, now) -> QuerySet[ServiceRequest]:
    """The requests of a tab of the queue in the tab's order (rows: ``request_rows``)."""
    qs = ServiceRequest.objects.filter(
        queue_tab_q(tab, organization=organization, employee=employee, now=now), is_deleted=False
    )
    if tab == "returned":
        # Came back: the latest history row is a return (to the UO, R6; after a check, R10).
        last_action = (
            RequestEvent.objects.filter(request=OuterRef("pk"))
            .order_by("-at", "-id")
            .values("action")[:1]
        )
        qs = qs.annotate(last_action=Subquery(last_action)).filter(last_action__in=RETURN_ACTIONS)
    if tab in ("control", "verification"):
        return qs.order_by("-is_emergency", "-updated_at", "-id")
    return qs.order_by("-is_emergency", "deadline_at", "id")


def queue_tab_counts(*, organization, employee, now) -> dict[str, int]:
    """The number on each tab (but «returned») in one query over the organisation's active
    requests."""
    org = organization
    scope = _party_q(org) & Q(status__in=ACTIVE_STATUSES, is_deleted=False)
    aggregates = {
        tab: Count("id", filter=queue_tab_q(tab, organization=org, employee=employee, now=now))
        for tab in QUEUE_TABS
        if tab != "returned"
    }
    return ServiceRequest.objects.filter(scope).aggregate(**aggregates)


def queue_changes(*, organization, since: dt.datetime, limit: int) -> list[dict]:
    """R19: the organisation's requests changed after ``since``, newest first, as the few
    values the live poll shows (one query on ``updated_at``)."""
    scope = _party_q(organization)
    return list(
        ServiceRequest.objects.filter(scope, updated_at__gt=since, is_deleted=False)
        .order_by("-updated_at")
        .values(
            "pk", "number", "status", "version", "is_emergency", "executor_org_id",
            "topic__name", "building__street", "building__house", "building__block",
        )[:limit]
    )  # fmt: skip


def queue_has_new_comments(*, organization, since: dt.datetime) -> bool:
    """R19: comments are changes too. A cheap existence check on the conversation table."""
    scope = _party_q(organization, prefix="request__")
    return Comment.objects.filter(scope, created_at__gt=since).exists()


# --- The call centre (R11, S2) ---------------------------------------------------------------


def call_log(*, user) -> QuerySet[Call]:
    """The call log of the operator's call centre (every operator of the organisation)."""
    org = roles.organization_of(user)
    qs = Call.objects.select_related("operator", "building", "request").order_by("-at", "-id")
    if org is None:
        return qs.filter(operator=user)
    return qs.filter(operator__employee__organization=org)


def call_attempt_log(*, user) -> QuerySet[CallAttempt]:
    """Calls to residents (R11) made by the operator's call centre, newest first."""
    org = roles.organization_of(user)
    qs = CallAttempt.objects.select_related("operator", "request").order_by("-at", "-id")
    if org is None:
        return qs.filter(operator=user)
    return qs.filter(operator__employee__organization=org)


# --- The call screen (R1, N2): outages on the building, the caller's requests, duplicates -------

CALLER_REQUESTS = 10
DUPLICATE_WINDOW = dt.timedelta(hours=24)
DUPLICATES_SHOWN = 5


@dataclass(frozen=True)
class CallScreen:
    """What the operator sees beside the caller form once the address (and the phone, the
    topic) are known: the building's outages now and planned (a consultation, not a request),
    the caller's earlier requests by phone, the likely duplicates of the request about to be
    filed, and the resident whose profile phone the caller's is."""

    building: object | None
    outages_now: list = field(default_factory=list)
    outages_planned: list = field(default_factory=list)
    caller_requests: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    resident: object | None = None


def building_outages(*, building, now=None) -> tuple[list, list]:
    """(running now, planned) published outages whose zone holds ``building``, through the
    outages app's public selector (O6)."""
    from domovoy.outages.selectors import public_outages

    if building is None:
        return [], []
    now = now or timezone.now()
    running, planned = [], []
    for outage in public_outages(building=building.pk):
        end = outage.actual_end or outage.planned_end
        if outage.start > now:
            planned.append(outage)
        elif end is None or end >= now:
            running.append(outage)
    return running, planned


def caller_requests(*, phone: str, limit: int = CALLER_REQUESTS) -> list[ServiceRequest]:
    """The caller's earlier requests by contact phone, newest first (stored phones are in the
    normal form, so the last ten digits match every spelling the operator types)."""
    key = phone_key(phone)
    if not key:
        return []
    return list(
        ServiceRequest.objects.filter(is_deleted=False, phone__endswith=key)
        .select_related("topic", "building", "premises", "executor_org")
        .order_by("-created_at", "-id")[:limit]
    )


def likely_duplicates(*, building, topic, now=None) -> list[ServiceRequest]:
    """Open requests on the same building and topic filed in the last 24 hours (R1, R14): the
    operator is warned before filing another one (a warning to confirm, not a refusal)."""
    if building is None or topic is None:
        return []
    now = now or timezone.now()
    return list(
        ServiceRequest.objects.filter(
            is_deleted=False,
            building=building,
            topic=topic,
            created_at__gte=now - DUPLICATE_WINDOW,
        )
        .exclude(status__in=FINAL_STATUSES)
        .select_related("topic", "building", "premises", "executor_org")
        .order_by("-created_at", "-id")[:DUPLICATES_SHOWN]
    )


def resident_by_phone(*, phone: str):
    """The registered resident whose profile phone is the caller's, or None (none, or several
    share it: then the operator's request is not linked to a guess)."""
    from domovoy.directory.models import User

    key = phone_key(phone)
    if not key:
        return None
    # Profile phones are stored normalised (directory services), so the ten-digit tail finds
    # every spelling of the number there ("+7…", "8…"); at most two rows are read.
    found = list(
        User.objects.filter(is_resident=True, is_active=True, phone__endswith=key).order_by("pk")[
            :2
        ]
    )
    return found[0] if len(found) == 1 else None


def call_screen(*, user=None, building=None, phone: str = "", topic=None, now=None) -> CallScreen:
    """The call screen's data; with ``user``, the read of the listed requests' personal data
    (their phones) is logged like the call centre's request card (S5)."""
    now = now or timezone.now()
    running, planned = building_outages(building=building, now=now)
    screen = CallScreen(
        building=building,
        outages_now=running,
        outages_planned=planned,
        caller_requests=caller_requests(phone=phone),
        duplicates=likely_duplicates(building=building, topic=topic, now=now),
        resident=resident_by_phone(phone=phone),
    )
    if user is not None:
        personal_data_reads_log(
            user, screen.caller_requests + screen.duplicates, purpose="call centre call screen"
        )
    return screen


_NUMBER = re.compile(r"^\d{4}-\d{1,8}$")


def request_search(*, user, query: str) -> QuerySet[ServiceRequest]:
    """Any request by number, phone or address (S2 exception for the call centre)."""
    query = (query or "").strip()
    qs = requests_visible_to(user).select_related("topic", "building", "premises", "executor_org")
    if not query:
        return qs.none()
    digits = re.sub(r"\D", "", query)
    if _NUMBER.match(query):
        return qs.filter(number=query)
    if query.isdigit() and len(query) <= 8:
        return qs.filter(number__endswith=f"-{int(query):06d}")
    if len(digits) >= 10 and len(digits) >= len(query.replace(" ", "")) - 4:
        return qs.filter(phone__endswith=digits[-10:]).order_by("-created_at")
    buildings = [b.pk for b in buildings_matching_address(query, limit=50)]
    return qs.filter(building_id__in=buildings).order_by("-created_at")


def callback_list(*, user) -> QuerySet[ServiceRequest]:
    """Requests «Выполнено» awaiting the resident's confirmation, with the calls made since the
    completion (R11): the longest waiting first."""
    since_done = Q(call_attempts__at__gte=F("done_at"))
    return (
        requests_visible_to(user)
        .filter(status=Status.DONE)
        .select_related("topic", "building", "premises", "executor_org")
        .annotate(
            attempts_made=Count("call_attempts", filter=since_done, distinct=True),
            unanswered=Count(
                "call_attempts",
                filter=since_done & Q(call_attempts__answered=False),
                distinct=True,
            ),
            last_call=Max("call_attempts__at", filter=since_done),
        )
        .order_by("done_at", "id")
    )


# --- Control lists (R8, R10, R14) ---------------------------------------------------------------


def _scoped(qs, *, organization=None, territory=None):
    """An executor's list is its own requests; a reader's list is its territory's (S2). The
    caller says which (``organization`` wins); neither means every request."""
    if organization is not None:
        return qs.filter(executor_org=organization)
    if territory is not None:
        return qs.filter(building__territory__path__startswith=territory.path)
    return qs


def list_scope(user) -> dict:
    """Whose control lists a user reads (R14, S2): an executing organisation's staff their
    own organisation's, a reader (control body, operator) their territory's."""
    if user.has_perm("servicedesk.use_queue"):
        return {"organization": roles.organization_of(user)}
    return {"territory": roles.territory_scope(user)}


def new_requests(*, organization=None, territory=None) -> QuerySet[ServiceRequest]:
    """New requests, emergencies and the longest waiting first (R14)."""
    qs = ServiceRequest.objects.filter(status=Status.NEW, is_deleted=False)
    return _scoped(qs, organization=organization, territory=territory).order_by(
        "-is_emergency", "created_at"
    )


def postponed_requests(*, organization=None, territory=None) -> QuerySet[ServiceRequest]:
    """Postponed requests, the nearest date first (R14)."""
    qs = ServiceRequest.objects.filter(status=Status.POSTPONED, is_deleted=False)
    return _scoped(qs, organization=organization, territory=territory).order_by(
        "postponed_until", "deadline_at"
    )


def overdue_requests(
    *, now: dt.datetime | None = None, organization=None, territory=None
) -> QuerySet[ServiceRequest]:
    """Open requests past their deadline (R14, ``deadlines.overdue_q``)."""
    now = now or timezone.now()
    qs = ServiceRequest.objects.filter(deadlines.overdue_q(now), is_deleted=False)
    qs = _scoped(qs, organization=organization, territory=territory)
    return with_advance_notice(qs.select_related(*_LIST_RELATED)).order_by("deadline_at")


def with_advance_notice(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """Each row with the new date and lateness of its latest advance notice about its current
    deadline (R14; ``notice_new_date`` None: no notice)."""
    latest = AdvanceNotice.objects.filter(
        request=OuterRef("pk"), deadline_at=OuterRef("deadline_at")
    ).order_by("-filed_at", "-id")
    return qs.annotate(
        notice_new_date=Subquery(latest.values("new_date")[:1]),
        notice_late=Subquery(latest.values("is_late")[:1]),
    )


def not_accepted_in_time(
    *, now: dt.datetime | None = None, organization=None, territory=None
) -> QuerySet[ServiceRequest]:
    """New non-emergency requests nobody accepted within 24 hours (R14, Z 4.6), the oldest
    first (``deadlines.not_accepted_q``)."""
    now = now or timezone.now()
    qs = ServiceRequest.objects.filter(deadlines.not_accepted_q(now), is_deleted=False)
    qs = _scoped(qs, organization=organization, territory=territory)
    return qs.select_related(*_LIST_RELATED).order_by("created_at")


def crew_dispatch_overdue(
    *, now: dt.datetime | None = None, organization=None, territory=None
) -> QuerySet[ServiceRequest]:
    """Emergency requests without a recorded crew 30 minutes after creation (R8), the oldest
    first (``deadlines.crew_missing_q``)."""
    now = now or timezone.now()
    qs = ServiceRequest.objects.filter(deadlines.crew_missing_q(now), is_deleted=False)
    qs = _scoped(qs, organization=organization, territory=territory)
    return qs.select_related(*_LIST_RELATED).order_by("created_at")


def advance_notices_of(request) -> QuerySet[AdvanceNotice]:
    """The advance notices of a request (R14), the newest first."""
    return request.advance_notices.select_related("author", "organization").order_by(
        "-filed_at", "-id"
    )


def repeat_list(*, organization=None, territory=None) -> QuerySet[ServiceRequest]:
    """Repeat requests, the newest first (R14)."""
    qs = repeat_requests(ServiceRequest.objects.filter(is_deleted=False))
    qs = _scoped(qs, organization=organization, territory=territory)
    return qs.select_related(*_LIST_RELATED).order_by("-created_at")


def failures_to_announce(now: dt.datetime) -> list[SystemFailure]:
    """System failures shown on every page (S8): those lasting now or ended within a day."""
    return list(
        SystemFailure.objects.filter(
            starts_at__lte=now, ends_at__gte=now - dt.timedelta(days=1)
        ).order_by("-starts_at")[:3]
    )


LATE_ENTRY_DAYS = 7


def late_entries_open(now: dt.datetime | None = None) -> bool:
    """Whether a system failure ended within ``LATE_ENTRY_DAYS`` (or lasts): the action forms
    then offer the real time of an action done during it (S8). Cached half a minute."""
    from django.core.cache import cache

    key = "servicedesk:late_entries_open"
    value = cache.get(key)
    if value is None:
        now = now or timezone.now()
        value = SystemFailure.objects.filter(
            starts_at__lte=now, ends_at__gte=now - dt.timedelta(days=LATE_ENTRY_DAYS)
        ).exists()
        cache.set(key, value, 30)
    return value


def system_failures() -> QuerySet[SystemFailure]:
    """The failures posted (S8), the latest first."""
    return SystemFailure.objects.select_related("posted_by").order_by("-starts_at", "-id")


def completed_q() -> Q:
    """What statistics count as completed: done or closed by the executor's work, and a
    withdrawal because the work was already done (K 3: the resident withdraws a request whose
    work is done but not yet completed in the system)."""
    return Q(status__in=(Status.DONE, Status.CLOSED)) | Q(
        status=Status.WITHDRAWN, withdraw_reason=WithdrawReason.ALREADY_DONE
    )


def topic_tree() -> list[Topic]:
    """Active topics, groups followed by their children (for the intake form)."""
    topics = list(Topic.objects.filter(is_active=True).order_by("order", "name"))
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    ordered: list[Topic] = []

    def walk(parent_id, depth):
        for topic in children.get(parent_id, []):
            topic.depth = depth
            ordered.append(topic)
            walk(topic.pk, depth + 1)

    walk(None, 0)
    return ordered


# --- The applicant's personal data (S5) ------------------------------------------------------
# One rule and one log for every reader: the staff card, the call centre's card and the API.


def _carries_personal_data(sr: ServiceRequest) -> bool:
    return bool(sr.phone or sr.caller_name or sr.premises_id)


def sees_personal_data(user, sr: ServiceRequest) -> bool:
    """The applicant's name, phone and flat unmasked (``servicedesk.view_personal_data``):
    decided from the row alone, so a list asks it without a query per row."""
    return user.has_perm("servicedesk.view_personal_data", sr)


def personal_data_reads_log(user, rows, *, purpose: str) -> None:
    """Log one read of the personal data of ``rows`` (shown unmasked to ``user``): every row
    that carries some, except the reader's own requests (an applicant reading what she filed
    is not a read of another's data)."""
    ids: list[int] = []
    for sr in rows:
        if sr.pk not in ids and _carries_personal_data(sr) and sr.author_id != user.pk:
            ids.append(sr.pk)
    if ids:
        subject = "service_request:" + ",".join(str(pk) for pk in ids)
        personal_data_read(user=user, subject=subject, purpose=purpose)


def personal_data_shown(user, sr: ServiceRequest, *, purpose: str) -> bool:
    """A card's read of one request: whether its personal data is shown, logged if it is."""
    shown = sees_personal_data(user, sr)
    if shown:
        personal_data_reads_log(user, [sr], purpose=purpose)
    return shown


# --- Issue 13: repeats (R14) and «У меня тоже» --------------------------------------------------


def repeat_requests(qs: QuerySet[ServiceRequest] | None = None) -> QuerySet[ServiceRequest]:
    """R14: the repeat requests among ``qs`` (every request when None) — those linked at intake
    to an earlier one; ``.count()`` it for statistics, group it by building or topic."""
    qs = ServiceRequest.objects.all() if qs is None else qs
    return qs.filter(repeat_of__isnull=False)


def repeat_chain(request: ServiceRequest) -> list[ServiceRequest]:
    """R14: the chain ``request`` belongs to, oldest first — its head (the first request) and
    every repeat linked to the head; empty when the request repeats nothing and nothing repeats
    it. Two indexed queries (the head by id, the repeats by ``repeat_of``)."""
    head_id = request.repeat_of_id or request.pk
    rows = list(
        ServiceRequest.objects.filter(Q(pk=head_id) | Q(repeat_of_id=head_id), is_deleted=False)
        .select_related("topic", "executor_org")
        .order_by("created_at", "id")
    )
    return rows if len(rows) > 1 else []


def resident_building_requests(*, user) -> QuerySet[ServiceRequest]:
    """Issue 13: the open public requests on the buildings of the resident's active personal
    accounts (D3) — what they may join with «У меня тоже» instead of filing a duplicate. Their
    own requests are left out (they are in «Мои заявки»), and so are personal topics. The rows
    show no text, name or flat (S5): topic, building, status and dates only."""
    from domovoy.directory.models import Account

    buildings = Account.objects.filter(residents=user, is_active=True).values(
        "premises__building_id"
    )
    return (
        ServiceRequest.objects.filter(building_id__in=buildings, is_deleted=False)
        .exclude(status__in=FINAL_STATUSES)
        .exclude(topic__is_personal=True)
        .exclude(author=user)
        .select_related("topic", "building")
        .order_by("-created_at", "-id")
    )


def me_too_ids(*, user, requests) -> set[int]:
    """The ids among ``requests`` the user pressed «У меня тоже» on (one query)."""
    from .models import MeToo

    return set(
        MeToo.objects.filter(user=user, request__in=[r.pk for r in requests]).values_list(
            "request_id", flat=True
        )
    )
