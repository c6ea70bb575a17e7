"""Every write a user can cause on requests (R1–R16). One transaction per function; a refused
action raises a typed ``core.errors.ServiceError`` (``Invalid`` input, ``Forbidden``
party, ``Conflict`` with the request's state, ``Stale`` version) and leaves nothing written.

- ``service_request_create``: intake, routing (R3), deadline (R2, R15), obscene flag (R16), the
  first history row and the resident's notice (N2).
- ``service_request_transition``: the ONE function that changes a request's status. It reads
  the table in ``workflow.py``, checks status, party, guards and parameters, locks the row and
  compares-and-sets its ``version``, applies the action's effect (``EFFECTS`` below), writes the
  history row and the resident's notice — all in one transaction.
- ``service_request_bulk_accept``: the queue's bulk accept (R4), each request through
  ``service_request_transition``.
- ``call_attempt_log`` and ``call_register``: the call centre's calls (R11, R1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core import worktime
from domovoy.core.errors import Conflict, Forbidden, Invalid, ServiceError, Stale
from domovoy.core.phones import normalize as normalize_phone
from domovoy.directory import roles
from domovoy.directory.models import (
    Organization,
    OrgKind,
    ServiceLink,
)
from domovoy.directory.selectors import building_manager, building_supplier

from . import deadlines, events, intake_cache, numbering, obscene, params
from . import permissions as who
from .models import (
    AdvanceNotice,
    Call,
    CallAttempt,
    Channel,
    DeadlineSource,
    HandlerKind,
    RequestEvent,
    ServiceRequest,
    SystemFailure,
    Topic,
)
from .resident_words import status_word as resident_status_word
from .selectors import is_off_address, redirect_organizations, requests_visible_to
from .workflow import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    PARAMS,
    Action,
    CloseGrounds,
    RejectReason,
    Status,
    Transition,
    WithdrawReason,
    conditional_requirements,
    target_of,
    transition_for,
)


def unanswered_calls_limit() -> int:
    """R11 (U 3.2.1а): "did not answer the phone more than three times" (a setting)."""
    return settings.SERVICEDESK_UNANSWERED_CALLS_LIMIT


# --- Intake -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Routing:
    executor: Organization
    origin: Organization | None  # the managing UO, when the executor is someone else
    rule: str  # why: recorded in the history row


def route_request(*, building, topic, on: dt.date | None = None) -> Routing:
    """R3 (K 3, U 3.4.1а): the UO that manages the building (registry D4), or for supplier
    topics the building's supplier of the topic's resource, or for contractor topics the UO's
    only general contractor. Without a registered supplier or with several contractors the
    request goes to the UO, which redirects it. The managing UO is kept as ``origin`` so that a
    supplier or contractor can return the request to it (R6)."""
    manager = building_manager(building=building, on=on)
    if manager is None:
        raise Invalid(
            _(
                "Для этого дома в реестре управления нет управляющей организации: заявку "
                "некому направить. Обратитесь в call-центр."
            ),
            code="no_executor",
            fields={"building": [_("Дом не обслуживается ни одной управляющей организацией")]},
        )
    if topic.handler_kind == HandlerKind.RSO:
        supplier = building_supplier(building=building, resource=topic.resource, on=on)
        if supplier is not None:
            return Routing(supplier, manager, "supplier")
        return Routing(manager, None, "supplier_not_registered")
    if topic.handler_kind == HandlerKind.CONTRACTOR:
        on = on or timezone.localdate()
        links = (
            ServiceLink.objects.active_on(on)
            .filter(
                uo=manager,
                resource="",
                provider__kinds__kind=OrgKind.CONTRACTOR,
                provider__is_active=True,
            )
            .select_related("provider")[:2]
        )
        links = list(links)
        if len(links) == 1:
            return Routing(links[0].provider, manager, "contractor")
        return Routing(manager, None, "contractor_not_unique")
    return Routing(manager, None, "manager")


def request_insert_numbered(request: ServiceRequest, now: dt.datetime) -> None:
    """Insert ``request`` with its number: the year and the row id ("2026-000123"), unique
    without a counter row to lock. On PostgreSQL the id is claimed from the table's sequence
    first (``numbering.next_id``: a block of ids per process, one query per block), so the row is
    written once, numbered; elsewhere it is numbered right after its insert."""
    request.pk = numbering.next_id(ServiceRequest)
    if request.pk is not None:
        request.number = _number(request.pk, now)
        request.save(force_insert=True)
        return
    request.save(force_insert=True)
    request.number = _number(request.pk, now)
    ServiceRequest.objects.filter(pk=request.pk).update(number=request.number)


def _number(pk: int, now: dt.datetime) -> str:
    return f"{timezone.localtime(now):%Y}-{pk:06d}"


def _check_intake_actor(*, channel, author, actor):
    if channel in (Channel.WEB, Channel.APP):
        if author is None or getattr(actor, "pk", None) != author.pk:
            raise Forbidden(_("В личном кабинете и приложении заявку подаёт сам заявитель"))
    elif channel == Channel.CALL_CENTRE:
        if not who.is_call_operator(actor):
            raise Forbidden(_("Заявку по телефону вносит оператор call-центра"))
    elif not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Нужна авторизация"))


def _check_topic(topic, errors):
    if topic is None:
        errors["topic"] = [_("Выберите тему заявки")]
    elif problem := params.topic_problem(topic):
        errors["topic"] = [problem]


def repeat_window() -> dt.timedelta:
    """R14: how far back an earlier request makes a new one a repeat (a setting)."""
    return dt.timedelta(days=settings.SERVICEDESK_REPEAT_WINDOW_DAYS)


def repeat_chain_head(*, building, premises, topic, now: dt.datetime) -> int | None:
    """R14: the id of the first request of the chain a new request on ``building`` (and
    ``premises`` where both are known) and ``topic`` repeats: the newest request filed within
    the window, or the head of its chain. One query on the (building, created_at) index."""
    qs = ServiceRequest.objects.filter(
        building=building, created_at__gte=now - repeat_window(), topic=topic, is_deleted=False
    )
    if premises is not None:
        qs = qs.filter(Q(premises__isnull=True) | Q(premises=premises))
    row = qs.order_by("-created_at", "-id").values_list("pk", "repeat_of_id").first()
    if row is None:
        return None
    return row[1] or row[0]


def service_request_create(
    *,
    building,
    topic: Topic,
    text: str,
    channel: str,
    author=None,
    caller_name: str = "",
    phone: str = "",
    premises=None,
    actor,
    external_system: str = "",
    external_id: str = "",
    sms_opt_out: bool = False,
) -> ServiceRequest:
    """File a request (R1) and route it (R3) with its deadline from the topic (R2, R15).
    ``sms_opt_out``: the caller asked for no SMS about it (N2, the call centre's form)."""
    if channel not in Channel.values:
        raise Invalid(_("Неизвестный канал поступления"), fields={"channel": [channel]})
    _check_intake_actor(channel=channel, author=author, actor=actor)
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Опишите проблему")]
    _check_topic(topic, errors)
    if building is None:
        errors["building"] = [_("Укажите дом")]
    if premises is not None and building is not None and premises.building_id != building.pk:
        errors["premises"] = [_("Помещение не относится к выбранному дому")]
    caller_name = (caller_name or "").strip()
    if channel == Channel.CALL_CENTRE and not caller_name:
        errors["caller_name"] = [_("Укажите, как обращаться к заявителю")]
    phone = (phone or "").strip() or (getattr(author, "phone", "") if author else "")
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = list(exc.messages)
    if errors:
        raise Invalid(_("Заявка не принята: исправьте поля"), code="invalid", fields=errors)

    # Reads first, outside the transaction: a refusal leaves the caller's transaction usable,
    # and the writes below need no savepoint of their own.
    routing = intake_cache.routing(building=building, topic=topic)
    now = timezone.now()
    repeat_of_id = repeat_chain_head(building=building, premises=premises, topic=topic, now=now)
    request = ServiceRequest(
        channel=channel,
        external_system=external_system,
        external_id=external_id,
        author=author,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        caller_name=caller_name or (author.full_name if author else ""),
        phone=phone,
        sms_opt_out=bool(sms_opt_out),
        building=building,
        premises=premises,
        topic=topic,
        text=text,
        is_emergency=topic.is_emergency,
        has_obscene=obscene.contains_obscene(text),
        off_address=is_off_address(author=author, building=building),
        executor_org=routing.executor,
        origin_org=routing.origin,
        deadline_at=deadlines.topic_deadline(topic, now, organization=routing.executor),
        deadline_source=DeadlineSource.TOPIC,
        repeat_of_id=repeat_of_id,
    )
    with transaction.atomic(savepoint=False):
        request_insert_numbered(request, now)
        event = events.record_event(
            request=request,
            action=Action.CREATE,
            actor=actor,
            at=now,
            from_status="",
            to_status=request.status,
            data={
                "channel": channel,
                "routing": routing.rule,
                "executor_org_id": routing.executor.pk,
                "deadline_at": request.deadline_at.isoformat(),
                "has_obscene": request.has_obscene,
                "repeat_of_id": repeat_of_id,
            },
        )
        events.notify_resident(request, event)
    return request


# --- Parameters -----------------------------------------------------------------------------


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_params(transition: Transition, request, params: dict, now) -> dict:
    """Unknown parameters are a programming error shown clearly; missing mandatory ones are
    named; bad values get a field message. Nothing here writes."""
    mandatory = transition.requires + conditional_requirements(transition, request)
    required = set(mandatory)
    known = required | set(transition.optional) | set(transition.conditional_params)
    unknown = sorted(set(params) - known)
    if unknown:
        raise Invalid(
            _("Действие «%(action)s» не принимает: %(names)s")
            % {"action": transition.label, "names": ", ".join(unknown)},
            code="unknown_param",
        )
    missing = [name for name in mandatory if _is_blank(params.get(name))]
    if missing:
        labels = ", ".join(str(PARAMS[name].label) for name in missing)
        raise Invalid(
            _("Для действия «%(action)s» не заполнено: %(labels)s")
            % {"action": transition.label, "labels": labels},
            code="required",
            fields={name: [_("Обязательное поле")] for name in missing},
        )
    cleaned, errors = {}, {}
    for name, value in params.items():
        if _is_blank(value) and name not in required:
            continue
        try:
            cleaned[name] = PARAMS[name].clean(value, request=request, now=now)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        labels = ", ".join(str(PARAMS[name].label) for name in errors)
        raise Invalid(
            _("Неверно заполнено: %(labels)s") % {"labels": labels}, code="invalid", fields=errors
        )
    return cleaned


# --- Effects: one small function per action --------------------------------------------------


@dataclass
class Context:
    request: ServiceRequest  # the locked row; effects change its fields in memory only
    actor: object
    actor_org: Organization | None
    params: dict
    now: dt.datetime
    data: dict = field(default_factory=dict)  # extra facts for the history row
    document: object = None

    def refuse(self, message, *, field_name=None, code="not_allowed"):
        fields = {field_name: [message]} if field_name else None
        raise Invalid(message, code=code, fields=fields)


def _accept(ctx):
    if ctx.request.accepted_at is None:
        ctx.request.accepted_at = ctx.now


def _postpone(ctx):
    ctx.request.postponed_until = ctx.params["until"]


def _resume(ctx):
    ctx.request.postponed_until = None


def _extend_deadline(ctx):
    new = ctx.params["deadline"]
    if new <= ctx.request.deadline_at:
        current = timezone.localtime(ctx.request.deadline_at).strftime("%d.%m.%Y %H:%M")
        ctx.refuse(
            _("Продлить можно только на срок позже текущего (%(current)s)") % {"current": current},
            field_name="deadline",
        )
    ctx.request.deadline_at = new
    ctx.request.deadline_source = DeadlineSource.EXTENDED
    ctx.request.deadline_reason = ctx.params["reason"]


def _set_deadline(ctx):
    ctx.request.deadline_at = ctx.params["deadline"]
    ctx.request.deadline_source = DeadlineSource.MANUAL
    ctx.request.deadline_reason = ctx.params["reason"]


def _change_topic(ctx):
    request, topic = ctx.request, ctx.params["topic"]
    if topic.pk == request.topic_id:
        ctx.refuse(_("У заявки уже эта тема"), field_name="topic")
    request.topic = topic
    request.is_emergency = topic.is_emergency
    if request.deadline_source == DeadlineSource.TOPIC:
        # The new topic's term, counted from the filing: a deadline set or extended by hand
        # stays as it was.
        request.deadline_at = deadlines.topic_deadline(
            topic, request.created_at, organization=request.executor_org
        )


def _redirect(ctx):
    request, params = ctx.request, ctx.params
    org = params.get("organization")
    department, employee = params.get("department"), params.get("employee")
    if org is None and department is None and employee is None:
        ctx.refuse(
            _("Укажите, кому передать заявку: организацию, подразделение или сотрудника"),
            field_name="organization",
        )
    named = "organization" if org is not None else ("employee" if employee else "department")
    org = org or (employee.organization if employee else department.organization)
    # R5: only an organisation that may execute on the building (the form offers the same).
    if not redirect_organizations(request=request).filter(pk=org.pk).exists():
        ctx.refuse(
            _(
                "%(org)s не может исполнять заявки по дому %(address)s: передать заявку можно "
                "управляющей организации дома по реестру управления и её ресурсоснабжающим и "
                "подрядным организациям"
            )
            % {"org": org.short_name, "address": request.building.address},
            field_name=named,
            code="organization_not_serving",
        )
    if department is not None and department.organization_id != org.pk:
        ctx.refuse(
            _("Подразделение «%(dep)s» не относится к организации «%(org)s»")
            % {"dep": department.name, "org": org.short_name},
            field_name="department",
            code="department_of_other_org",
        )
    if employee is not None and employee.organization_id != org.pk:
        ctx.refuse(
            _("Сотрудник не работает в организации «%(org)s»") % {"org": org.short_name},
            field_name="employee",
            code="employee_of_other_org",
        )
    if employee is not None and department is not None and employee.department_id != department.pk:
        ctx.refuse(
            _("Сотрудник не работает в подразделении «%(dep)s»") % {"dep": department.name},
            field_name="employee",
            code="employee_of_other_department",
        )
    if employee is not None and department is None:
        department = employee.department
    moves_org = org.pk != request.executor_org_id
    unchanged = (
        not moves_org
        and getattr(department, "pk", None) == request.executor_department_id
        and getattr(employee, "pk", None) == request.executor_employee_id
    )
    if unchanged:
        ctx.refuse(_("Заявка уже у этого исполнителя"), field_name="organization")
    keep_control = params.get("keep_control", False)
    if keep_control and not moves_org:
        ctx.refuse(
            _("Оставить заявку на контроле можно при передаче другой организации"),
            field_name="keep_control",
        )
    actor_org = ctx.actor_org
    if moves_org:
        if keep_control:
            request.controller_org = actor_org
        elif actor_org is not None and request.controller_org_id == actor_org.pk:
            request.controller_org = None  # the controller lets it go: responsibility moves
        if request.controller_org_id == org.pk:
            request.controller_org = None  # back with the controller itself
        if org.has_kind(OrgKind.UO):
            request.origin_org = None
        elif actor_org is not None and actor_org.has_kind(OrgKind.UO):
            request.origin_org = actor_org
        request.executor_org = org
    request.executor_department = department
    request.executor_employee = employee
    ctx.data.update(
        {
            "to_organization_id": org.pk,
            "to_department_id": getattr(department, "pk", None),
            "to_employee_id": getattr(employee, "pk", None),
            "keep_control": keep_control,
        }
    )


def _reject(ctx):
    request, code = ctx.request, ctx.params["reject_reason"]
    # The obscene and reopen-without-reason grounds are checked by the parameter itself
    # (``workflow.REJECT_GROUND_CONDITIONS``, R6).
    if (
        code == RejectReason.NOT_OUR_ZONE
        and request.origin_org_id
        and request.origin_org_id != request.executor_org_id
    ):
        ctx.refuse(
            _("Заявка получена от управляющей организации: если она не в вашей зоне, "
              "верните её в УО"),
            field_name="reject_reason",
        )  # fmt: skip
    request.reject_reason = code
    request.closed_at = ctx.now
    request.postponed_until = None
    ctx.data["has_obscene"] = request.has_obscene


def _return_to_uo(ctx):
    request = ctx.request
    uo = request.origin_org
    ctx.data["returned_by_org_id"] = request.executor_org_id
    ctx.data["returned_to_org_id"] = uo.pk
    request.executor_org = uo
    request.executor_department = None
    request.executor_employee = None
    if request.controller_org_id == uo.pk:
        request.controller_org = None
    request.origin_org = None
    request.return_reason = ctx.params["return_reason"]
    request.returns_count += 1
    request.postponed_until = None


def _dispatch_crew(ctx):
    request = ctx.request
    request.crew_dispatched_at = ctx.now
    request.crew_dispatch_late = deadlines.is_crew_dispatch_late(request, ctx.now)
    ctx.data["minutes_since_creation"] = round((ctx.now - request.created_at).total_seconds() / 60)


def _complete(ctx):
    request = ctx.request
    request.completion_report = ctx.params["report"]
    request.done_at = ctx.now
    request.postponed_until = None
    ctx.document = ctx.params.get("document")


def _verify(ctx):
    ctx.document = ctx.params.get("evidence")


def _back_to_executor(ctx):
    ctx.request.done_at = None


def _moderation_approve(ctx):
    ctx.request.final_answer = ctx.params["comment"]
    ctx.document = ctx.params.get("document")


def _close(ctx):
    ctx.request.closed_at = ctx.now


def _close_by_call_centre(ctx):
    request, params = ctx.request, ctx.params
    grounds = params["grounds"]
    if grounds == CloseGrounds.CONFIRMED:
        missing = {
            name: [_("Заявитель должен подтвердить, что претензий нет")]
            for name in ("no_claims_time", "no_claims_quality")
            if not params.get(name)
        }
        if missing:
            raise Invalid(
                _("Закрыть по подтверждению можно, только если у заявителя нет претензий ни к "
                  "сроку, ни к качеству работ"),
                code="not_allowed",
                fields=missing,
            )  # fmt: skip
    elif grounds == CloseGrounds.NO_PHONE:
        if request.phone:
            ctx.refuse(_("В заявке указан телефон: позвоните заявителю"), field_name="grounds")
    elif grounds == CloseGrounds.NO_ANSWER:
        attempts = request.call_attempts.filter(answered=False)
        if request.done_at:
            attempts = attempts.filter(at__gte=request.done_at)
        count, limit = attempts.count(), unanswered_calls_limit()
        ctx.data["unanswered_calls"] = count
        if count <= limit:
            ctx.refuse(
                _("Заявитель не ответил на %(count)s звонк(а/ов); закрыть можно после более "
                  "чем %(limit)s неотвеченных звонков") % {"count": count, "limit": limit},
                field_name="grounds",
            )  # fmt: skip
    ctx.data.update(
        {
            "no_claims_time": bool(params.get("no_claims_time")),
            "no_claims_quality": bool(params.get("no_claims_quality")),
        }
    )
    ctx.document = params.get("document")
    request.closed_at = ctx.now


def _reopen_fields(ctx):
    request = ctx.request
    request.reopen_count += 1
    request.closed_at = None
    request.done_at = None
    request.reject_reason = ""


def _reopen(ctx):
    _reopen_fields(ctx)
    ctx.data["without_reason"] = not ctx.params.get("comment")


def _withdraw(ctx):
    ctx.request.withdraw_reason = ctx.params["withdraw_reason"]
    if ctx.request.withdraw_reason == WithdrawReason.DELETED:
        ctx.refuse(
            _("Чтобы удалить заявку, воспользуйтесь удалением"), field_name="withdraw_reason"
        )
    ctx.request.closed_at = ctx.now
    ctx.request.postponed_until = None


def _rate(ctx):
    request = ctx.request
    request.rating = ctx.params["rating"]
    request.rated_at = ctx.now
    if request.rating == 1:  # M: the request goes back for rework automatically
        _reopen_fields(ctx)
        ctx.data["returned_for_rework"] = True


def _edit(ctx):
    request, params = ctx.request, ctx.params
    if not params:
        ctx.refuse(_("Нечего изменять"), field_name="text")
    if "text" in params:
        request.text = params["text"]
        request.has_obscene = obscene.contains_obscene(request.text)
    if "phone" in params:
        request.phone = params["phone"]
    if "premises" in params:
        request.premises = params["premises"]


def _delete(ctx):
    request = ctx.request
    request.is_deleted = True
    request.deleted_at = ctx.now
    request.withdraw_reason = WithdrawReason.DELETED
    request.closed_at = ctx.now


def _nothing(ctx):
    pass


def _survey_return(ctx):
    """R13: «не удовлетворён» — back to work, marked «на дополнительном контроле»."""
    _reopen_fields(ctx)
    ctx.data["additional_control"] = True


def _appeal(ctx):
    """R13: the resident's appeal of a rejection or a closing; the control body decides by
    the deadline (``SERVICEDESK_APPEAL_WORKING_DAYS`` working days)."""
    from .models import Appeal

    request = ctx.request
    subject = (
        Appeal.Subject.REJECTION if request.status == Status.REJECTED else Appeal.Subject.CLOSING
    )
    due = worktime.add_working_days_deadline(ctx.now, settings.SERVICEDESK_APPEAL_WORKING_DAYS)
    appeal = Appeal.objects.create(
        request=request, author=ctx.actor, subject=subject, text=ctx.params["comment"],
        filed_at=ctx.now, due_at=due,
    )  # fmt: skip
    ctx.data.update(appeal=appeal.pk, due_at=due.isoformat())


def _appeal_decide(decision):
    def effect(ctx):
        from .models import Appeal

        appeal = Appeal.objects.select_for_update().get(request=ctx.request, decision="")
        appeal.decision = decision
        appeal.reason = ctx.params["reason"]
        appeal.answer = ctx.params["comment"]
        appeal.decided_at = ctx.now
        appeal.decided_by = ctx.actor
        appeal.save(update_fields=["decision", "reason", "answer", "decided_at", "decided_by"])
        ctx.data.update(appeal=appeal.pk, decision=decision, late=appeal.is_overdue)
        if decision == Appeal.Decision.UPHELD:
            _reopen_fields(ctx)

    return effect


EFFECTS: dict[str, Callable[[Context], None]] = {
    Action.ACCEPT: _accept,
    Action.START: _accept,
    Action.POSTPONE: _postpone,
    Action.RESUME: _resume,
    Action.EXTEND_DEADLINE: _extend_deadline,
    Action.SET_DEADLINE: _set_deadline,
    Action.CHANGE_TOPIC: _change_topic,
    Action.REDIRECT: _redirect,
    Action.REJECT: _reject,
    Action.RETURN_TO_UO: _return_to_uo,
    Action.DISPATCH_CREW: _dispatch_crew,
    Action.COMPLETE: _complete,
    Action.VERIFY: _verify,
    Action.VERIFY_RETURN: _back_to_executor,
    Action.MODERATION_APPROVE: _moderation_approve,
    Action.MODERATION_RETURN: _back_to_executor,
    Action.CONFIRM: _close,
    Action.DISPUTE: _nothing,
    Action.CONFLICT_RETURN: _back_to_executor,
    Action.CONFLICT_CLOSE: _close,
    Action.CLOSE_BY_CALL_CENTRE: _close_by_call_centre,
    Action.REOPEN: _reopen,
    Action.WITHDRAW: _withdraw,
    Action.RATE: _rate,
    Action.EDIT: _edit,
    Action.DELETE: _delete,
    Action.SURVEY_RETURN: _survey_return,
    Action.APPEAL: _appeal,
    Action.APPEAL_UPHOLD: _appeal_decide("upheld"),
    Action.APPEAL_DISMISS: _appeal_decide("dismissed"),
}


# --- The transition ---------------------------------------------------------------------


def check_allowed(transition: Transition, request, actor) -> None:
    """Status, party and guards, in that order: raises ``Conflict`` (a deleted request, the
    status, a guard) or ``Forbidden`` (not the party) with a message naming the obstacle."""
    if request.is_deleted:
        raise Conflict(_("Заявка удалена заявителем"), code="deleted")
    if request.status not in transition.sources:
        raise Conflict(
            _("Действие «%(action)s» недоступно для заявки в статусе «%(status)s»")
            % {"action": transition.label, "status": Status(request.status).label},
            code="invalid_status",
        )
    if not any(party(actor, request) for party in transition.who):
        parties = ", ".join(party.label for party in transition.who)
        raise Forbidden(
            _("Действие «%(action)s» по этой заявке может выполнить только: %(parties)s")
            % {"action": transition.label, "parties": parties}
        )
    for guard in transition.guards:
        if not guard.check(request, actor):
            raise Conflict(str(guard.message), code=guard.name)


def _lock_request(pk) -> ServiceRequest:
    """Lock the row for the whole transition: a second dispatcher acting on the same request
    waits here and then sees the first one's result (PostgreSQL; SQLite serialises writers and
    the version compare-and-set below refuses the stale one)."""
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("executor_org", "origin_org", "building__territory", "author")
        .get(pk=pk)
    )


_SKIP_IN_DIFF = {"updated_at", "version"}


def _snapshot(request) -> dict:
    return {
        f.attname: getattr(request, f.attname)
        for f in request._meta.concrete_fields
        if f.attname not in _SKIP_IN_DIFF
    }


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _stale():
    return Stale(
        _("Заявку только что изменил другой пользователь. Обновите страницу и повторите действие.")
    )


def service_request_transition(
    *,
    request: ServiceRequest,
    action: str,
    actor,
    expected_version: int | None = None,
    occurred_at: dt.datetime | None = None,
    **params,
) -> ServiceRequest:
    """Perform ``action`` on ``request`` as ``actor`` with the action's ``params`` (see
    ``workflow.PARAMS``). ``expected_version`` is the version the actor saw (by default the one
    of the ``request`` object passed in); if the request changed since, nothing is done.

    ``occurred_at`` (S8): an action done during a system failure and entered afterwards with
    its real time — the history row and the milestones carry that time, the row is marked a
    late entry with the moment it was entered (``late_entry_time``).

    Returns the request with its new state (the object passed in is refreshed too)."""
    transition = transition_for(action)
    if transition is None or action == Action.CREATE:
        raise Invalid(_("Неизвестное действие: %(a)s") % {"a": action}, code="unknown")
    expected = request.version if expected_version is None else expected_version
    with transaction.atomic():
        locked = _lock_request(request.pk)
        if locked.version != expected:
            raise _stale()
        check_allowed(transition, locked, actor)
        now = timezone.now()
        cleaned = _clean_params(transition, locked, params, now)
        at = now if occurred_at is None else late_entry_time(locked, occurred_at, now)
        ctx = Context(
            request=locked, actor=actor, actor_org=roles.organization_of(actor), params=cleaned,
            now=at,
        )  # fmt: skip
        if occurred_at is not None:
            ctx.data["late_entry"] = {"entered_at": now.isoformat()}
        from_status = locked.status
        target = target_of(transition, locked, cleaned)
        before = _snapshot(locked)
        EFFECTS[transition.action](ctx)
        if locked.deadline_at != before["deadline_at"]:
            # R14: a moved deadline is watched afresh (it can be missed again).
            locked.overdue_flagged_at = None
            locked.overdue_without_notice = False
        locked.status = target  # the one place a request's status is assigned
        after = _snapshot(locked)
        changed = {name: value for name, value in after.items() if before[name] != value}
        updated = ServiceRequest.objects.filter(pk=locked.pk, version=expected).update(
            **changed, version=F("version") + 1, updated_at=now
        )
        if updated != 1:
            raise _stale()
        data = {name: _jsonable(cleaned[name]) for name in cleaned if PARAMS[name].kind.recorded}
        data.update(ctx.data)
        data["changes"] = {
            name: [_jsonable(before[name]), _jsonable(after[name])] for name in changed
        }
        event = events.record_event(
            request=locked,
            action=transition.action,
            actor=actor,
            at=at,
            from_status=from_status,
            to_status=target,
            reason=cleaned.get("reason", ""),
            comment=cleaned.get("comment", ""),
            data=data,
            document=ctx.document,
        )
        word_changed = resident_status_word(from_status) != resident_status_word(target)
        if transition.notify and (word_changed or event.comment):
            events.notify_resident(locked, event)
        elif word_changed:
            # The author's own actions (confirm, withdraw, reopen) tell the author nothing,
            # but the residents who pressed «У меня тоже» learn of them (issue 13).
            events.notify_subscribers(locked, event)
    request.refresh_from_db()
    return request


@dataclass
class BulkAcceptResult:
    """What a bulk accept did: the numbers accepted, and (number, reason) of each refused one."""

    accepted: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def service_request_bulk_accept(
    *, actor, rows: list[tuple[int, int]], comment: str
) -> BulkAcceptResult:
    """Accept the requests ``rows`` — (pk, the version the actor saw) — with one public comment
    (R4).

    Decision: one transaction for the user's action, one savepoint per request (each one goes
    through ``service_request_transition``, whose own transaction nests). A request that may
    not be accepted any more (someone else took it, it changed since the page was drawn, it is
    not ours) is left as it is and named with the reason; the others are accepted."""
    visible = {
        sr.pk: sr
        for sr in requests_visible_to(actor)
        .filter(pk__in=[pk for pk, _version in rows])
        .select_related("executor_org", "origin_org", "building__territory")
    }
    result = BulkAcceptResult()
    with transaction.atomic():
        for pk, version in rows:
            sr = visible.get(pk)
            if sr is None:
                result.refused.append((str(pk), _("заявка недоступна")))
                continue
            try:
                service_request_transition(
                    request=sr,
                    action=Action.ACCEPT,
                    actor=actor,
                    expected_version=version,
                    comment=comment,
                )
            except ServiceError as exc:
                result.refused.append((sr.number, exc.message))
            else:
                result.accepted.append(sr.number)
    return result


def allowed_actions(request: ServiceRequest, user) -> list[Transition]:
    """The actions ``user`` may take on ``request`` now (for buttons and the API), read from the
    table: status, party and guards; parameters are asked for by the form."""
    if request.is_deleted:
        return []
    result = []
    for transition in BY_TABLE_ORDER:
        if request.status not in transition.sources:
            continue
        if not any(party(user, request) for party in transition.who):
            continue
        if all(guard.check(request, user) for guard in transition.guards):
            result.append(transition)
    return result


def required_params(transition: Transition, request: ServiceRequest) -> tuple[str, ...]:
    """The mandatory parameters of ``transition`` for this request (for forms)."""
    return transition.requires + conditional_requirements(transition, request)


# The starting text of a parameter's field, offered by another app (the work-order app fills the
# completion report with its work order's works, R9 / U 3.5.2е, issue 12): {(action, param):
# provider(request) -> str}. Registered in that app's ``AppConfig.ready`` — this app must not
# import it (the dependency runs from work orders to requests).
PREFILLS: dict[tuple[str, str], Callable[[ServiceRequest], str]] = {}


def prefill_register(action: str, param: str, provider: Callable[[ServiceRequest], str]) -> None:
    PREFILLS[(str(action), param)] = provider


def param_prefill(action: str, param: str, request: ServiceRequest) -> str:
    """The text a form (or an app through the API) starts ``param`` of ``action`` with; ""."""
    provider = PREFILLS.get((str(action), param))
    return (provider(request) or "") if provider is not None else ""


def _table_order():
    from .workflow import TRANSITIONS

    missing = {t.action for t in TRANSITIONS} - set(EFFECTS)
    assert not missing, f"actions without an effect: {missing}"
    return TRANSITIONS


BY_TABLE_ORDER = _table_order()


# --- The call centre ----------------------------------------------------------------------


@transaction.atomic
def call_attempt_log(
    *, request: ServiceRequest, actor, answered: bool, note: str = "", at=None
) -> CallAttempt:
    """A call-centre call to the resident about ``request`` (R11)."""
    if not who.is_call_operator(actor):
        raise Forbidden(_("Звонки заявителям отмечает оператор call-центра"))
    if not request.phone:
        raise Invalid(
            _("В заявке нет телефона заявителя"), code="no_phone", fields={"phone": [_("Пусто")]}
        )
    return CallAttempt.objects.create(
        request=request,
        operator=actor,
        at=at or timezone.now(),
        phone=request.phone,
        answered=bool(answered),
        note=(note or "").strip()[:500],
    )


@transaction.atomic
def call_register(
    *,
    actor,
    outcome: str,
    phone: str = "",
    caller_name: str = "",
    building=None,
    request: ServiceRequest | None = None,
    refusal_reason: str = "",
    notes: str = "",
) -> Call:
    """Log an incoming call with its outcome (R1, U 3.2.2б): a request created (linked), a
    consultation, or a refusal with its reason."""
    if not who.is_call_operator(actor):
        raise Forbidden(_("Журнал звонков ведёт оператор call-центра"))
    errors = {}
    if outcome not in Call.Outcome.values:
        errors["outcome"] = [_("Выберите итог звонка")]
    if outcome == Call.Outcome.REQUEST_CREATED and request is None:
        errors["request"] = [_("Укажите созданную заявку")]
    refusal_reason = (refusal_reason or "").strip()
    if outcome == Call.Outcome.REFUSED and not refusal_reason:
        errors["refusal_reason"] = [_("Объясните, почему заявка не может быть создана")]
    phone = (phone or "").strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = list(exc.messages)
    if errors:
        raise Invalid(_("Звонок не записан: исправьте поля"), fields=errors)
    return Call.objects.create(
        operator=actor,
        at=timezone.now(),
        phone=phone,
        caller_name=(caller_name or "").strip(),
        building=building or (request.building if request else None),
        outcome=outcome,
        request=request,
        refusal_reason=refusal_reason,
        notes=(notes or "").strip(),
    )


# --- The deadline watch and the advance notice (R14, Z 4.6–4.7, 6.1.4.1, C6) ----------------

WATCH_BATCH = 1000
KIND_NOT_ACCEPTED = "request.not_accepted"
KIND_OVERDUE = "request.overdue"
KIND_ADVANCE_NOTICE = "request.advance_notice"


def watch_recipients(rows: list[dict]) -> dict[int, list[int]]:
    """Who hears of a broken deadline of each request (Z 4.6–4.7, 6.1.4.1): the dispatchers of
    the executing organisation, the controller organisation's staff while the request is «на
    контроле», and the controllers of the control bodies whose territory holds the building
    (a control body without a territory covers everything). ``rows`` carry ``id``,
    ``executor_org_id``, ``controller_org_id`` and ``territory_path``; two queries."""
    from domovoy.directory.models import Employee

    from .permissions import CONTROLLER_ROLES, DISPATCHER_ROLES

    orgs = {r["executor_org_id"] for r in rows} | {
        r["controller_org_id"] for r in rows if r["controller_org_id"]
    }
    staff = (
        Employee.objects.filter(
            is_active=True,
            user__is_active=True,
            organization_id__in=orgs,
            roles__role__in=CONTROLLER_ROLES,
        )
        .values_list("organization_id", "user_id", "roles__role")
        .distinct()
    )
    dispatchers: dict[int, set[int]] = {}
    controllers: dict[int, set[int]] = {}
    for org_id, user_id, role in staff:
        controllers.setdefault(org_id, set()).add(user_id)
        if role in DISPATCHER_ROLES:
            dispatchers.setdefault(org_id, set()).add(user_id)
    control_body = list(
        Employee.objects.filter(
            is_active=True,
            user__is_active=True,
            organization__kinds__kind=OrgKind.CONTROL,
            roles__role="controller",
        )
        .values_list("user_id", "organization__territory__path")
        .distinct()
    )
    out: dict[int, list[int]] = {}
    for r in rows:
        ids = set(dispatchers.get(r["executor_org_id"], ()))
        if r["controller_org_id"] and r["controller_org_id"] != r["executor_org_id"]:
            ids |= controllers.get(r["controller_org_id"], set())
        path = r["territory_path"] or ""
        ids |= {uid for uid, scope in control_body if not scope or path.startswith(scope)}
        out[r["id"]] = sorted(ids)
    return out


def _watch_intents(rows, *, kind: str, key: str, subject: str, body) -> list:
    recipients = watch_recipients(rows)
    intents = []
    card = reverse("servicedesk:staff_detail", args=["0"])[:-2]  # one reverse per batch
    for r in rows:
        url = f"{card}{r['number']}/"
        for uid in recipients[r["id"]]:
            intents.append(
                events.NoticeIntent(
                    recipient_id=uid,
                    kind=kind,
                    dedup_key=f"request:{r['id']}:{key(r)}:u{uid}",
                    subject=subject % {"number": r["number"]},
                    body=body(r),
                    url=url,
                    group=f"request:{r['id']}:staff",
                )
            )
    return intents


_WATCH_FIELDS = (
    "id",
    "number",
    "status",
    "deadline_at",
    "created_at",
    "executor_org_id",
    "controller_org_id",
)


def watch_rows(q, order: str, limit: int) -> list[dict]:
    """One indexed pass: the unflagged rows a rule caught, locked (a second worker skips
    them)."""
    ids = list(
        ServiceRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(q, is_deleted=False)
        .order_by(order)
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return []
    return list(
        ServiceRequest.objects.filter(id__in=ids)
        .order_by(order)
        .values(*_WATCH_FIELDS, territory_path=F("building__territory__path"))
    )


def _fmt(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


def watch_not_accepted(*, now: dt.datetime, limit: int = WATCH_BATCH) -> int:
    """R14 (Z 4.7): flag the requests nobody accepted within 24 hours, once each; a history
    row and a notice to the executor's dispatchers and its controllers."""
    with transaction.atomic():
        rows = watch_rows(deadlines.not_accepted_watch_q(now), "created_at", limit)
        if not rows:
            return 0
        ServiceRequest.objects.filter(id__in=[r["id"] for r in rows]).update(
            not_accepted_flagged_at=now, updated_at=now
        )
        RequestEvent.objects.bulk_create(
            RequestEvent(
                request_id=r["id"],
                at=now,
                action=Action.FLAG_NOT_ACCEPTED,
                from_status=r["status"],
                to_status=r["status"],
                data={"created_at": r["created_at"].isoformat()},
            )
            for r in rows
        )
        events.notices_enqueue(
            _watch_intents(
                rows,
                kind=KIND_NOT_ACCEPTED,
                key=lambda r: "not_accepted",
                subject=_("Заявка № %(number)s не принята за 24 часа"),
                body=lambda r: (
                    _("Заявка подана %(at)s и до сих пор не принята в работу.")
                    % {"at": _fmt(r["created_at"])}
                ),
            )
        )
    return len(rows)


def watch_overdue(*, now: dt.datetime, limit: int = WATCH_BATCH) -> int:
    """R14 (Z 4.6, C6): flag the requests whose deadline has passed, the minute it passes,
    once per deadline; mark «без предупреждения» those with no advance notice filed for that
    deadline before it passed; a history row and a notice to the executor's dispatchers and
    its controllers."""
    with transaction.atomic():
        rows = watch_rows(deadlines.overdue_watch_q(now), "deadline_at", limit)
        if not rows:
            return 0
        ids = [r["id"] for r in rows]
        noticed = set(
            AdvanceNotice.objects.filter(
                request_id__in=ids, deadline_at=F("request__deadline_at")
            ).values_list("request_id", flat=True)
        )
        warned = [pk for pk in ids if pk in noticed]
        silent = [pk for pk in ids if pk not in noticed]
        for group, flag in ((warned, False), (silent, True)):
            if group:
                ServiceRequest.objects.filter(id__in=group).update(
                    overdue_flagged_at=now, overdue_without_notice=flag, updated_at=now
                )
        RequestEvent.objects.bulk_create(
            RequestEvent(
                request_id=r["id"],
                at=now,
                action=Action.FLAG_OVERDUE,
                from_status=r["status"],
                to_status=r["status"],
                data={
                    "deadline_at": r["deadline_at"].isoformat(),
                    "without_notice": r["id"] not in noticed,
                },
            )
            for r in rows
        )

        def body(r):
            text = _("Срок исполнения %(at)s истёк.") % {"at": _fmt(r["deadline_at"])}
            if r["id"] not in noticed:
                text += " " + _("Исполнитель не предупреждал о срыве срока.")
            return text

        events.notices_enqueue(
            _watch_intents(
                rows,
                kind=KIND_OVERDUE,
                key=lambda r: "overdue:" + r["deadline_at"].isoformat(),
                subject=_("Заявка № %(number)s просрочена"),
                body=body,
            )
        )
    return len(rows)


def deadline_watch(*, now: dt.datetime | None = None, limit: int = WATCH_BATCH) -> dict:
    """The worker's minute (R14): both rules, each one indexed pass over unflagged rows.
    While a system failure that pauses the clocks lasts (S8), nothing is flagged: nobody can
    act in a broken system, and the failure's post moves the deadlines past it."""
    now = now or timezone.now()
    if clocks_paused(now):
        return {"not_accepted": 0, "overdue": 0, "paused": True}
    return {
        "not_accepted": watch_not_accepted(now=now, limit=limit),
        "overdue": watch_overdue(now=now, limit=limit),
    }


def advance_notice_file(
    *, request: ServiceRequest, actor, reasons: str, measures: str, new_date: dt.date | None
) -> AdvanceNotice:
    """R14 (Z 6.1.4.1): the executor warns that it will miss the deadline — reasons, measures
    and a new date. Due 24 hours before the deadline (``deadlines.advance_notice_due_at``); a
    later one is accepted and recorded as late. The deadline itself does not move: the new date
    is a proposal to the control body (docs/decisions.md). One transaction: the notice, a
    history row and notices to the controllers."""
    reasons, measures = (reasons or "").strip(), (measures or "").strip()
    with transaction.atomic():
        locked = _lock_request(request.pk)
        if locked.is_deleted:
            raise Conflict(_("Заявка удалена заявителем"), code="deleted")
        if not actor.has_perm("servicedesk.file_advance_notice", locked):
            raise Forbidden(
                _("Предупредить о срыве срока может только организация-исполнитель заявки")
            )
        if locked.status not in OPEN_STATUSES:
            raise Conflict(
                _("Предупредить о срыве срока можно только по заявке в работе (сейчас «%(s)s»)")
                % {"s": Status(locked.status).label},
                code="invalid_status",
            )
        errors = {}
        if not reasons:
            errors["reasons"] = [_("Укажите причины срыва срока")]
        if not measures:
            errors["measures"] = [_("Укажите принимаемые меры")]
        deadline_day = timezone.localdate(locked.deadline_at)
        if new_date is None:
            errors["new_date"] = [_("Укажите новый срок устранения")]
        elif new_date <= deadline_day:
            errors["new_date"] = [
                _("Новый срок должен быть позже текущего срока (%(d)s)")
                % {"d": deadline_day.strftime("%d.%m.%Y")}
            ]
        if errors:
            first = next(iter(errors.values()))[0]
            raise Invalid(first, code="invalid", fields=errors)
        now = timezone.now()
        late = deadlines.is_advance_notice_late(locked, now)
        notice = AdvanceNotice.objects.create(
            request=locked,
            filed_at=now,
            author=actor,
            organization=roles.organization_of(actor) or locked.executor_org,
            deadline_at=locked.deadline_at,
            reasons=reasons,
            measures=measures,
            new_date=new_date,
            is_late=late,
        )
        events.record_event(
            request=locked,
            action=Action.ADVANCE_NOTICE,
            actor=actor,
            at=now,
            from_status=locked.status,
            to_status=locked.status,
            reason=reasons,
            data={
                "measures": measures,
                "new_date": new_date.isoformat(),
                "deadline_at": locked.deadline_at.isoformat(),
                "late": late,
            },
        )
        ServiceRequest.objects.filter(pk=locked.pk).update(updated_at=now)
        row = {
            "id": locked.pk,
            "number": locked.number,
            "executor_org_id": locked.executor_org_id,
            "controller_org_id": locked.controller_org_id,
            "territory_path": locked.building.territory.path
            if locked.building.territory_id
            else "",
        }
        text = _(
            "Срок %(deadline)s будет сорван. Причины: %(reasons)s. Меры: %(measures)s. "
            "Новый срок: %(new)s."
        ) % {
            "deadline": _fmt(locked.deadline_at),
            "reasons": reasons[:500],
            "measures": measures[:500],
            "new": new_date.strftime("%d.%m.%Y"),
        }
        if late:
            text += " " + _("Предупреждение подано позже чем за 24 часа до срока.")
        events.notices_enqueue(
            _watch_intents(
                [row],
                kind=KIND_ADVANCE_NOTICE,
                key=lambda r: f"advance_notice:{notice.pk}",
                subject=_("Заявка № %(number)s: предупреждение о срыве срока"),
                body=lambda r: text,
            )
        )
    return notice


# --- System failures (S8, G 3.6.2) -----------------------------------------------------------


def clocks_paused(now: dt.datetime) -> bool:
    """Whether a system failure that pauses the deadline clocks lasts at ``now`` (S8)."""
    return SystemFailure.objects.filter(
        pauses_clocks=True, starts_at__lte=now, ends_at__gt=now
    ).exists()


def system_failure_post(
    *,
    actor,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    description: str,
    pauses_clocks: bool = False,
) -> SystemFailure:
    """S8 (G 3.6.2): the operator posts a failure with its period. With ``pauses_clocks`` the
    deadline clocks stop for the period: every open request whose deadline was still running
    at the failure's start gets its deadline moved by the part of the period its clock ran
    (from the start, or from its filing if filed during the failure, to the end); its overdue
    flags are cleared (the new deadline is watched afresh) and a history row says why. One
    transaction."""
    if not actor.has_perm("servicedesk.post_system_failure"):
        raise Forbidden(_("Сообщить о сбое системы может только оператор"))
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = [_("Опишите, что случилось")]
    if starts_at is None:
        errors["starts_at"] = [_("Укажите начало сбоя")]
    if ends_at is None:
        errors["ends_at"] = [_("Укажите окончание сбоя")]
    now = timezone.now()
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = [_("Окончание сбоя должно быть позже его начала")]
    if starts_at and starts_at > now:
        errors["starts_at"] = [_("Сбой, который ещё не начался, публиковать рано")]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], code="invalid", fields=errors)
    with transaction.atomic():
        failure = SystemFailure.objects.create(
            starts_at=starts_at,
            ends_at=ends_at,
            description=description,
            pauses_clocks=pauses_clocks,
            posted_by=actor,
            posted_at=now,
        )
        if pauses_clocks:
            failure.requests_moved = _pause_clocks(failure, actor=actor, now=now)
            failure.save(update_fields=["requests_moved"])
    # The action forms offer late entries at once.
    cache.delete("servicedesk:late_entries_open")
    return failure


def _pause_clocks(failure: SystemFailure, *, actor, now) -> int:
    rows = list(
        ServiceRequest.objects.select_for_update(of=("self",))
        .filter(
            status__in=sorted(OPEN_STATUSES),
            is_deleted=False,
            deadline_at__gte=failure.starts_at,
            created_at__lt=failure.ends_at,
        )
        .only("id", "deadline_at", "created_at", "status", "version")
    )
    for sr in rows:
        old = sr.deadline_at
        sr.deadline_at = old + (failure.ends_at - max(failure.starts_at, sr.created_at))
        sr.overdue_flagged_at = None
        sr.overdue_without_notice = False
        sr.version += 1
        sr.updated_at = now
        sr._old_deadline = old
    ServiceRequest.objects.bulk_update(
        rows,
        ["deadline_at", "overdue_flagged_at", "overdue_without_notice", "version", "updated_at"],
        batch_size=1000,
    )
    RequestEvent.objects.bulk_create(
        (
            RequestEvent(
                request_id=sr.pk,
                at=now,
                actor=actor,
                actor_org=roles.organization_of(actor),
                action=Action.CLOCK_PAUSE,
                from_status=sr.status,
                to_status=sr.status,
                reason=failure.description[:1000],
                data={
                    "failure": failure.pk,
                    "changes": {
                        "deadline_at": [sr._old_deadline.isoformat(), sr.deadline_at.isoformat()]
                    },
                    "deadline": sr.deadline_at.isoformat(),
                },
            )
            for sr in rows
        ),
        batch_size=1000,
    )
    return len(rows)


def late_entry_time(request: ServiceRequest, occurred_at: dt.datetime, now: dt.datetime):
    """S8: the real time of an action entered afterwards must lie inside a posted system
    failure, be in the past and not before the request's last history row (the history stays
    in order). Returns it; refuses with the field named otherwise."""

    def refuse(message):
        raise Invalid(message, code="late_entry", fields={"occurred_at": [message]})

    if occurred_at > now:
        refuse(_("Фактическое время не может быть в будущем"))
    if not SystemFailure.objects.filter(
        starts_at__lte=occurred_at, ends_at__gte=occurred_at
    ).exists():
        refuse(_("Задним числом вносятся только действия за время опубликованного сбоя системы"))
    last = request.events.order_by("-at").values_list("at", flat=True).first()
    if last is not None and occurred_at < last:
        refuse(
            _("Фактическое время раньше последнего события заявки (%(at)s)")
            % {"at": timezone.localtime(last).strftime("%d.%m.%Y %H:%M")}
        )
    return occurred_at


# --- Issue 13: «У меня тоже» -------------------------------------------------------------------


def _check_join(*, request: ServiceRequest, user) -> None:
    """Why ``user`` may not join ``request`` (the rule is ``servicedesk.join_request``; this
    names the failed condition for the page and the API)."""
    from .selectors import resident_lives_in

    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_resident", False)):
        raise Forbidden(_("Присоединиться к заявке может только житель"))
    if request.is_deleted:
        raise Conflict(_("Заявка удалена заявителем"), code="deleted")
    if request.topic.is_personal:
        raise Forbidden(
            _("Эта заявка касается одной квартиры: присоединиться к ней нельзя"), code="personal"
        )
    if request.status in FINAL_STATUSES:
        raise Conflict(
            _("Заявка уже закрыта (статус «%(word)s»): если проблема осталась, подайте новую")
            % {"word": resident_status_word(request.status)},
            code="invalid_status",
        )
    if request.author_id == user.pk:
        raise Conflict(_("Это ваша заявка: вы и так получаете уведомления о ней"), code="own")
    if not resident_lives_in(user=user, building=request.building):
        raise Forbidden(
            _("Присоединиться можно только к заявкам по дому, где у вас есть лицевой счёт"),
            code="other_building",
        )


@transaction.atomic
def me_too_add(*, request: ServiceRequest, user) -> bool:
    """«У меня тоже»: ``user`` (a resident of the building) joins somebody else's open public
    request — counted on it and subscribed to its status notices. Idempotent: pressing twice
    counts once. Returns True when the press was new."""
    from .models import MeToo

    request = _lock_request(request.pk)
    _check_join(request=request, user=user)
    _row, created = MeToo.objects.get_or_create(request=request, user=user)
    if created:
        ServiceRequest.objects.filter(pk=request.pk).update(me_too_count=F("me_too_count") + 1)
    return created


@transaction.atomic
def me_too_remove(*, request: ServiceRequest, user) -> bool:
    """Withdraw «У меня тоже»: no longer counted nor told. Returns True when there was a press
    to withdraw (withdrawing twice changes nothing)."""
    from .models import MeToo

    request = _lock_request(request.pk)
    deleted, _detail = MeToo.objects.filter(request=request, user=user).delete()
    if deleted:
        ServiceRequest.objects.filter(pk=request.pk, me_too_count__gt=0).update(
            me_too_count=F("me_too_count") - 1
        )
    return bool(deleted)
