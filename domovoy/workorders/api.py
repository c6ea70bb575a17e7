"""API of work orders (R9, G 2.4): forms and their versions (operators), work orders of requests
(executors create; parties read) and their PDF. Thin views: an input serializer, one service
call, an output serializer."""

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from domovoy.api.auth import TokenScopePermission
from domovoy.core import bounds
from domovoy.core.bounds import IdFilter

from . import selectors, services
from .models import VersionStatus, WorkOrder, WorkOrderTemplate, WorkOrderTemplateVersion
from .pdf import render_work_order_pdf
from .views import pdf_filename

SCOPE_AREA = "servicedesk"


def _name(user) -> str | None:
    return str(user) if user is not None else None


# --- Serializers ------------------------------------------------------------------------------


class WorkOrderTemplateVersionSerializer(serializers.ModelSerializer):
    template_kind = serializers.CharField(source="template.kind", read_only=True)
    # A plain string in the schema: an enum named "status" would collide with other apps'.
    status = serializers.CharField(read_only=True, help_text="draft, active, retired, rejected")
    created_by_name = serializers.SerializerMethodField()
    approved_by_name = serializers.SerializerMethodField()
    fields = serializers.JSONField(help_text="field definitions: name, label, type, required, …")
    layout = serializers.JSONField(help_text="printed sections in order: kind, title, fields, …")

    class Meta:
        model = WorkOrderTemplateVersion
        fields = [
            "id",
            "template",
            "template_kind",
            "number",
            "status",
            "title",
            "fields",
            "layout",
            "note",
            "created_by_name",
            "created_at",
            "approved_by_name",
            "approved_at",
            "rejected_at",
            "reject_reason",
            "retired_at",
        ]
        read_only_fields = fields

    def get_created_by_name(self, obj) -> str | None:
        return _name(obj.created_by)

    def get_approved_by_name(self, obj) -> str | None:
        return _name(obj.approved_by)


class WorkOrderTemplateVersionBriefSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="draft, active, retired, rejected")

    class Meta:
        model = WorkOrderTemplateVersion
        fields = ["id", "number", "status", "title", "approved_at"]
        read_only_fields = fields


class WorkOrderTemplateSerializer(serializers.ModelSerializer):
    active_version = serializers.SerializerMethodField()
    versions = WorkOrderTemplateVersionBriefSerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrderTemplate
        fields = ["id", "kind", "title", "description", "order", "active_version", "versions"]
        read_only_fields = fields

    def get_active_version(self, obj) -> int | None:
        active = next((v for v in obj.versions.all() if v.status == VersionStatus.ACTIVE), None)
        return active.pk if active else None


class WorkOrderTemplateInSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    order = bounds.api_integer("PositiveIntegerField", required=False, default=0)


class WorkOrderTemplateVersionInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    fields = serializers.JSONField(help_text="list of field definitions")
    layout = serializers.JSONField(help_text="list of printed sections")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class WorkOrderTemplateVersionRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class WorkOrderInSerializer(serializers.Serializer):
    request = bounds.api_id(help_text="id of the service request")
    template = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="form kind; default: the first"
    )
    data = serializers.JSONField(help_text="field name → value; works: [{name, unit, quantity}]")


class WorkOrderSerializer(serializers.ModelSerializer):
    request_number = serializers.CharField(source="request.number", read_only=True)
    template_kind = serializers.CharField(source="version.template.kind", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    executor_org_name = serializers.CharField(source="executor_org.short_name", read_only=True)
    created_by_name = serializers.SerializerMethodField()
    data = serializers.JSONField(read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "request",
            "request_number",
            "template_kind",
            "version",
            "version_number",
            "executor_org",
            "executor_org_name",
            "created_by_name",
            "created_at",
            "data",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_created_by_name(self, obj) -> str:
        return str(obj.created_by)

    def get_pdf_url(self, obj) -> str:
        return f"/api/v1/work-orders/{obj.pk}/pdf/"


# --- Views ------------------------------------------------------------------------------------


class CanViewTemplates(permissions.BasePermission):
    message = "Формы заказ-нарядов доступны операторам системы"

    def has_permission(self, request, view):
        if request.method == "POST":
            return True  # the service names who may write, with its own message
        return request.user.has_perm("workorders.view_templates")


class WorkOrderTemplateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Forms of work orders (G 2.4): listed for operators, created by the functional operator;
    their versions loaded by the technical operator."""

    permission_classes = [permissions.IsAuthenticated, TokenScopePermission, CanViewTemplates]
    scope_area = SCOPE_AREA
    serializer_class = WorkOrderTemplateSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return selectors.templates_list()

    @extend_schema(
        request=WorkOrderTemplateInSerializer, responses={201: WorkOrderTemplateSerializer}
    )
    def create(self, request):
        data = WorkOrderTemplateInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.work_order_template_create(actor=request.user, **data.validated_data)
        template = selectors.template_get(pk=template.pk)
        return Response(WorkOrderTemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=WorkOrderTemplateVersionSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=WorkOrderTemplateVersionInSerializer,
        responses={201: WorkOrderTemplateVersionSerializer},
    )
    @action(detail=True, methods=["get", "post"], filterset_fields=[])
    def versions(self, request, pk=None):
        template = self.get_object()
        if request.method == "POST":
            data = WorkOrderTemplateVersionInSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            version = services.work_order_template_version_create(
                template=template, actor=request.user, **data.validated_data
            )
            return Response(
                WorkOrderTemplateVersionSerializer(version).data, status=status.HTTP_201_CREATED
            )
        page = self.paginate_queryset(selectors.versions_of(template=template))
        return self.get_paginated_response(WorkOrderTemplateVersionSerializer(page, many=True).data)


class WorkOrderTemplateVersionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One version of a form; the functional operator approves or rejects a draft."""

    permission_classes = [permissions.IsAuthenticated, TokenScopePermission, CanViewTemplates]
    scope_area = SCOPE_AREA
    serializer_class = WorkOrderTemplateVersionSerializer
    queryset = WorkOrderTemplateVersion.objects.select_related(
        "template", "created_by", "approved_by"
    )

    @extend_schema(request=None, responses=WorkOrderTemplateVersionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        version = services.work_order_template_version_approve(
            version=self.get_object(), actor=request.user
        )
        return Response(WorkOrderTemplateVersionSerializer(version).data)

    @extend_schema(
        request=WorkOrderTemplateVersionRejectSerializer,
        responses=WorkOrderTemplateVersionSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = WorkOrderTemplateVersionRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.work_order_template_version_reject(
            version=self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(WorkOrderTemplateVersionSerializer(version).data)


class WorkOrderFilter(django_filters.FilterSet):
    request = IdFilter(field_name="request_id")
    request_number = django_filters.CharFilter(field_name="request__number")

    class Meta:
        model = WorkOrder
        fields = ["request", "request_number"]


class WorkOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Work orders of the requests the caller may read; created by the request's executor."""

    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]
    scope_area = SCOPE_AREA
    serializer_class = WorkOrderSerializer
    filterset_class = WorkOrderFilter

    def get_queryset(self):
        return selectors.work_orders_visible_to(self.request.user)

    def get_object(self):
        # Any existing work order is found, then its request's rule decides: 403, not 404,
        # for a party that may not read it (S2).
        pk = bounds.parse_id(self.kwargs["pk"])  # the router's pk is any text (S7)
        work_order = selectors.work_order_get(pk=pk) if pk is not None else None
        if work_order is None:
            raise NotFound()
        if not self.request.user.has_perm("workorders.view_work_order", work_order):
            raise PermissionDenied("Заказ-наряд доступен участникам заявки")
        return work_order

    @extend_schema(request=WorkOrderInSerializer, responses={201: WorkOrderSerializer})
    def create(self, request):
        data = WorkOrderInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sr = selectors.service_request_get(pk=data.validated_data["request"])
        if sr is None:
            raise serializers.ValidationError({"request": ["Заявка не найдена"]})
        work_order = services.work_order_create(
            request=sr,
            actor=request.user,
            data=data.validated_data["data"],
            template_kind=data.validated_data["template"] or None,
        )
        work_order = selectors.work_order_get(pk=work_order.pk)
        return Response(WorkOrderSerializer(work_order).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        work_order = self.get_object()
        response = HttpResponse(render_work_order_pdf(work_order), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{pdf_filename(work_order)}"'
        return response
