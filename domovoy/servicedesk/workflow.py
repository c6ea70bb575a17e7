"""The request workflow (R4–R6, R8–R12): ONE declarative table of what may happen to a request.

Each row of ``TRANSITIONS`` says: from which statuses an action is allowed, the status it leads
to (a status, ``SAME``, or a named route that picks one of a few statuses), who may do it
(named predicates from ``permissions``), which parameters are mandatory and which optional,
the conditions on the request itself (guards) and whether the resident is told (N2).

The service layer (``services.service_request_transition``), ``allowed_actions`` for pages and
the API, and the tests all read this table; the effect of each action on the request's fields
is a small function in ``services`` (``EFFECTS``). Status is assigned nowhere else.

Sources of the rules, by action:
- accept / start: K 3 item 1 (the executor chooses «Открыто», «Принято» or «В работе»);
  accepting and taking into work need a public comment (R4).
- postpone, extend_deadline, change_topic, reject «not our zone»: U 3.4.1б–д, each with a
  reason (R6); reject for obscene language (only a text the detector flagged) or a reopen
  without a reason: K 3. The grounds are a closed list (no «Иное», no «Повторная»).
- set_deadline: K 3 / R2 — only the executor's dispatcher or a controller, with a reason,
  logged as its own action apart from extensions.
- redirect with or without control, moderation: K 3.2 / R5.
- return_to_uo: U 3.5.2г, G 3.4.2 / R6.
- dispatch_crew: U 3.5.2д / R8 (within 30 minutes of creation, otherwise flagged late).
- complete with a works-done report: U 3.5.2е / R9.
- verify / verify_return: U 3.4.2в, G 3.3.2 / R10.
- confirm, dispute, conflict_*: R10 (G 2.3); close_by_call_centre: U 3.2.1а, 3.2.2г / R11.
- reopen, withdraw, rate (1 returns for rework), edit, delete: K 3, M / R12.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import params
from . import permissions as who


class Status(models.TextChoices):
    NEW = "new", _("Открыто")
    ACCEPTED = "accepted", _("Принято")
    IN_WORK = "in_work", _("В работе")
    POSTPONED = "postponed", _("Отложено")
    REOPENED = "reopened", _("Переоткрыто")
    VERIFICATION = "verification", _("На проверке УО")
    MODERATION = "moderation", _("На модерации")
    DONE = "done", _("Выполнено")
    CONFLICT = "conflict", _("Конфликтная ситуация")
    CLOSED = "closed", _("Завершено")
    REJECTED = "rejected", _("Отклонено")
    WITHDRAWN = "withdrawn", _("Отозвано заявителем")


class Action(models.TextChoices):
    CREATE = "create", _("Создать")  # not a transition: the history row of intake
    ACCEPT = "accept", _("Принять")
    START = "start", _("Взять в работу")
    POSTPONE = "postpone", _("Отложить")
    RESUME = "resume", _("Возобновить")
    EXTEND_DEADLINE = "extend_deadline", _("Продлить срок")
    SET_DEADLINE = "set_deadline", _("Установить срок вручную")
    CHANGE_TOPIC = "change_topic", _("Изменить тему")
    REDIRECT = "redirect", _("Перенаправить")
    REJECT = "reject", _("Отклонить")
    RETURN_TO_UO = "return_to_uo", _("Вернуть в УО")
    DISPATCH_CREW = "dispatch_crew", _("Направлена аварийная бригада")
    COMPLETE = "complete", _("Выполнено")
    VERIFY = "verify", _("Подтвердить выполнение")
    VERIFY_RETURN = "verify_return", _("Вернуть исполнителю (проверка)")
    MODERATION_APPROVE = "moderation_approve", _("Завершить с итоговым ответом")
    MODERATION_RETURN = "moderation_return", _("Вернуть исполнителю (модерация)")
    CONFIRM = "confirm", _("Подтвердить и закрыть")
    DISPUTE = "dispute", _("Не подтверждаю выполнение")
    CONFLICT_RETURN = "conflict_return", _("Вернуть исполнителю (конфликт)")
    CONFLICT_CLOSE = "conflict_close", _("Закрыть конфликт")
    CLOSE_BY_CALL_CENTRE = "close_by_call_centre", _("Закрыть (call-центр)")
    REOPEN = "reopen", _("Переоткрыть")
    WITHDRAW = "withdraw", _("Отозвать")
    RATE = "rate", _("Оценить")
    EDIT = "edit", _("Изменить")
    DELETE = "delete", _("Удалить")
    # Not transitions: history rows of the deadline watch and the advance notice (R14).
    FLAG_NOT_ACCEPTED = "flag_not_accepted", _("Не принята за 24 часа")
    FLAG_OVERDUE = "flag_overdue", _("Срок исполнения истёк")
    ADVANCE_NOTICE = "advance_notice", _("Предупреждение о срыве срока")
    CLOCK_PAUSE = "clock_pause", _("Срок перенесён на время сбоя системы")

    # R13 (M 115.бел): the survey's «не удовлетворён» and the appeal of a closing or rejection.
    SURVEY_RETURN = "survey_return", _("Не удовлетворён: на дополнительный контроль")
    APPEAL = "appeal", _("Обжаловать")
    APPEAL_UPHOLD = "appeal_uphold", _("Жалоба обоснована: вернуть в работу")
    APPEAL_DISMISS = "appeal_dismiss", _("Жалоба не обоснована")


# History rows written outside the workflow table (intake, the deadline watch, R14).
NON_TRANSITION_ACTIONS = frozenset(
    {
        Action.CREATE,
        Action.FLAG_NOT_ACCEPTED,
        Action.FLAG_OVERDUE,
        Action.ADVANCE_NOTICE,
        Action.CLOCK_PAUSE,
    }
)


class RejectReason(models.TextChoices):
    """R6: the closed list of grounds the regulations name, and nothing else — U 3.4.1г (not
    the UO's zone of responsibility) and K 3 (obscene language; a reopen without a reason).
    A repeat request is linked to the earlier one, never rejected."""

    NOT_OUR_ZONE = "not_our_zone", _("Не относится к зоне ответственности")
    OBSCENE = "obscene", _("Нецензурная лексика")
    REOPEN_WITHOUT_REASON = "reopen_without_reason", _("Переоткрыто без пояснения причины")


class ReturnReason(models.TextChoices):
    FAULT_NOT_CONFIRMED = "fault_not_confirmed", _("Неисправность не подтверждается")
    OUTSIDE_ZONE = "outside_zone", _("Вне зоны ответственности организации")


class WithdrawReason(models.TextChoices):
    NO_LONGER_RELEVANT = "no_longer_relevant", _("Вопрос неактуален")
    ALREADY_DONE = "already_done", _("Работы уже выполнены")
    DELETED = "deleted", _("Удалена заявителем")


class CloseGrounds(models.TextChoices):
    CONFIRMED = "confirmed", _("Заявитель подтвердил выполнение, претензий нет")
    NO_PHONE = "no_phone", _("В заявке нет телефона заявителя")
    NO_ANSWER = "no_answer", _("Заявитель не ответил более чем на 3 звонка")


# The words residents read for statuses and actions: ``resident_words`` (R4, M 115.бел).


# Statuses in which the request is still with an executor (lists, deadline control, R14).
OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ACCEPTED, Status.IN_WORK, Status.POSTPONED, Status.REOPENED}
)
# Awaiting someone's check after the executor finished.
CHECK_STATUSES = frozenset({Status.VERIFICATION, Status.MODERATION, Status.DONE, Status.CONFLICT})
FINAL_STATUSES = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN})
BEFORE_COMPLETION = OPEN_STATUSES | {Status.VERIFICATION, Status.MODERATION}


# --- Parameters ----------------------------------------------------------------------------


def _text_flagged_obscene(request) -> bool:
    """K 3: «нецензурная лексика» only for a text the obscene detector flagged (R16)."""
    return bool(request.has_obscene)


def _reopened_without_reason(request) -> bool:
    """K 3: the resident reopened the request and wrote no comment."""
    if request.status != Status.REOPENED:
        return False
    last = (
        request.events.filter(action__in=(Action.REOPEN, Action.RATE), to_status=Status.REOPENED)
        .order_by("-at", "-id")
        .first()
    )
    return last is not None and not last.comment.strip()


# R6: a ground of rejection that holds only when the request itself shows it.
REJECT_GROUND_CONDITIONS = {
    RejectReason.OBSCENE: (
        _text_flagged_obscene,
        _(
            "Отклонить за нецензурную лексику можно только заявку, текст которой отмечен "
            "как содержащий нецензурную лексику"
        ),
    ),
    RejectReason.REOPEN_WITHOUT_REASON: (
        _reopened_without_reason,
        _(
            "Отклонить как «переоткрыто без причины» можно только переоткрытую заявку, "
            "к которой заявитель не написал комментарий"
        ),
    ),
}


@dataclass(frozen=True)
class Param:
    """A parameter of an action: its Russian label (for errors and forms) and its kind
    (``params.Kind``: how the service cleans it, which form field and which API field read
    it)."""

    name: str
    label: str
    kind: params.Kind = params.TEXT
    public: bool = False  # shown to the resident

    @property
    def choices(self) -> type[models.TextChoices] | None:
        return self.kind.choices

    def clean(self, value, *, request, now):
        return self.kind.clean(self, value, request=request, now=now)


PARAMS: dict[str, Param] = {
    p.name: p
    for p in (
        Param("comment", _("публичный комментарий"), public=True),
        Param("reason", _("причина")),
        Param("report", _("отчёт о выполненных работах")),
        Param("deadline", _("новый срок"), params.DATETIME),
        Param("until", _("дата, до которой заявка отложена"), params.DATE),
        Param("topic", _("тема"), params.TOPIC),
        Param("organization", _("организация-исполнитель"), params.ORGANIZATION),
        Param("department", _("подразделение"), params.DEPARTMENT),
        Param("employee", _("сотрудник"), params.EMPLOYEE),
        Param("keep_control", _("оставить на контроле"), params.BOOL),
        Param(
            "reject_reason",
            _("основание отклонения"),
            params.grounds(RejectReason, REJECT_GROUND_CONDITIONS),
        ),
        Param("return_reason", _("основание возврата"), params.choice(ReturnReason)),
        Param("withdraw_reason", _("причина отзыва"), params.choice(WithdrawReason)),
        Param("grounds", _("основание закрытия"), params.choice(CloseGrounds)),
        Param("no_claims_time", _("нет претензий к сроку"), params.BOOL),
        Param("no_claims_quality", _("нет претензий к качеству"), params.BOOL),
        Param("rating", _("оценка"), params.RATING),
        Param("document", _("подтверждающий документ"), params.FILE),
        Param("evidence", _("акт или карточка контроля качества"), params.FILE),
        Param("text", _("текст заявки")),
        Param("phone", _("контактный телефон"), params.PHONE),
        Param("premises", _("помещение"), params.PREMISES),
    )
}


# --- Targets: a status, SAME, or a named route ------------------------------------------------


class _Same:
    def __repr__(self):
        return "SAME"


SAME = _Same()


@dataclass(frozen=True)
class Route:
    """A target chosen by the request's state: ``pick(request, params) -> Status``."""

    name: str
    pick: Callable
    possible: tuple[Status, ...]


def _completion_target(request, params):
    """K 3.2: on control, the executor's completion goes to the controller's moderation.
    U 3.4.2в: a contractor's completion of a UO's request goes to the UO's verification.
    Otherwise the executor's word is final until the resident confirms."""
    if request.controller_org_id and request.controller_org_id != request.executor_org_id:
        return Status.MODERATION
    if request.origin_org_id and request.executor_is_contractor:
        return Status.VERIFICATION
    return Status.DONE


def _rating_target(request, params):
    """M: the rating «1» returns the request for rework automatically."""
    return Status.REOPENED if params.get("rating") == 1 else request.status


def _redirect_target(request, params):
    """K 3.2: another organisation starts again from «Открыто» (it has to accept it); a move to
    a department or an employee inside the organisation keeps the status."""
    organization = params.get("organization")
    if organization is not None and organization.pk != request.executor_org_id:
        return Status.NEW
    return request.status


COMPLETION = Route(
    "completion", _completion_target, (Status.MODERATION, Status.VERIFICATION, Status.DONE)
)
RATING = Route("rating", _rating_target, (Status.REOPENED,))
REDIRECTED = Route("redirect", _redirect_target, (Status.NEW,))


# --- Guards: conditions on the request (and actor) that must hold ----------------------------


@dataclass(frozen=True)
class Guard:
    """``check(request, user) -> bool``; when False the action is refused with ``message``."""

    name: str
    check: Callable
    message: str


def _not_controlled_or_controller(request, user):
    if not request.controller_org_id or request.controller_org_id == request.executor_org_id:
        return True
    return who.is_controller(user, request)


NOT_ACCEPTED_YET = Guard(
    "not_accepted_yet",
    lambda r, u: r.accepted_at is None,
    _("Заявку уже приняли в работу: изменить или удалить её больше нельзя"),
)
EMERGENCY_ONLY = Guard(
    "emergency_only",
    lambda r, u: r.is_emergency,
    _("Аварийная бригада отмечается только по аварийным заявкам"),
)
CREW_NOT_YET = Guard(
    "crew_not_yet",
    lambda r, u: r.crew_dispatched_at is None,
    _("Направление аварийной бригады уже отмечено"),
)
CAME_FROM_UO = Guard(
    "came_from_uo",
    lambda r, u: bool(r.origin_org_id) and r.origin_org_id != r.executor_org_id,
    _("Вернуть в УО можно только заявку, полученную от управляющей организации"),
)
NOT_RATED_SINCE_COMPLETION = Guard(
    "not_rated_since_completion",
    lambda r, u: r.rated_at is None or (r.done_at is not None and r.rated_at < r.done_at),
    _("Это выполнение заявки уже оценено"),
)


def _work_order_drawn(request, user):
    """R9 / U 3.5.2е: the executor proves the work with an electronic work order drawn (from the
    operator's form) since the request last went back to work. Off when
    ``SERVICEDESK_WORK_ORDER_REQUIRED`` is False. The model is looked up by name: the work-order
    app depends on this one, not the other way round."""
    if not settings.SERVICEDESK_WORK_ORDER_REQUIRED:
        return True
    work_orders = apps.get_model("workorders", "WorkOrder").objects.filter(request=request)
    last_completion = (
        request.events.filter(action=Action.COMPLETE).order_by("-at").values_list("at", flat=True)
    ).first()
    if last_completion is not None:
        work_orders = work_orders.filter(created_at__gt=last_completion)
    return work_orders.exists()


def _survey_unsatisfied(request, user):
    """R13: the survey of this closing was answered «не удовлетворён» (``surveys``): the
    action is only the survey's consequence, never a button of its own."""
    survey = (
        apps.get_model("servicedesk", "Survey")
        .objects.filter(request=request, closed_at=request.closed_at)
        .first()
    )
    return survey is not None and survey.satisfied is False


def _appeal_pending(request, user):
    return (
        apps.get_model("servicedesk", "Appeal")
        .objects.filter(request=request, decision="")
        .exists()
    )


SURVEY_UNSATISFIED = Guard(
    "survey_unsatisfied",
    _survey_unsatisfied,
    _("На дополнительный контроль заявку отправляет ответ «не удовлетворён» в опросе"),
)
APPEAL_PENDING = Guard("appeal_pending", _appeal_pending, _("По заявке нет жалобы, ждущей решения"))
NO_APPEAL_PENDING = Guard(
    "no_appeal_pending",
    lambda r, u: not _appeal_pending(r, u),
    _("Жалоба по заявке уже подана и ждёт решения контрольного органа"),
)


WORK_ORDER_DRAWN = Guard(
    "work_order_drawn",
    _work_order_drawn,
    _("Сначала составьте заказ-наряд по заявке: выполнение подтверждается заказ-нарядом"),
)
CONTROL_RESPECTED = Guard(
    "control_respected",
    _not_controlled_or_controller,
    _(
        "Заявка на контроле у другой организации: отклонить её может только контролёр; "
        "верните заявку или выполните её с отчётом"
    ),
)


# --- Conditions that make an optional parameter mandatory ------------------------------------


@dataclass(frozen=True)
class Condition:
    """``holds(request) -> bool``, named so that forms and errors can explain it."""

    name: str
    holds: Callable
    description: str


def verification_evidence_required(request) -> bool:
    """R10: the signed act (or quality card) is mandatory for a UO's verification when the
    building's territory (or one above it) is listed in
    ``SERVICEDESK_VERIFICATION_EVIDENCE_REQUIRED`` (territory ids or names), or when that
    setting is ``True`` (everywhere; "*" in the environment)."""
    setting = settings.SERVICEDESK_VERIFICATION_EVIDENCE_REQUIRED
    if setting is True:
        return True
    if not setting:
        return False
    territory = request.building.territory
    wanted = {str(x) for x in setting}
    while territory is not None:
        if str(territory.pk) in wanted or territory.name in wanted:
            return True
        territory = territory.parent
    return False


EVIDENCE_SETTING = Condition(
    "evidence_setting",
    verification_evidence_required,
    _("на территории дома проверка подтверждается актом или карточкой контроля качества"),
)
# R4, K 3 item 3: closing toward the resident needs a public comment. A completion that goes to
# moderation or verification is answered to the resident by the controller or the UO instead.
ANSWERS_RESIDENT = Condition(
    "answers_resident",
    lambda request: _completion_target(request, {}) == Status.DONE,
    _("выполнение сразу видно заявителю"),
)


# --- The table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status | Route | _Same
    who: tuple[who.Who, ...]
    requires: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()
    # Tell the resident (N2). Off for the resident's own actions and for internal moves.
    notify: bool = True
    # Parameters that become mandatory when a condition on the request (or a setting) holds:
    # ((param, Condition), ...); see ``conditional_requirements``.
    conditional: tuple[tuple[str, Condition], ...] = field(default=())

    @property
    def conditional_params(self) -> tuple[str, ...]:
        return tuple(name for name, _condition in self.conditional)

    @property
    def label(self):
        return self.action.label


def _t(action, sources, target, who_, **kw):
    return Transition(action, frozenset(sources), target, tuple(who_), **kw)


S = Status
ACTIVE = (S.NEW, S.ACCEPTED, S.IN_WORK, S.POSTPONED, S.REOPENED)
EXECUTOR, CONTROLLER, ORIGIN_UO = who.EXECUTOR, who.CONTROLLER, who.ORIGIN_UO
EXECUTOR_DISPATCHER, CONTROL_BODY_CONTROLLER = who.EXECUTOR_DISPATCHER, who.CONTROL_BODY_CONTROLLER
AUTHOR, CALL_OPERATOR, FUNCTIONAL_OPERATOR = who.AUTHOR, who.CALL_OPERATOR, who.FUNCTIONAL_OPERATOR
APPEAL_JUDGE = who.APPEAL_JUDGE

TRANSITIONS: tuple[Transition, ...] = (
    # The executor takes the request (K 3 item 1).
    _t(Action.ACCEPT, (S.NEW, S.REOPENED), S.ACCEPTED, [EXECUTOR], requires=("comment",)),
    # K 3 item 1 / R4: taking into work is answered to the resident with a public comment.
    _t(Action.START, (S.NEW, S.ACCEPTED, S.REOPENED), S.IN_WORK, [EXECUTOR],
       requires=("comment",)),
    # The UO's rights (U 3.4.1б–д, R6): each with a mandatory reason.
    _t(Action.POSTPONE, (S.ACCEPTED, S.IN_WORK, S.REOPENED), S.POSTPONED, [EXECUTOR],
       requires=("reason", "until"), optional=("comment",)),
    _t(Action.RESUME, (S.POSTPONED,), S.IN_WORK, [EXECUTOR], optional=("comment",)),
    _t(Action.EXTEND_DEADLINE, ACTIVE, SAME, [EXECUTOR, CONTROLLER],
       requires=("reason", "deadline"), notify=False),
    # R2 / K 3: a deadline set by hand — only the executor's dispatcher or the control body's
    # controller, with a reason; logged apart from extensions.
    _t(Action.SET_DEADLINE, ACTIVE, SAME, [EXECUTOR_DISPATCHER, CONTROL_BODY_CONTROLLER],
       requires=("reason", "deadline"), notify=False),
    _t(Action.CHANGE_TOPIC, ACTIVE, SAME, [EXECUTOR], requires=("reason", "topic"),
       notify=False),
    # K 3.2 / R5: to another organisation, department or employee; «на контроле» optionally.
    _t(Action.REDIRECT, ACTIVE, REDIRECTED, [EXECUTOR, CONTROLLER], requires=("reason",),
       optional=("organization", "department", "employee", "keep_control")),
    _t(Action.REJECT, ACTIVE, S.REJECTED, [EXECUTOR, CONTROLLER],
       requires=("reject_reason", "comment"), optional=("reason",),
       guards=(CONTROL_RESPECTED,)),
    # U 3.5.2г / R6: back to the UO's queue, not to the resident; counted.
    _t(Action.RETURN_TO_UO, ACTIVE, S.NEW, [EXECUTOR], requires=("return_reason", "reason"),
       guards=(CAME_FROM_UO,), notify=False),
    # U 3.5.2д / R8.
    _t(Action.DISPATCH_CREW, (S.NEW, S.ACCEPTED, S.IN_WORK, S.REOPENED), SAME, [EXECUTOR],
       optional=("comment",), guards=(EMERGENCY_ONLY, CREW_NOT_YET)),
    # U 3.5.2е / R9, K 3.2 (moderation), U 3.4.2в (verification).
    _t(Action.COMPLETE, (S.ACCEPTED, S.IN_WORK, S.REOPENED), COMPLETION, [EXECUTOR],
       requires=("report",), optional=("document",),
       conditional=(("comment", ANSWERS_RESIDENT),), guards=(WORK_ORDER_DRAWN,)),
    _t(Action.VERIFY, (S.VERIFICATION,), S.DONE, [ORIGIN_UO], requires=("comment",),
       conditional=(("evidence", EVIDENCE_SETTING),)),
    _t(Action.VERIFY_RETURN, (S.VERIFICATION,), S.IN_WORK, [ORIGIN_UO], requires=("reason",),
       notify=False),
    _t(Action.MODERATION_APPROVE, (S.MODERATION,), S.DONE, [CONTROLLER], requires=("comment",),
       optional=("document",)),
    _t(Action.MODERATION_RETURN, (S.MODERATION,), S.IN_WORK, [CONTROLLER], requires=("reason",),
       notify=False),
    # The resident's answer to a completion (R10, R11, R12).
    _t(Action.CONFIRM, (S.DONE,), S.CLOSED, [AUTHOR], optional=("comment",), notify=False),
    _t(Action.DISPUTE, (S.DONE,), S.CONFLICT, [AUTHOR], requires=("comment",), notify=False),
    # G 2.3: the functional operator decides a conflict, with a reason both sides see.
    _t(Action.CONFLICT_RETURN, (S.CONFLICT,), S.IN_WORK, [FUNCTIONAL_OPERATOR],
       requires=("comment",)),
    _t(Action.CONFLICT_CLOSE, (S.CONFLICT,), S.CLOSED, [FUNCTIONAL_OPERATOR],
       requires=("comment",)),
    # U 3.2.1а, 3.2.2г / R11.
    # R4: closing needs its public comment (the call centre's note to the resident).
    _t(Action.CLOSE_BY_CALL_CENTRE, (S.DONE,), S.CLOSED, [CALL_OPERATOR],
       requires=("grounds", "comment"),
       optional=("no_claims_time", "no_claims_quality", "document")),
    _t(Action.REOPEN, (S.DONE, S.CLOSED, S.REJECTED), S.REOPENED, [AUTHOR],
       optional=("comment",), notify=False),
    _t(Action.WITHDRAW, BEFORE_COMPLETION, S.WITHDRAWN, [AUTHOR], requires=("withdraw_reason",),
       optional=("comment",), notify=False),
    _t(Action.RATE, (S.DONE, S.CLOSED), RATING, [AUTHOR], requires=("rating",),
       optional=("comment",), guards=(NOT_RATED_SINCE_COMPLETION,), notify=False),
    # M / R12: while nobody has accepted it.
    _t(Action.EDIT, (S.NEW,), SAME, [AUTHOR], optional=("text", "phone", "premises"),
       guards=(NOT_ACCEPTED_YET,), notify=False),
    _t(Action.DELETE, (S.NEW,), S.WITHDRAWN, [AUTHOR], guards=(NOT_ACCEPTED_YET,), notify=False),
    # R13 / M: «не удовлетворён» in the next day's survey (the resident's page or the call
    # centre's call) sends the closed request to additional control and back to work.
    _t(Action.SURVEY_RETURN, (S.CLOSED,), S.REOPENED, [AUTHOR, CALL_OPERATOR],
       optional=("comment",), guards=(SURVEY_UNSATISFIED,)),
    # R13 / M (law 300-З art. 20): the resident appeals a rejection or a closing; the control
    # body decides with a reason (internal) and an answer (public) within
    # SERVICEDESK_APPEAL_WORKING_DAYS.
    _t(Action.APPEAL, (S.CLOSED, S.REJECTED), SAME, [AUTHOR], requires=("comment",),
       guards=(NO_APPEAL_PENDING,), notify=False),
    _t(Action.APPEAL_UPHOLD, (S.CLOSED, S.REJECTED), S.REOPENED, [APPEAL_JUDGE],
       requires=("reason", "comment"), guards=(APPEAL_PENDING,)),
    _t(Action.APPEAL_DISMISS, (S.CLOSED, S.REJECTED), SAME, [APPEAL_JUDGE],
       requires=("reason", "comment"), guards=(APPEAL_PENDING,)),
)  # fmt: skip

BY_ACTION: dict[str, Transition] = {t.action.value: t for t in TRANSITIONS}
assert len(BY_ACTION) == len(TRANSITIONS), "one row per action"


def transition_for(action: str) -> Transition | None:
    return BY_ACTION.get(str(action))


def target_of(transition: Transition, request, params) -> Status:
    if transition.target is SAME:
        return Status(request.status)
    if isinstance(transition.target, Route):
        return Status(transition.target.pick(request, params))
    return transition.target


def conditional_requirements(transition: Transition, request) -> tuple[str, ...]:
    """The conditional parameters of ``transition`` that are mandatory for ``request`` now."""
    return tuple(name for name, condition in transition.conditional if condition.holds(request))
