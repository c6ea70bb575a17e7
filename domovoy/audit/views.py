"""Pages of the audit trail (S3) and of the personal-data access log (S5): read-only."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from domovoy.web import pages

from . import access_words, display
from .export import audit_xlsx_response
from .filters import AuditEntryFilter, PersonalDataAccessFilter, RefusedAccessFilter
from .models import AuditEntry
from .permissions import can_view_log, can_view_personal_data_log, can_view_refusals
from .selectors import (
    audit_entries_visible_to,
    audit_model_choices,
    change_rows,
    personal_data_accesses,
    refused_accesses,
)

PAGE_SIZE = 50
FOLDED_AFTER = 3  # a long diff (a created card) folds after three fields


def _more_fields(n):
    if n <= 0:
        return ""
    return ngettext("ещё %(n)d поле", "ещё %(n)d полей", n) % {"n": n}


def _filtered_log(request):
    if not can_view_log(request.user):
        raise PermissionDenied
    base = audit_entries_visible_to(user=request.user)
    return AuditEntryFilter(request.GET or None, queryset=base)


@login_required
@require_safe
def log(request):
    filterset = _filtered_log(request)
    entries = filterset.qs if filterset.is_bound else filterset.queryset
    page = pages.page(request, entries, PAGE_SIZE)
    related = display.Related()  # names of related objects, one query per model and page
    display.prime(page.object_list, related)
    rows = []
    for entry in page.object_list:
        changes = change_rows(entry, related=related)
        rows.append((entry, changes, _more_fields(len(changes) - FOLDED_AFTER)))
    return render(
        request,
        "audit/log.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "actions": AuditEntry.Action.choices,
            "models": audit_model_choices(),
            "query": pages.querystring(request),
        },
    )


@login_required
@require_safe
def export(request):
    filterset = _filtered_log(request)
    entries = filterset.qs if filterset.is_bound else filterset.queryset
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return audit_xlsx_response(entries, filename=f"audit-{stamp}.xlsx")


def _access_log_page(request, filter_class, queryset, template, words=None):
    """A filtered, paginated page of an access log (personal-data reads, refusals);
    ``words(row)`` gives what the template shows of a row besides the row itself."""
    filterset = filter_class(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_bound else filterset.queryset
    page = pages.page(request, rows, PAGE_SIZE)
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "rows": [(row, words(row)) for row in page.object_list] if words else None,
        },
    )


def _access_in_words(access):
    return {
        "subject": access_words.subject_text(access.subject),
        "purpose": access_words.purpose_text(access.purpose),
    }


@login_required
@require_safe
def personal_data(request):
    if not can_view_personal_data_log(request.user):
        raise PermissionDenied
    return _access_log_page(
        request,
        PersonalDataAccessFilter,
        personal_data_accesses(),
        "audit/personal_data.html",
        words=_access_in_words,
    )


@login_required
@require_safe
def refusals(request):
    """Refused attempts on personal data (item 10 of issue 9): the technical operator's page."""
    if not can_view_refusals(request.user):
        raise PermissionDenied
    return _access_log_page(request, RefusedAccessFilter, refused_accesses(), "audit/refusals.html")
