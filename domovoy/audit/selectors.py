"""Reads of the audit trail (S3) and of the personal-data access log (S5)."""

from django.apps import apps

from domovoy.directory import roles
from domovoy.directory.permissions import is_operator

from .models import AuditEntry, PersonalDataAccess, RefusedAccess


def audit_entries_visible_to(*, user, territory=None, integration=False):
    """The part of the log ``user`` may read. Operators read everything; control bodies read
    what belongs to their territory; an integration (``integration=True``, its scope already
    checked) reads everything within its agreement's ``territory`` (None = the whole system;
    see ``domovoy.api.auth.token_territory``)."""
    qs = AuditEntry.objects.all()
    if territory is not None:
        qs = qs.filter(territory_path__startswith=territory.path)
    if integration or is_operator(user):
        return qs
    if roles.is_territorial_reader(user):
        scope = roles.territory_scope(user)
        if scope is None:
            return qs
        return qs.filter(territory_path__startswith=scope.path)
    return qs.none()


def audit_model_choices():
    """The object types present in the log, for the filter (one indexed DISTINCT)."""
    names = AuditEntry.objects.order_by("model").values_list("model", flat=True).distinct()
    return [(n, n) for n in names if n]


def _field_label(model_label, name):
    if not model_label:
        return name
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return name
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return str(field.verbose_name)
    return name


def change_rows(entry):
    """[(field label, before, after)] of one entry, for pages and the export."""
    rows = []
    for name, pair in (entry.changes or {}).items():
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            before, after = pair
        else:
            before, after = None, pair
        rows.append((_field_label(entry.model_label, name), before, after))
    return rows


def personal_data_accesses():
    return PersonalDataAccess.objects.select_related("user").order_by("-at", "-id")


def refused_accesses():
    return RefusedAccess.objects.select_related("user").order_by("-at", "-id")
