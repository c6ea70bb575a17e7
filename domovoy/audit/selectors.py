"""Reads of the audit trail (S3) and of the personal-data access log (S5)."""

from domovoy.directory import roles
from domovoy.directory.permissions import is_operator

from . import display
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


def change_rows(entry, *, related=None):
    """[Change(field, before, after, latin)] of one entry in words, for pages and the export
    (``display.change_rows``)."""
    return display.change_rows(entry, related=related)


def personal_data_accesses():
    return PersonalDataAccess.objects.select_related("user").order_by("-at", "-id")


def refused_accesses():
    return RefusedAccess.objects.select_related("user").order_by("-at", "-id")
