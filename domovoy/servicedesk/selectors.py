"""Reads of requests for pages, the API and other apps (R4, R8, R14, R18, S2). Every list joins
what its rows show (no N+1) and filters on indexed columns."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from domovoy.audit.services import personal_data_read
from domovoy.directory import roles

from . import deadlines
from .models import RequestEvent, ServiceRequest, Topic
from .permissions import is_call_operator
from .workflow import OPEN_STATUSES, Action, Status, WithdrawReason

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


def executor_queue(
    *, organization, statuses=None, building=None, emergency_only=False
) -> QuerySet[ServiceRequest]:
    """The executor's working list (R19): its open requests, emergencies and nearest
    deadlines first. Uses the (executor_org, status) index."""
    qs = ServiceRequest.objects.filter(
        executor_org=organization,
        status__in=list(statuses or OPEN_STATUSES),
        is_deleted=False,
    )
    if building is not None:
        qs = qs.filter(building=building)
    if emergency_only:
        qs = qs.filter(is_emergency=True)
    return qs.select_related(*_LIST_RELATED).order_by("-is_emergency", "deadline_at", "id")


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
)


def overdue_requests(*, now: dt.datetime | None = None, organization=None):
    """Open requests past their deadline (R14), a postponed one only after its date."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    qs = ServiceRequest.objects.filter(
        status__in=list(OPEN_STATUSES), deadline_at__lt=now, is_deleted=False
    ).exclude(status=Status.POSTPONED, postponed_until__gte=today)
    if organization is not None:
        qs = qs.filter(executor_org=organization)
    return qs.select_related(*_LIST_RELATED).order_by("deadline_at")


def not_accepted_in_time(*, now: dt.datetime | None = None, organization=None):
    """New non-emergency requests nobody accepted within 24 hours (R14, Z 4.6)."""
    now = now or timezone.now()
    qs = ServiceRequest.objects.filter(
        status=Status.NEW,
        accepted_at__isnull=True,
        is_emergency=False,
        created_at__lt=now - deadlines.ACCEPT_LIMIT,
        is_deleted=False,
    )
    if organization is not None:
        qs = qs.filter(executor_org=organization)
    return qs.select_related(*_LIST_RELATED)


def crew_dispatch_overdue(*, now: dt.datetime | None = None):
    """Emergency requests without a recorded crew 30 minutes after creation (R8)."""
    now = now or timezone.now()
    return ServiceRequest.objects.filter(
        is_emergency=True,
        crew_dispatched_at__isnull=True,
        created_at__lt=now - deadlines.crew_dispatch_limit(),
        status__in=list(OPEN_STATUSES),
        is_deleted=False,
    ).select_related(*_LIST_RELATED)


def completed_q() -> Q:
    """What statistics count as completed: done or closed by the executor's work, and a
    withdrawal because the work was already done (K 3: the resident withdraws a request whose
    work is done but not yet completed in the system)."""
    return Q(status__in=(Status.DONE, Status.CLOSED)) | Q(
        status=Status.WITHDRAWN, withdraw_reason=WithdrawReason.ALREADY_DONE
    )


def request_statistics(
    *, organization=None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict:
    """Counts of an executor's requests filed in a period (R18): by status, completed (as
    above), rejected, returned to the UO (R6), late crews (R8), ratings. One query.
    Soft-deleted requests are counted too (R12: statistics keep them)."""
    qs = ServiceRequest.objects.all()
    if organization is not None:
        qs = qs.filter(Q(executor_org=organization) | Q(origin_org=organization))
    if date_from is not None:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(created_at__date__lte=date_to)
    aggregates = {
        "total": Count("id"),
        "completed": Count("id", filter=completed_q()),
        "returned_to_uo": Sum("returns_count", default=0),
        "late_crew_dispatch": Count("id", filter=Q(crew_dispatch_late=True)),
        "rated": Count("id", filter=Q(rating__isnull=False)),
        "rated_1": Count("id", filter=Q(rating=1)),
    }
    for status in Status:
        aggregates[f"status_{status.value}"] = Count("id", filter=Q(status=status))
    row = qs.aggregate(**aggregates)
    return {
        "total": row["total"],
        "completed": row["completed"],
        "returned_to_uo": row["returned_to_uo"],
        "late_crew_dispatch": row["late_crew_dispatch"],
        "rated": row["rated"],
        "rated_1": row["rated_1"],
        "by_status": {status.value: row[f"status_{status.value}"] for status in Status},
    }


def returns_by_organization(*, date_from=None, date_to=None) -> dict[int, int]:
    """How many times each supplier/contractor returned requests to a UO (R6), from history."""
    qs = RequestEvent.objects.filter(action=Action.RETURN_TO_UO)
    if date_from is not None:
        qs = qs.filter(at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(at__date__lte=date_to)
    return dict(qs.values("actor_org").annotate(n=Count("id")).values_list("actor_org", "n"))


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
