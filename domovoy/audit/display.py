"""The audit trail in words (issue 12, item 7): field names through the model's
``verbose_name`` (or the workflow parameter's label), choice codes through their labels,
yes/no for flags, the related object for a foreign key, «файл заменён» for a file field instead
of its storage path, dates in the site's format. The stored log keeps the codes (it is the
evidence, and the API gives it as stored); the page and the XLSX export show this."""

import datetime as dt
import re
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Keys of the stored diffs that are no field of the changed model: request events (besides the
# workflow parameters, which carry their own labels), outage revisions, summary entries; and
# the fields whose model gives no ``verbose_name``.
EXTRA_LABELS = {
    "action": gettext_lazy("действие"),
    "status": gettext_lazy("статус"),
    "reason": gettext_lazy("причина"),
    "comment": gettext_lazy("комментарий"),
    "note": gettext_lazy("примечание"),
    "zone": gettext_lazy("зона отключения"),
    "is_late": gettext_lazy("опубликовано с опозданием"),
    "changes": gettext_lazy("изменения"),
    "channel": gettext_lazy("канал"),
    "routing": gettext_lazy("маршрутизация"),
    "deadline_at": gettext_lazy("срок"),
    "executor_org_id": gettext_lazy("исполнитель"),
    "has_obscene": gettext_lazy("нецензурная лексика"),
    "returned_by_org_id": gettext_lazy("вернул исполнитель"),
    "returned_to_org_id": gettext_lazy("возвращена в организацию"),
    "minutes_since_creation": gettext_lazy("минут с подачи"),
    "unanswered_calls": gettext_lazy("недозвонов"),
    "without_reason": gettext_lazy("без причины"),
    "returned_for_rework": gettext_lazy("возвращена на доработку"),
    "must_change_password": gettext_lazy("сменить пароль при входе"),
    "roles": gettext_lazy("роли"),
    "kinds": gettext_lazy("виды деятельности"),
    "audience": gettext_lazy("адресаты"),
    "template": gettext_lazy("форма"),
    "user": gettext_lazy("пользователь"),
    "organization": gettext_lazy("организация"),
    "added": gettext_lazy("добавлено"),
    "removed": gettext_lazy("удалено"),
}


def _scopes():
    from domovoy.api.models import SCOPES

    return SCOPES


def _roles():
    from domovoy.directory.models import Role

    return Role.choices


def _kinds():
    from domovoy.directory.models import OrgKind

    return OrgKind.choices


# The rule that chose a new request's executor (servicedesk.services.route_request).
ROUTING_RULES = [
    ("manager", gettext_lazy("управляющая организация дома")),
    ("supplier", gettext_lazy("ресурсоснабжающая организация по ресурсу темы")),
    (
        "supplier_not_registered",
        gettext_lazy("управляющая организация: поставщик ресурса не подключён"),
    ),
    ("contractor", gettext_lazy("подрядная организация по договору")),
    (
        "contractor_not_unique",
        gettext_lazy("управляющая организация: подрядчик не определён однозначно"),
    ),
]


# Codes kept in fields without ``choices`` (a JSON list of scopes): (model label, field) → the
# function giving their (code, label) pairs.
VALUE_CHOICES = {
    ("api.integrationagreement", "scopes"): _scopes,
    ("servicedesk.servicerequest", "routing"): lambda: ROUTING_RULES,
    ("directory.employee", "roles"): _roles,
    ("directory.organization", "kinds"): _kinds,
}

# Fields whose values are Latin by nature (a login, an e-mail, a code integrators use): shown
# as stored, marked translate="no" on the page.
LATIN_BY_NATURE = {"username", "email", "code", "slug", "token_key", "key"}


@dataclass(frozen=True)
class Change:
    """One changed field in words: label, before, after (texts), and whether the values are
    Latin by nature."""

    field: str
    before: str
    after: str
    latin: bool = False

    def __iter__(self):  # (field, before, after), as the export and old callers read it
        return iter((self.field, self.before, self.after))


def _model(label):
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model, name):
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    return None


def _param(model, name):
    """A workflow parameter of a request's history (its label and its choices)."""
    if model is None or model._meta.label_lower != "servicedesk.servicerequest":
        return None
    from domovoy.servicedesk.workflow import PARAMS

    return PARAMS.get(name)


def field_label(model, name):
    field = _field(model, name)
    if field is not None and str(field.verbose_name) != field.name.replace("_", " "):
        return str(field.verbose_name)
    if field is not None:
        name = field.name  # "template", not "template_id"
    param = _param(model, name)
    if param is not None:
        return str(param.label)
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    if field is not None and field.is_relation and field.related_model is not None:
        return str(field.related_model._meta.verbose_name)  # "building" → «дом»
    if field is not None:
        return str(field.verbose_name)
    return name


def _yes_no(value):
    return _("да") if value else _("нет")


def _datetime_text(value):
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            return formats.date_format(day, "d.m.Y") if day else value
        value = parsed
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "d.m.Y H:i")
    return str(value)


class Related:
    """Names of related objects: loaded in bulk (``load``) for a page of entries, one query per
    model; a key not loaded is fetched on its own."""

    def __init__(self):
        self.cache = {}

    def load(self, model, pks):
        key = model._meta.label_lower
        wanted = {str(pk) for pk in pks} - {k for m, k in self.cache if m == key}
        if not wanted:
            return
        found = model._default_manager.in_bulk([pk for pk in wanted if pk.isdigit()])
        for pk in wanted:
            obj = found.get(int(pk)) if pk.isdigit() else None
            self.cache[key, pk] = str(obj) if obj is not None else f"№ {pk}"

    def name(self, model, pk):
        key = (model._meta.label_lower, str(pk))
        if key not in self.cache:
            self.load(model, [pk])
        return self.cache[key]


def _choice_text(choices, value):
    labels = {str(code): label for code, label in choices}
    if isinstance(value, list):
        return ", ".join(str(labels.get(str(v), v)) for v in value)
    return str(labels.get(str(value), value))


_CODE = re.compile(r"^[a-z][a-z0-9_\-]*$")


def _structured(value):
    """A dict or a list of dicts (a work order's content, a form's fields): their texts, without
    the keys and the machine codes among the values (``"type": "text"``)."""
    if isinstance(value, dict):
        parts = [_structured(v) for v in value.values()]
    elif isinstance(value, list):
        parts = [_structured(v) for v in value]
    elif value is None or value == "" or (isinstance(value, str) and _CODE.match(value)):
        return ""
    elif isinstance(value, bool):
        return _yes_no(value)
    else:
        return str(value)
    return "; ".join(p for p in parts if p)


def _target(model, name):
    """The model a stored id of ``name`` points to (a foreign key, an ``..._org_id``)."""
    field = _field(model, name)
    if isinstance(field, models.ForeignKey):
        return field.related_model
    if name.endswith("_org_id"):
        return apps.get_model("directory", "Organization")
    return None


def value_text(model, name, value, *, related=None, other=None):
    """``value`` of the field ``name`` of ``model`` as people read it. ``other`` is the value on
    the other side of the change (a file replaced by another)."""
    if value is None or value == "" or value == []:
        return "—"
    field = _field(model, name)
    param = _param(model, name)
    if isinstance(field, models.FileField):
        return _("файл заменён") if other not in (None, "") else _("файл приложен")
    if isinstance(value, bool):
        return _yes_no(value)
    if field is not None and field.choices:
        return _choice_text(field.flatchoices, value)
    if model is not None and (model._meta.label_lower, name) in VALUE_CHOICES:
        return _choice_text(VALUE_CHOICES[model._meta.label_lower, name](), value)
    if param is not None and param.choices is not None:
        return _choice_text(param.choices.choices, value)
    if name == "status" and model is not None:
        status = _field(model, "status")
        if status is not None and status.choices:
            return _choice_text(status.flatchoices, value)
    target = _target(model, name)
    if target is not None and isinstance(value, int | str) and not isinstance(value, bool):
        return (related or Related()).name(target, value)
    if isinstance(field, models.DateTimeField | models.DateField) or (
        isinstance(value, str) and len(value) >= 10 and parse_datetime(value) is not None
    ):
        return _datetime_text(value)
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return _structured(value) or "—"
    return str(value)


def _latin_by_nature(model, name):
    field = _field(model, name)
    if isinstance(field, models.SlugField | models.EmailField) and not field.choices:
        return True
    return (field.name if field is not None else name) in LATIN_BY_NATURE


def _pairs(entry):
    for name, pair in (entry.changes or {}).items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            yield name, pair[0], pair[1]
        else:
            yield name, None, pair


def _flat(entry):
    """(name, before, after) of an entry; the nested ``changes`` of a request's event (the
    fields of the request that the action changed) and an outage zone's added/removed houses
    become rows of their own; a name appears once."""
    flat = []
    for name, before, after in _pairs(entry):
        if name == "changes" and isinstance(after, dict) and before is None:
            for inner, pair in after.items():
                if isinstance(pair, list | tuple) and len(pair) == 2:
                    flat.append((inner, pair[0], pair[1]))
            continue
        if name == "zone" and isinstance(after, dict) and before is None:
            flat += [(key, None, after.get(key)) for key in ("added", "removed") if after.get(key)]
            continue
        flat.append((name, before, after))
    seen = set()
    return [row for row in flat if not (row[0] in seen or seen.add(row[0]))]


def prime(entries, related):
    """Load the related objects named by ``entries`` into ``related``: one query per model."""
    wanted = {}
    for entry in entries:
        model = _model(entry.model_label)
        for name, before, after in _flat(entry):
            target = _target(model, name)
            if target is None:
                continue
            for value in (before, after):
                if isinstance(value, int | str) and not isinstance(value, bool) and value != "":
                    wanted.setdefault(target, set()).add(str(value))
    for target, pks in wanted.items():
        related.load(target, pks)


def change_rows(entry, *, related=None):
    """[Change] of one entry, in words."""
    model = _model(entry.model_label)
    related = related or Related()
    return [
        Change(
            field=field_label(model, name),
            before=value_text(model, name, before, related=related, other=after),
            after=value_text(model, name, after, related=related, other=before),
            latin=_latin_by_nature(model, name),
        )
        for name, before, after in _flat(entry)
    ]
