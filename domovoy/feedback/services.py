"""Every write to the feedback section a user can cause (D6): one function per action,
one transaction each; refused input raises ApplicationError and stores nothing."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.directory import roles
from domovoy.directory.models import Building, Organization

from . import changes
from . import permissions as perms
from .models import FeedbackItem, FeedbackKind, FeedbackStatus, TargetType

DECISIONS = ("approve", "reject")
TEXT_REQUIRED = {
    FeedbackKind.CLASSIFIER_CHANGE,
    FeedbackKind.SUGGESTION,
    FeedbackKind.ERROR,
    FeedbackKind.VULNERABILITY,
}
TITLE_MAX = FeedbackItem._meta.get_field("title").max_length


def _resolve_target(target_type, target_id):
    model = {TargetType.ORGANIZATION: Organization, TargetType.BUILDING: Building}[target_type]
    try:
        return model.objects.get(pk=int(target_id))
    except (TypeError, ValueError, model.DoesNotExist):
        raise ApplicationError(
            _("Объект изменения не найден"),
            code="invalid_target",
            fields={"target_id": [_("Не найден")]},
        )


@transaction.atomic
def feedback_item_create(
    *,
    author,
    kind,
    title="",
    text="",
    target_type="",
    target_id=None,
    field="",
    proposed_value="",
    proposed_topic_name="",
    proposed_topic_parent="",
):
    """File an item of feedback (D6). A data change request names its target (an
    organisation card or a building), the field and the proposed value, which is checked now
    and again when it is applied."""
    if not getattr(author, "is_authenticated", False):
        raise PermissionDeniedError(_("Войдите, чтобы отправить обращение"))
    if kind not in FeedbackKind.values:
        raise ApplicationError(
            _("Неизвестный вид обращения"),
            code="invalid_kind",
            fields={
                "kind": [
                    _("Допустимые значения: %(values)s")
                    % {"values": ", ".join(FeedbackKind.values)}
                ]
            },
        )
    title, text = (title or "").strip(), (text or "").strip()
    errors = {}
    if len(title) > TITLE_MAX:
        errors["title"] = [_("Не длиннее %(title_max)s символов") % {"title_max": TITLE_MAX}]
    if kind in TEXT_REQUIRED and not text:
        errors["text"] = [_("Опишите суть обращения")]
    if kind != FeedbackKind.DATA_CHANGE and not title:
        errors["title"] = [_("Обязательное поле")]
    if kind == FeedbackKind.CLASSIFIER_CHANGE:
        # The change request names the topic it adds, so approving it can apply it (D6, R2).
        topic_name = (proposed_topic_name or "").strip()
        if not topic_name:
            errors["proposed_topic_name"] = [_("Укажите предлагаемую тему")]
        elif len(topic_name) > 200:
            errors["proposed_topic_name"] = [_("Не длиннее 200 символов")]
        if len((proposed_topic_parent or "").strip()) > 200:
            errors["proposed_topic_parent"] = [_("Не длиннее 200 символов")]
    if errors:
        raise ApplicationError(_("Обращение заполнено с ошибками"), fields=errors)

    item = FeedbackItem(
        kind=kind,
        author=author,
        author_organization=roles.organization_of(author),
        title=title,
        text=text,
    )
    if kind == FeedbackKind.DATA_CHANGE:
        changes.check_field(target_type, field)
        target = _resolve_target(target_type, target_id)
        if not perms.may_propose_change(author, target_type, target):
            raise PermissionDeniedError(
                _("Изменение можно предложить только для своей организации или своих домов"),
                code="foreign_target",
            )
        changes.validate_proposed_value(
            target_type=target_type, target=target, field=field, value=proposed_value
        )
        current = changes.current_value(target, field)
        if current == (proposed_value or "").strip():
            raise ApplicationError(
                _("Предлагаемое значение совпадает с текущим"),
                code="no_change",
                fields={"proposed_value": [_("Значение не меняется")]},
            )
        item.target_type = target_type
        item.target_organization = target if target_type == TargetType.ORGANIZATION else None
        item.target_building = target if target_type == TargetType.BUILDING else None
        item.field = field
        item.current_value = current
        item.proposed_value = (proposed_value or "").strip()
        if not item.title:
            item.title = f"{changes.field_label(target_type, field)}: {target}"[:TITLE_MAX]
    elif kind == FeedbackKind.CLASSIFIER_CHANGE:
        item.proposed_topic_name = proposed_topic_name.strip()
        item.proposed_topic_parent = (proposed_topic_parent or "").strip()
    item.save()
    return item


def apply_classifier_change(*, item, actor, reason=""):
    """Apply an approved classifier change request to the topic tree (R2, G 3.5.2) through
    the classifier's own service (``servicedesk.classifier``): the proposed topic is added
    under the proposed group. Returns (topic, version); refused input raises and the caller's
    transaction stores nothing."""
    from domovoy.servicedesk import classifier

    return classifier.apply_proposal(
        actor=actor,
        name=item.proposed_topic_name,
        parent_name=item.proposed_topic_parent,
        reason=reason or _("Обращение №%(n)s") % {"n": item.pk},
    )


def _lock(item):
    # Lock the item so that two operators deciding at once do not both win.
    return FeedbackItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def feedback_item_decide(*, item, actor, decision, reason):
    """Approve or reject an item, always with a reason the author sees (D6). Approving a
    data change request applies it in the same transaction; an invalid value refuses the
    decision and changes nothing."""
    if not perms.operator_may_see(actor, item) or not perms.may_decide(actor, item):
        raise PermissionDeniedError(_("Это обращение рассматривает другой оператор"))
    reason = (reason or "").strip()
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = [_("Выберите: принять или отклонить")]
    if not reason:
        errors["reason"] = [_("Укажите обоснование решения")]
    if errors:
        raise ApplicationError(_("Решение не принято"), code="invalid_decision", fields=errors)
    item = _lock(item)
    if item.status != FeedbackStatus.NEW:
        raise ApplicationError(
            _("Обращение уже рассмотрено: %(status)s")
            % {"status": item.get_status_display().lower()},
            code="already_decided",
            status_code=409,
        )
    now = timezone.now()
    if decision == "approve":
        item.status = FeedbackStatus.APPROVED
        if item.kind == FeedbackKind.DATA_CHANGE:
            changes.apply_change(item=item, actor=actor)
            item.applied_at = now
            item.application_note = _("Изменение внесено в реестр")
        elif item.kind == FeedbackKind.CLASSIFIER_CHANGE:
            topic, version = apply_classifier_change(item=item, actor=actor)
            item.applied_at = now
            item.applied_topic = topic
            item.applied_topic_version = version.history_id if version is not None else None
            item.application_note = _("Изменение внесено в классификатор")
    else:
        item.status = FeedbackStatus.REJECTED
    item.decided_by = actor
    item.decided_at = now
    item.decision_reason = reason
    item.save()
    return item
