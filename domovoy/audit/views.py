"""Pages of the audit trail (S3) and of the personal-data access log (S5): read-only."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

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


def _query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


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
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, change_rows(entry)) for entry in page.object_list]
    return render(
        request,
        "audit/log.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "actions": AuditEntry.Action.choices,
            "models": audit_model_choices(),
            "query": _query_without_page(request),
        },
    )


@login_required
@require_safe
def export(request):
    filterset = _filtered_log(request)
    entries = filterset.qs if filterset.is_bound else filterset.queryset
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return audit_xlsx_response(entries, filename=f"audit-{stamp}.xlsx")


@login_required
@require_safe
def personal_data(request):
    if not can_view_personal_data_log(request.user):
        raise PermissionDenied
    filterset = PersonalDataAccessFilter(request.GET or None, queryset=personal_data_accesses())
    accesses = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/personal_data.html",
        {"filter": filterset, "page": page, "query": _query_without_page(request)},
    )


@login_required
@require_safe
def refusals(request):
    """Refused attempts on personal data (item 10 of issue 9): the technical operator's page."""
    if not can_view_refusals(request.user):
        raise PermissionDenied
    filterset = RefusedAccessFilter(request.GET or None, queryset=refused_accesses())
    rows = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/refusals.html",
        {"filter": filterset, "page": page, "query": _query_without_page(request)},
    )
