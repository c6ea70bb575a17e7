"""Writes to the classifier of request topics (R2, G 3.5.2) by the functional operator, and
the application of an approved classifier change request (D6): one function per action, one
transaction each. Refused input raises ApplicationError with the field's message and stores
nothing. Topics are never deleted (requests refer to them): they are retired (``is_active``).

Every write is versioned by simple-history (``Topic.history``, registered by the audit app,
so it reaches the audit trail too) and makes intake forget its cached classifier
(``intake_cache.invalidate``) once committed."""

from __future__ import annotations

import re
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from domovoy.core import bounds
from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.directory.models import Resource

from . import intake_cache
from .models import HandlerKind, Topic

NAME_MAX = Topic._meta.get_field("name").max_length
CODE_MAX = Topic._meta.get_field("code").max_length
# The longest default deadlines that make sense: a year in hours or in days.
DEADLINE_HOURS_MAX = 24 * 365
DEADLINE_DAYS_MAX = 365
ORDER_MAX = 1_000_000
# A topic added from a change request (D6) gets the routine norm of most UO topics (3 working
# days, Decree 290) and the UO as handler; the operator adjusts it on the topic page.
PROPOSAL_DEFAULTS = {
    "handler_kind": HandlerKind.UO,
    "deadline_days": 3,
    "deadline_hours": None,
    "deadline_working": True,
}
EDITABLE = (
    "name",
    "parent",
    "code",
    "deadline_hours",
    "deadline_days",
    "deadline_working",
    "is_emergency",
    "handler_kind",
    "resource",
    "is_active",
    "order",
)
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def may_manage(user) -> bool:
    return bool(getattr(user, "has_perm", None)) and user.has_perm("servicedesk.manage_classifier")


def _check_actor(actor):
    if not may_manage(actor):
        raise PermissionDeniedError(_("Классификатор ведёт функциональный оператор"))


def _int(value, errors, field, *, low, high):
    """An optional whole number in [low, high], or None; a message in ``errors`` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors[field] = [_("Нужно целое число")]
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        errors[field] = [_("Нужно целое число")]
        return None
    if not low <= number <= high:
        errors[field] = [_("От %(low)s до %(high)s") % {"low": low, "high": high}]
        return None
    return number


def _bool(value, errors, field):
    if isinstance(value, bool):
        return value
    if value in ("1", "true", "True", "on", 1):
        return True
    if value in ("0", "false", "False", "", 0, None):
        return False
    errors[field] = [_("Нужно да или нет")]
    return False


def _parent(value, errors, topic):
    if value in (None, ""):
        return None
    if isinstance(value, Topic):
        parent = value
    else:
        try:
            pk = int(value)
            if not 1 <= pk <= bounds.ID_MAX:
                raise ValueError
            parent = Topic.objects.get(pk=pk)
        except (TypeError, ValueError, Topic.DoesNotExist):
            errors["parent"] = [_("Группа не найдена")]
            return None
    if topic is not None and topic.pk is not None:
        node = parent
        while node is not None:
            if node.pk == topic.pk:
                errors["parent"] = [_("Тема не может входить в саму себя или в свою подтему")]
                return None
            node = node.parent
    return parent


def _clean(data: dict, topic: Topic) -> dict:
    """The checked values of ``data`` (only the keys it has), ``topic`` being the current
    state; raises ApplicationError listing every bad field."""
    unknown = sorted(set(data) - set(EDITABLE))
    errors: dict[str, list] = {}
    if unknown:
        errors["non_field_errors"] = [
            _("Неизвестные поля: %(fields)s") % {"fields": ", ".join(map(str, unknown))}
        ]
    values = {}
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not name:
            errors["name"] = [_("Укажите название темы")]
        elif len(name) > NAME_MAX:
            errors["name"] = [_("Не длиннее %(max)s символов") % {"max": NAME_MAX}]
        values["name"] = name
    if "code" in data:
        code = str(data["code"] or "").strip().lower()
        if code and (len(code) > CODE_MAX or not _CODE_RE.match(code)):
            errors["code"] = [
                _("Латинские буквы, цифры и дефис, не длиннее %(max)s символов") % {"max": CODE_MAX}
            ]
        elif code and Topic.objects.filter(code=code).exclude(pk=topic.pk).exists():
            errors["code"] = [_("Тема с таким кодом уже есть")]
        values["code"] = code or topic.code or f"topic-{uuid.uuid4().hex[:10]}"
    if "parent" in data:
        values["parent"] = _parent(data["parent"], errors, topic)
    if "deadline_hours" in data:
        values["deadline_hours"] = _int(
            data["deadline_hours"], errors, "deadline_hours", low=1, high=DEADLINE_HOURS_MAX
        )
    if "deadline_days" in data:
        values["deadline_days"] = _int(
            data["deadline_days"], errors, "deadline_days", low=1, high=DEADLINE_DAYS_MAX
        )
    if "order" in data:
        values["order"] = _int(data["order"], errors, "order", low=0, high=ORDER_MAX) or 0
    for field in ("deadline_working", "is_emergency", "is_active"):
        if field in data:
            values[field] = _bool(data[field], errors, field)
    if "handler_kind" in data:
        if data["handler_kind"] not in HandlerKind.values:
            errors["handler_kind"] = [
                _("Допустимые значения: %(values)s") % {"values": ", ".join(HandlerKind.values)}
            ]
        values["handler_kind"] = data["handler_kind"]
    if "resource" in data:
        resource = data["resource"] or ""
        if resource and resource not in Resource.values:
            errors["resource"] = [
                _("Допустимые значения: %(values)s") % {"values": ", ".join(Resource.values)}
            ]
        values["resource"] = resource
    if errors:
        raise ApplicationError(_("Тема заполнена с ошибками"), code="invalid_topic", fields=errors)

    # Rules across fields, on the state the write would leave.
    merged = {f: getattr(topic, f) for f in EDITABLE}
    merged.update(values)
    if merged["deadline_hours"] and merged["deadline_days"]:
        errors["deadline_days"] = [_("Укажите срок либо в часах, либо в днях")]
    if merged["parent"] is not None and not (merged["deadline_hours"] or merged["deadline_days"]):
        errors["deadline_hours"] = [_("Укажите срок: по нему считается срок заявки")]
    if merged["handler_kind"] == HandlerKind.RSO and not merged["resource"]:
        errors["resource"] = [_("Для ресурсоснабжающей организации укажите ресурс")]
    if merged["handler_kind"] != HandlerKind.RSO:
        merged["resource"] = values["resource"] = ""
    parent = merged["parent"]
    if merged["is_active"] and parent is not None and not parent.is_active:
        errors["parent"] = [_("Группа не действует")]
    if (
        not merged["is_active"]
        and topic.pk is not None
        and topic.children.filter(is_active=True).exists()
    ):
        errors["is_active"] = [_("Сначала выведите из действия подтемы этой группы")]
    siblings = Topic.objects.filter(parent=parent, name__iexact=merged["name"]).exclude(pk=topic.pk)
    if merged["name"] and siblings.exists():
        errors["name"] = [_("В этой группе уже есть тема с таким названием")]
    if errors:
        raise ApplicationError(_("Тема заполнена с ошибками"), code="invalid_topic", fields=errors)
    return values


def _save(topic: Topic, values: dict, actor, reason: str = "") -> Topic:
    for field, value in values.items():
        setattr(topic, field, value)
    topic._history_user = actor
    if reason:
        topic._change_reason = reason[:100]
    topic.save()
    transaction.on_commit(intake_cache.invalidate)
    return topic


def latest_version(topic: Topic):
    """The newest historical record of ``topic`` (its version id is ``history_id``)."""
    return topic.history.order_by("-history_id").first()


@transaction.atomic
def topic_create(*, actor, data: dict, reason: str = "") -> Topic:
    """Add a topic to the classifier (R2)."""
    _check_actor(actor)
    data = dict(data)
    data.setdefault("name", "")
    data.setdefault("code", "")
    topic = Topic()
    return _save(topic, _clean(data, topic), actor, reason)


@transaction.atomic
def topic_update(*, actor, topic: Topic, data: dict, reason: str = "") -> Topic:
    """Change a topic: name, group, deadline norm, handler, flags (R2). Retiring it is
    ``is_active=False``; a topic is never deleted."""
    _check_actor(actor)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    return _save(topic, _clean(dict(data), topic), actor, reason)


def topic_deactivate(*, actor, topic: Topic, reason: str = "") -> Topic:
    """Retire a topic: intake no longer offers it; requests filed on it keep it."""
    return topic_update(actor=actor, topic=topic, data={"is_active": False}, reason=reason)


def _find_group(name: str):
    text = (name or "").strip()
    if not text:
        return None
    matches = list(Topic.objects.filter(is_active=True, name__iexact=text)) or list(
        Topic.objects.filter(is_active=True, code__iexact=text)
    )
    if len(matches) != 1:
        message = (
            _("Группа «%(name)s» не найдена в классификаторе")
            if not matches
            else _("Группа «%(name)s» неоднозначна: уточните её в обращении")
        )
        raise ApplicationError(
            _("Изменение классификатора не внесено"),
            code="invalid_proposal",
            fields={"proposed_topic_parent": [message % {"name": text}]},
        )
    return matches[0]


def apply_proposal(*, actor, name: str, parent_name: str, reason: str = ""):
    """Apply an approved classifier change request (D6): add the proposed topic under the
    proposed group, through ``topic_create``. Returns (topic, version); the caller's
    transaction decides."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            _("Изменение классификатора не внесено"),
            code="invalid_proposal",
            fields={"proposed_topic_name": [_("В обращении не указана предлагаемая тема")]},
        )
    parent = _find_group(parent_name)
    data = {"name": name, "parent": parent, **PROPOSAL_DEFAULTS}
    if parent is None:
        data.update(deadline_days=None, deadline_hours=None)
    try:
        topic = topic_create(actor=actor, data=data, reason=reason)
    except ApplicationError as exc:
        fields = dict(exc.fields)
        if "name" in fields:
            fields["proposed_topic_name"] = fields.pop("name")
        raise ApplicationError(
            _("Изменение классификатора не внесено"), code=exc.code, fields=fields
        )
    return topic, latest_version(topic)
