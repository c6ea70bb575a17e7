"""Read-only API of the audit trail (S3) and of the personal-data access log (S5)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from domovoy.api.auth import TokenScopePermission, integration_of, token_territory

from .export import XLSX_TYPE, audit_xlsx_response
from .filters import AuditEntryFilter, PersonalDataAccessFilter, RefusedAccessFilter
from .models import AuditEntry, PersonalDataAccess, RefusedAccess
from .permissions import can_view_log, can_view_personal_data_log, can_view_refusals
from .selectors import audit_entries_visible_to, personal_data_accesses, refused_accesses


class CanReadAuditLog(permissions.BasePermission):
    """Operators and control bodies by their session; integrations by the "audit:read" scope
    (checked by ``TokenScopePermission``) within their agreement's territory."""

    def has_permission(self, request, view):
        return integration_of(request) is not None or can_view_log(request.user)


class CanReadPersonalDataLog(permissions.BasePermission):
    def has_permission(self, request, view):
        return integration_of(request) is None and can_view_personal_data_log(request.user)


class AuditEntrySerializer(serializers.ModelSerializer):
    changes = serializers.JSONField(help_text="{field: [before, after]}")

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "organization_id",
            "action",
            "model",
            "model_label",
            "object_id",
            "object_repr",
            "changes",
        ]
        read_only_fields = fields


def _visible_entries(request):
    return audit_entries_visible_to(
        user=request.user,
        territory=token_territory(request),
        integration=integration_of(request) is not None,
    )


class _AuditBase:
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission, CanReadAuditLog]
    scope_area = "audit"
    http_method_names = ["get", "head", "options"]


class AuditEntryListView(_AuditBase, generics.ListAPIView):
    """The audit trail, newest first: who, when, what, before → after. Read-only."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter

    def get_queryset(self):
        return _visible_entries(self.request)


class AuditExportView(_AuditBase, APIView):
    """The filtered audit trail as an XLSX file."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("actor", OpenApiTypes.INT),
            OpenApiParameter("actor_name", OpenApiTypes.STR),
            OpenApiParameter("model", OpenApiTypes.STR),
            OpenApiParameter("object_id", OpenApiTypes.STR),
            OpenApiParameter("action", OpenApiTypes.STR, enum=AuditEntry.Action.values),
        ],
        responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request):
        filterset = AuditEntryFilter(request.query_params, queryset=_visible_entries(request))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return audit_xlsx_response(filterset.qs, filename="audit.xlsx")


class PersonalDataAccessSerializer(serializers.ModelSerializer):
    user_name = serializers.SerializerMethodField()
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = PersonalDataAccess
        fields = ["id", "at", "user", "username", "user_name", "subject", "purpose"]
        read_only_fields = fields

    def get_user_name(self, obj) -> str:
        return obj.user.full_name or obj.user.username


class PersonalDataAccessListView(generics.ListAPIView):
    """Who read whose personal data and when (S5). Operators only, not integrations."""

    permission_classes = [permissions.IsAuthenticated, CanReadPersonalDataLog]
    http_method_names = ["get", "head", "options"]
    serializer_class = PersonalDataAccessSerializer
    filterset_class = PersonalDataAccessFilter

    def get_queryset(self):
        return personal_data_accesses()


class CanReadRefusals(permissions.BasePermission):
    def has_permission(self, request, view):
        return integration_of(request) is None and can_view_refusals(request.user)


class RefusedAccessSerializer(serializers.ModelSerializer):
    class Meta:
        model = RefusedAccess
        fields = [
            "id",
            "at",
            "user",
            "username",
            "organization_id",
            "method",
            "path",
            "route",
            "object_id",
            "status",
            "address",
        ]
        read_only_fields = fields


class RefusedAccessListView(generics.ListAPIView):
    """Refused (403/404) attempts of signed-in people on personal-data routes, newest first
    (item 10 of issue 9). The technical operator's session only."""

    permission_classes = [permissions.IsAuthenticated, CanReadRefusals]
    http_method_names = ["get", "head", "options"]
    serializer_class = RefusedAccessSerializer
    filterset_class = RefusedAccessFilter

    def get_queryset(self):
        return refused_accesses()
