"""REST API of onboarding (D5): anyone files a request (multipart, throttled "intake"),
operators list, read and decide; a UO admin reads the requests it filed for contractors."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from domovoy.api.auth import TokenScopePermission
from domovoy.api.throttles import ScopedRateThrottle
from domovoy.core import uploads
from domovoy.directory import roles
from domovoy.directory.models import Organization, OrgKind, Territory
from domovoy.directory.permissions import is_org_admin_of
from domovoy.directory.services import CARD_FIELDS

from . import importers, selectors, services
from .models import OnboardingDecision, OnboardingRequest


def _card_serializer_fields():
    fields = {}
    for name in CARD_FIELDS:
        model_field = Organization._meta.get_field(name)
        label = str(model_field.verbose_name)
        if name in ("registration_date", "license_date"):
            fields[name] = serializers.DateField(required=False, allow_null=True, label=label)
        elif name == "legal_form":
            fields[name] = serializers.ChoiceField(
                choices=Organization.LegalForm.choices, required=False, label=label
            )
        else:
            fields[name] = serializers.CharField(
                required=False, allow_blank=True, label=label, max_length=model_field.max_length
            )
    return fields


class OnboardingSubmitSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=[OrgKind.UO, OrgKind.RSO, OrgKind.CONTRACTOR]),
        required=False,
    )
    license_scan = serializers.FileField(
        required=False, validators=[uploads.validator(uploads.LICENSE_SCAN)]
    )
    employees_file = serializers.FileField(
        required=False, validators=[uploads.validator(uploads.SPREADSHEET)]
    )
    served_file = serializers.FileField(
        required=False, validators=[uploads.validator(uploads.SPREADSHEET)]
    )
    accounts_file = serializers.FileField(
        required=False, validators=[uploads.validator(uploads.SPREADSHEET)]
    )
    management_start = serializers.DateField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields.update(_card_serializer_fields())
        return fields


class OnboardingCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_url = serializers.CharField(help_text="The applicant's secret page of the request")


class RowErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="The sheet's own name in the workbook")
    file = serializers.CharField(
        required=False, help_text="The file (form field without «_file»): accounts, employees…"
    )
    line = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    reason = serializers.CharField()


class RowsErrorResponseSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    rows = RowErrorSerializer(many=True)
    total = serializers.IntegerField()


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = OnboardingDecision
        fields = ["action", "step_order", "step_name", "actor_name", "comment", "at"]


class OnboardingRequestSerializer(serializers.ModelSerializer):
    # A plain string (the codes are listed in the help text): the name "status" is taken by
    # other apps' enums in the schema.
    status = serializers.CharField(
        read_only=True, help_text=", ".join(OnboardingRequest.Status.values)
    )
    short_name = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()
    progress_percent = serializers.SerializerMethodField()

    class Meta:
        model = OnboardingRequest
        fields = [
            "id",
            "status",
            "short_name",
            "kinds",
            "on_behalf_of",
            "organization",
            "submitted_at",
            "due_date",
            "overdue",
            "current_step",
            "progress_done",
            "progress_total",
            "progress_percent",
            "last_error",
        ]

    def get_overdue(self, obj) -> bool:
        return selectors.is_overdue(obj)

    def get_progress_percent(self, obj) -> int:
        return selectors.progress_of(obj)[2]


class CredentialSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    position = serializers.CharField()
    username = serializers.CharField()
    password = serializers.CharField()


class OnboardingRequestDetailSerializer(OnboardingRequestSerializer):
    decisions = DecisionSerializer(many=True, read_only=True)
    credentials = serializers.SerializerMethodField()

    class Meta(OnboardingRequestSerializer.Meta):
        fields = OnboardingRequestSerializer.Meta.fields + [
            "card",
            "summary",
            "warnings",
            "errors",
            "management_start",
            "decisions",
            "credentials",
        ]

    @extend_schema_field(CredentialSerializer(many=True))
    def get_credentials(self, obj):
        user = self.context["request"].user
        if user.has_perm("onboarding.view_credentials", obj):
            return CredentialSerializer(obj.credentials, many=True).data
        return []


class DecisionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), required=False, allow_null=True
    )


class OnboardingRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OnboardingRequest.Status.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = OnboardingRequest
        fields = ["status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        q = selectors.overdue_q()
        return queryset.filter(q) if value else queryset.exclude(q)


class OnboardingRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Connection requests of organisations (D5)."""

    scope_area = "directory"
    throttle_scope = "intake"
    filterset_class = OnboardingRequestFilter
    serializer_class = OnboardingRequestSerializer
    queryset = OnboardingRequest.objects.none()

    def get_permissions(self):
        if self.action == "create":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated(), TokenScopePermission()]

    def get_throttles(self):
        if self.action == "create":
            return [ScopedRateThrottle()]
        return []

    def get_serializer_class(self):
        if self.action == "retrieve":
            return OnboardingRequestDetailSerializer
        return OnboardingRequestSerializer

    def get_queryset(self):
        user = self.request.user
        qs = selectors.onboarding_request_list()
        if user.has_perm("onboarding.view_queue"):
            return qs
        org = roles.organization_of(user)
        if org is not None and is_org_admin_of(user, org):
            return qs.filter(Q(on_behalf_of=org))
        return qs.none()

    def list(self, request, *args, **kwargs):
        if not (
            request.user.has_perm("onboarding.view_queue")
            or request.user.has_perm("onboarding.file_for_contractor")
        ):
            raise PermissionDenied(_("Очередь заявок видят только операторы"))
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": OnboardingSubmitSerializer},
        responses={201: OnboardingCreatedSerializer, 400: RowsErrorResponseSerializer},
    )
    def create(self, request):
        """File a connection request: the card, kinds and the files of appendix 2."""
        data = OnboardingSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # A UO admin signed in files for its contractor (D5); anyone else for itself.
        user = request.user
        on_behalf_of = None
        if user.is_authenticated and user.has_perm("onboarding.file_for_contractor"):
            on_behalf_of = roles.organization_of(user)
        try:
            created = services.onboarding_request_submit(
                card={k: values.get(k) for k in CARD_FIELDS if k in values},
                kinds=values.get("kinds", []),
                files={k: values.get(f"{k}_file") for k in ("employees", "served", "accounts")},
                license_scan=values.get("license_scan"),
                management_start=values.get("management_start"),
                submitted_by=user if user.is_authenticated else None,
                on_behalf_of=on_behalf_of,
                base_url=request.build_absolute_uri("/"),
            )
        except importers.ImportRowsError as exc:
            return Response(
                {
                    "code": exc.code,
                    "message": exc.message,
                    "fields": exc.fields,
                    "rows": exc.rows,
                    "total": exc.total,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        body = {
            "id": created.pk,
            "status": created.status,
            "status_url": request.build_absolute_uri(services.status_path(created)),
        }
        return Response(OnboardingCreatedSerializer(body).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, call):
        onboarding = self.get_object()
        if not request.user.has_perm("onboarding.view_queue"):
            raise PermissionDenied(_("Решения по заявкам принимают операторы"))
        # The service refuses a wrong status (409) and another step's role (403).
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = call(onboarding, data.validated_data)
        result = selectors.onboarding_request_get(pk=result.pk)
        return Response(
            OnboardingRequestDetailSerializer(result, context={"request": request}).data
        )

    @extend_schema(request=DecisionInputSerializer, responses=OnboardingRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the current step; the last one connects the organisation."""
        return self._decide(
            request,
            lambda o, d: services.onboarding_request_approve(
                request=o,
                actor=request.user,
                comment=d.get("comment", ""),
                territory=d.get("territory"),
                base_url=request.build_absolute_uri("/"),
            ),
        )

    @extend_schema(request=DecisionInputSerializer, responses=OnboardingRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        """Return the request to the applicant with a comment (mailed with the link)."""
        return self._decide(
            request,
            lambda o, d: services.onboarding_request_changes(
                request=o,
                actor=request.user,
                comment=d.get("comment", ""),
                base_url=request.build_absolute_uri("/"),
            ),
        )

    @extend_schema(request=DecisionInputSerializer, responses=OnboardingRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Refuse the connection with a reason."""
        return self._decide(
            request,
            lambda o, d: services.onboarding_request_reject(
                request=o,
                actor=request.user,
                comment=d.get("comment", ""),
            ),
        )

    @extend_schema(request=None, responses=OnboardingRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="handed-over")
    def handed_over(self, request, pk=None):
        """The filing UO confirms it handed the first logins over; they are erased."""
        onboarding = self.get_object()
        if not request.user.has_perm("onboarding.view_credentials", onboarding):
            raise PermissionDenied(_("Логины подрядчика видит только подавшая заявку УО"))
        result = services.onboarding_credentials_handed_over(request=onboarding, actor=request.user)
        return Response(
            OnboardingRequestDetailSerializer(result, context={"request": request}).data
        )
