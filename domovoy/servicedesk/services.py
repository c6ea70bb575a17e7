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
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
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
    Call,
    CallAttempt,
    Channel,
    DeadlineSource,
    HandlerKind,
    ServiceRequest,
    Topic,
)
from .resident_words import status_word as resident_status_word
from .selectors import is_off_address, redirect_organizations, requests_visible_to
from .workflow import (
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
    *, request: ServiceRequest, action: str, actor, expected_version: int | None = None, **params
) -> ServiceRequest:
    """Perform ``action`` on ``request`` as ``actor`` with the action's ``params`` (see
    ``workflow.PARAMS``). ``expected_version`` is the version the actor saw (by default the one
    of the ``request`` object passed in); if the request changed since, nothing is done.

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
        ctx = Context(
            request=locked, actor=actor, actor_org=roles.organization_of(actor), params=cleaned,
            now=now,
        )  # fmt: skip
        from_status = locked.status
        target = target_of(transition, locked, cleaned)
        before = _snapshot(locked)
        EFFECTS[transition.action](ctx)
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
            at=now,
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
