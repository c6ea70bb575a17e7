"""Every write on work-order forms and work orders (R9, G 2.4). One transaction per function; a
refused action raises ``ApplicationError`` and leaves nothing written.

- ``work_order_template_create``: the functional operator defines a form.
- ``work_order_template_version_create``: the technical operator loads a version (a draft).
- ``work_order_template_version_approve`` / ``..._reject``: the functional operator decides a
  draft; an approved version takes effect and the one it replaces retires.
- ``work_order_create``: the executor generates a numbered work order for a service request
  from the version in force.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.directory import roles
from domovoy.servicedesk.workflow import Action, transition_for

from . import definition, selectors
from .models import (
    VersionStatus,
    WorkOrder,
    WorkOrderTemplate,
    WorkOrderTemplateVersion,
)


def _require(actor, perm, obj=None, message=None):
    if not actor.has_perm(perm, obj):
        raise PermissionDeniedError(message or _("Недостаточно прав для этого действия"))


# --- Forms and their versions (G 2.4) -------------------------------------------------------


@transaction.atomic
def work_order_template_create(
    *, actor, kind: str, title: str, description: str = "", order: int = 0
) -> WorkOrderTemplate:
    """The functional operator defines a form of work order."""
    _require(
        actor,
        "workorders.add_template",
        message=_("Форму заказ-наряда определяет функциональный оператор"),
    )
    kind = (kind or "").strip().lower()
    title = " ".join((title or "").split())
    errors: dict[str, list[str]] = {}
    if not definition.NAME_RE.match(kind.replace("-", "_")):
        errors["kind"] = [_("Код формы — латинские строчные буквы, цифры, «-» и «_»")]
    elif WorkOrderTemplate.objects.filter(kind=kind).exists():
        errors["kind"] = [_("Форма с таким кодом уже есть")]
    if not title:
        errors["title"] = [_("Укажите название формы")]
    elif len(title) > 200:
        errors["title"] = [_("Название длиннее 200 символов")]
    if errors:
        raise ApplicationError(_("Форма не создана: исправьте поля"), fields=errors)
    return WorkOrderTemplate.objects.create(
        kind=kind,
        title=title,
        description=(description or "").strip(),
        order=order,
        created_by=actor,
    )


def _lock_template(pk) -> WorkOrderTemplate:
    # Serialises version numbering and approvals of one form (a no-op on SQLite, whose writers
    # are serial anyway).
    return WorkOrderTemplate.objects.select_for_update().get(pk=pk)


@transaction.atomic
def work_order_template_version_create(
    *, template: WorkOrderTemplate, actor, title: str, fields, layout, note: str = ""
) -> WorkOrderTemplateVersion:
    """The technical operator builds and loads a version of a form; it is a draft until the
    functional operator approves it."""
    _require(
        actor,
        "workorders.add_version",
        message=_("Версию формы загружает технический оператор"),
    )
    title = " ".join(title.split()) if isinstance(title, str) else title
    problems = definition.check_definition(title=title, fields=fields, layout=layout)
    if problems:
        raise ApplicationError(
            _("Версия не загружена: исправьте описание формы"),
            code="invalid_definition",
            fields=problems,
        )
    template = _lock_template(template.pk)
    last = template.versions.aggregate(n=Max("number"))["n"] or 0
    return WorkOrderTemplateVersion.objects.create(
        template=template,
        number=last + 1,
        status=VersionStatus.DRAFT,
        title=title,
        fields=fields,
        layout=layout,
        note=(note or "").strip(),
        created_by=actor,
    )


def _locked_draft(version) -> tuple[WorkOrderTemplate, WorkOrderTemplateVersion]:
    template = _lock_template(version.template_id)
    version = WorkOrderTemplateVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ApplicationError(
            _("Версия %(n)s уже рассмотрена: %(status)s")
            % {"n": version.number, "status": version.get_status_display().lower()},
            code="wrong_status",
            status_code=409,
        )
    return template, version


@transaction.atomic
def work_order_template_version_approve(
    *, version: WorkOrderTemplateVersion, actor
) -> WorkOrderTemplateVersion:
    """The functional operator approves a draft: it takes effect now, the version in force
    retires. Work orders already generated keep the version they were made with."""
    _require(
        actor,
        "workorders.decide_version",
        message=_("Версию формы утверждает функциональный оператор"),
    )
    template, version = _locked_draft(version)
    now = timezone.now()
    WorkOrderTemplateVersion.objects.filter(template=template, status=VersionStatus.ACTIVE).update(
        status=VersionStatus.RETIRED, retired_at=now
    )
    version.status = VersionStatus.ACTIVE
    version.approved_by = actor
    version.approved_at = now
    try:
        with transaction.atomic():
            version.save(update_fields=["status", "approved_by", "approved_at"])
    except IntegrityError:  # pragma: no cover - another approval slipped past the lock
        raise ApplicationError(
            _("Другую версию этой формы только что утвердили; обновите страницу"),
            code="conflict",
            status_code=409,
        )
    return version


@transaction.atomic
def work_order_template_version_reject(
    *, version: WorkOrderTemplateVersion, actor, reason: str
) -> WorkOrderTemplateVersion:
    """The functional operator sends a draft back to the technical operator with a reason."""
    _require(
        actor,
        "workorders.decide_version",
        message=_("Версию формы рассматривает функциональный оператор"),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Укажите, что исправить в версии"),
            fields={"reason": [_("Обязательное поле")]},
        )
    _template, version = _locked_draft(version)
    version.status = VersionStatus.REJECTED
    version.rejected_by = actor
    version.rejected_at = timezone.now()
    version.reject_reason = reason
    version.save(update_fields=["status", "rejected_by", "rejected_at", "reject_reason"])
    return version


# --- Work orders (R9) -----------------------------------------------------------------------


def work_order_statuses():
    """Request statuses in which a work order may be generated: those from which the executor
    may complete the request (read from the workflow table, not repeated here)."""
    return transition_for(Action.COMPLETE).sources


def _snapshot(request, actor) -> dict:
    org = request.executor_org
    employee = roles.employee_of(actor)
    building = request.building
    return {
        "organization": {
            "full_name": org.full_name,
            "short_name": org.short_name,
            "inn": org.inn,
            "kpp": org.kpp,
            "ogrn": org.ogrn,
            "address": org.actual_address,
            "postal_address": org.postal_address,
            "dispatcher_phone": org.dispatcher_phone,
        },
        "author": {
            "name": actor.full_name if hasattr(actor, "full_name") else str(actor),
            "position": employee.position if employee else "",
        },
        "request": {
            "number": request.number,
            "created_at": request.created_at.isoformat(),
            "address": building.address,
            "premises": str(request.premises.number) if request.premises_id else "",
            "topic": str(request.topic),
            "text": request.text,
            "caller_name": request.caller_name,
            "phone": request.phone,
            "is_emergency": request.is_emergency,
        },
    }


@transaction.atomic
def work_order_create(*, request, actor, data, template_kind: str | None = None) -> WorkOrder:
    """Generate a numbered work order for ``request`` from the version in force of form
    ``template_kind`` (the first form when omitted). Only the request's executor may do it,
    while the request is with it (the statuses ``complete`` starts from)."""
    _require(
        actor,
        "workorders.add_work_order",
        request,
        message=_("Заказ-наряд составляет организация — исполнитель заявки"),
    )
    if request.status not in work_order_statuses():
        raise ApplicationError(
            _("Заказ-наряд составляется по заявке в работе; статус заявки: %(status)s")
            % {"status": request.get_status_display()},
            code="wrong_status",
            status_code=409,
        )
    version = selectors.active_version(kind=template_kind)
    if version is None:
        raise ApplicationError(
            _("Нет утверждённой формы заказ-наряда%(kind)s")
            % {"kind": f" «{template_kind}»" if template_kind else ""},
            code="no_template",
            fields={"template": [_("Форма не найдена или ещё не утверждена")]},
        )
    cleaned, errors = definition.clean_data(version, data)
    if errors:
        raise ApplicationError(
            _("Заказ-наряд не составлен: исправьте поля"), code="invalid", fields=errors
        )
    now = timezone.now()
    work_order = WorkOrder.objects.create(
        request=request,
        version=version,
        executor_org_id=request.executor_org_id,
        created_by=actor,
        data=cleaned,
        snapshot=_snapshot(request, actor),
    )
    # The number is the year and the row id: unique without a counter table to lock.
    work_order.number = f"ЗН-{timezone.localtime(now):%Y}-{work_order.pk:06d}"
    WorkOrder.objects.filter(pk=work_order.pk).update(number=work_order.number)
    return work_order


def work_order_report_text(work_order: WorkOrder) -> str:
    """The works of a work order as the text of a completion report («отчёт о выполненных
    работах», U 3.5.2е), for the completion form to prefill."""
    field = definition.works_field(work_order.version)
    lines = [
        f"{i}. {row['name']} — {definition.format_quantity(row['quantity'])}"
        + (f" {row['unit']}" if row.get("unit") else "")
        for i, row in enumerate(work_order.data.get(field["name"]) or [], start=1)
    ]
    head = _("Выполнены работы по заказ-наряду № %(n)s:") % {"n": work_order.number}
    return "\n".join([head, *lines])


def completion_report_prefill(request) -> str:
    """The completion report a «Выполнено» form starts with (R9, issue 12): the works of the
    request's latest work order, or "" without one. The executor edits it before sending."""
    work_order = selectors.work_order_for(request)
    return work_order_report_text(work_order) if work_order is not None else ""
