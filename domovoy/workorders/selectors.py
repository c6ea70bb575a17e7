"""Reads of work-order forms and work orders for pages, the API and other apps (R9, S2)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from domovoy.servicedesk.models import ServiceRequest
from domovoy.servicedesk.selectors import requests_visible_to

from .models import VersionStatus, WorkOrder, WorkOrderTemplate, WorkOrderTemplateVersion

_WORK_ORDER_RELATED = (
    "request__building",
    "request__premises",
    "request__topic",
    "version__template",
    "executor_org",
    "created_by",
)


def templates_list() -> QuerySet[WorkOrderTemplate]:
    """Every form with its versions (newest first) in two queries."""
    versions = WorkOrderTemplateVersion.objects.select_related("approved_by", "created_by")
    return WorkOrderTemplate.objects.prefetch_related(
        Prefetch("versions", queryset=versions.order_by("-number"))
    )


def template_get(*, pk) -> WorkOrderTemplate | None:
    return templates_list().filter(pk=pk).first()


def version_get(*, pk) -> WorkOrderTemplateVersion | None:
    return (
        WorkOrderTemplateVersion.objects.select_related(
            "template", "created_by", "approved_by", "rejected_by"
        )
        .filter(pk=pk)
        .first()
    )


def versions_of(*, template) -> QuerySet[WorkOrderTemplateVersion]:
    return WorkOrderTemplateVersion.objects.filter(template=template).select_related(
        "template", "created_by", "approved_by", "rejected_by"
    )


def active_versions() -> QuerySet[WorkOrderTemplateVersion]:
    """The versions in force, one per form, in the forms' order."""
    return (
        WorkOrderTemplateVersion.objects.filter(status=VersionStatus.ACTIVE)
        .select_related("template")
        .order_by("template__order", "template__kind")
    )


def active_version(*, kind: str | None = None) -> WorkOrderTemplateVersion | None:
    """The version in force of form ``kind``; without a kind, of the first form (by order)
    that has one."""
    qs = active_versions()
    if kind:
        qs = qs.filter(template__kind=kind)
    return qs.first()


def work_order_get(*, pk) -> WorkOrder | None:
    return WorkOrder.objects.select_related(*_WORK_ORDER_RELATED).filter(pk=pk).first()


def work_orders_of(*, request) -> QuerySet[WorkOrder]:
    """A request's work orders, latest first."""
    return (
        WorkOrder.objects.filter(request=request)
        .select_related(*_WORK_ORDER_RELATED)
        .order_by("-created_at", "-id")
    )


def work_order_for(request) -> WorkOrder | None:
    """The latest work order of ``request`` — the document that confirms its completion (R9,
    U 3.5.2е). The completion form links it; the ``complete`` action may require it."""
    return work_orders_of(request=request).first()


def work_orders_visible_to(user) -> QuerySet[WorkOrder]:
    """S2 as a filter: the work orders of the requests ``user`` may read."""
    return (
        WorkOrder.objects.filter(request__in=requests_visible_to(user).values("pk"))
        .select_related(*_WORK_ORDER_RELATED)
        .order_by("-created_at", "-id")
    )


def service_request_get(*, pk):
    """A request with what a work order prints of it, or None (deleted requests too)."""
    return (
        ServiceRequest.objects.select_related(
            "building", "premises", "topic__parent", "executor_org"
        )
        .filter(pk=pk, is_deleted=False)
        .first()
    )
