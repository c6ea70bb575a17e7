"""REST API of the directory (D1–D4): thin views — input serializer, one service call,
output serializer. Object rules are the same ``rules`` as the pages (S2); owners' names are
masked unless allowed and every unmasked read is logged (S5).

Integration tokens (S1) use these endpoints within their agreement: the scope is checked by
``TokenScopePermission``, what they may see and change by the rules of ``permissions.py``,
and every queryset is narrowed to the agreement's territory by the selectors (``viewer``),
so an object outside it is a 404."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from domovoy.api.auth import TokenScopePermission, integration_of
from domovoy.api.errors import ErrorSerializer
from domovoy.audit.services import personal_data_read
from domovoy.core import bounds
from domovoy.core.errors import ApplicationError
from domovoy.core.masking import mask_name
from domovoy.core.private_files import AnyContentNegotiation, serve_private_file

from . import filters, selectors, services
from .models import (
    Account,
    Building,
    Department,
    Employee,
    ManagementPeriod,
    Organization,
    OrgKind,
    Premises,
    Resource,
    Role,
    ServiceLink,
    Territory,
)

# --- Permissions


class DirectoryRulePermission(permissions.BasePermission):
    """The view's ``rules_by_action`` (checked without an object) and
    ``object_rules_by_action`` (checked against ``view.rule_target(obj)``)."""

    def has_permission(self, request, view):
        perm = getattr(view, "rules_by_action", {}).get(view.action)
        return perm is None or request.user.has_perm(perm)

    def has_object_permission(self, request, view, obj):
        perm = getattr(view, "object_rules_by_action", {}).get(view.action)
        if perm is None:
            return True
        target = view.rule_target(obj) if hasattr(view, "rule_target") else obj
        return request.user.has_perm(perm, target)


PERMISSIONS = [permissions.IsAuthenticated, TokenScopePermission, DirectoryRulePermission]


def require(request, perm, obj=None):
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


# --- Organisations (D1, D2)

CARD_FIELDS = services.CARD_FIELDS
SHORT_FIELDS = ("id", "short_name", "full_name", "kinds", "dispatcher_phone", "working_hours")


class OrganizationSerializer(serializers.ModelSerializer):
    """The card; callers who are not party to the organisation get the public short info
    only (id, names, kinds, dispatcher phone, working hours)."""

    kinds = serializers.SerializerMethodField()
    license_scan = serializers.SerializerMethodField(
        help_text="the download URL of the licence scan; null without a scan or the right"
    )

    class Meta:
        model = Organization
        fields = ["id", *CARD_FIELDS, "kinds", "territory", "is_active", "license_scan"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(OrgKind.choices)))
    def get_kinds(self, obj):
        return sorted(k.kind for k in obj.kinds.all())

    def get_license_scan(self, obj) -> str | None:
        request = self.context.get("request")
        if not obj.license_scan or request is None:
            return None
        if not request.user.has_perm("directory.view_license_scan", obj):
            return None
        return reverse("organization-license-scan", args=[obj.pk])

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not request.user.has_perm(
            "directory.view_organization_card", instance
        ):
            data = {k: v for k, v in data.items() if k in SHORT_FIELDS}
        return data


def _card_input_fields():
    out = {}
    for name in CARD_FIELDS:
        if name in ("registration_date", "license_date"):
            out[name] = serializers.DateField(required=False, allow_null=True)
        elif name == "legal_form":
            out[name] = serializers.ChoiceField(
                choices=Organization.LegalForm.choices, required=False
            )
        else:
            max_length = Organization._meta.get_field(name).max_length
            out[name] = serializers.CharField(
                required=False, allow_blank=True, max_length=max_length, trim_whitespace=True
            )
    return out


OrganizationInputSerializer = type(
    "OrganizationInputSerializer",
    (serializers.Serializer,),
    {
        **_card_input_fields(),
        "kinds": serializers.ListField(
            child=serializers.ChoiceField(OrgKind.choices), required=False
        ),
        "territory": serializers.PrimaryKeyRelatedField(
            queryset=Territory.objects.all(), required=False, allow_null=True
        ),
        "__doc__": "Card fields (D1) and kinds (D2); the card is checked by the service.",
    },
)


class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations: operators and control bodies list their territory; other staff list
    everybody's public short info. Operators create; the own administrator or an operator
    changes the card; only operators change kinds."""

    scope_area = "directory"
    permission_classes = PERMISSIONS
    serializer_class = OrganizationSerializer
    filterset_class = filters.OrganizationFilter
    queryset = Organization.objects.none()
    rules_by_action = {
        "list": "directory.view_organization",
        "retrieve": "directory.view_organization",
        "create": "directory.add_organization",
    }
    object_rules_by_action = {
        "update": "directory.change_organization",
        "partial_update": "directory.change_organization",
    }

    def get_queryset(self):
        if self.action == "list":
            return selectors.organization_list(user=self.request.user)
        return selectors.organization_visible(viewer=self.request.user)

    @extend_schema(request=OrganizationInputSerializer, responses={201: OrganizationSerializer})
    def create(self, request, *args, **kwargs):
        data = OrganizationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        kinds, territory = d.pop("kinds", []), d.pop("territory", None)
        org = services.organization_create(data=d, kinds=kinds, territory=territory)
        org = self.get_queryset().get(pk=org.pk)
        return Response(
            OrganizationSerializer(org, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=OrganizationInputSerializer, responses=OrganizationSerializer)
    def update(self, request, *args, **kwargs):
        org = self.get_object()
        data = OrganizationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        kinds = d.pop("kinds", None)
        d.pop("territory", None)
        if kinds is not None:
            require(request, "directory.change_organization_kinds", org)
        services.organization_update(organization=org, data=d, kinds=kinds)
        org = self.get_queryset().get(pk=org.pk)
        return Response(OrganizationSerializer(org, context=self.get_serializer_context()).data)

    @extend_schema(request=OrganizationInputSerializer, responses=OrganizationSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ErrorSerializer}
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="license-scan",
        filterset_class=None,
        content_negotiation_class=AnyContentNegotiation,
    )
    def license_scan(self, request, pk=None):
        """The licence scan (S5): the organisation itself and the operators / control bodies
        of its territory; 404 for everyone else."""
        org = self.get_object()
        if not request.user.has_perm("directory.view_license_scan", org):
            raise Http404
        return serve_private_file(
            request, org.license_scan, filename=org.license_scan_name, inline=True
        )


# --- Departments and employees (D2)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "organization", "name"]


class DepartmentInputSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    name = serializers.CharField(max_length=300)


class DepartmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Departments; the organisation's own administrator adds them."""

    scope_area = "directory"
    permission_classes = PERMISSIONS
    serializer_class = DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    rules_by_action = {"list": "directory.view_staff", "retrieve": "directory.view_staff"}

    def get_queryset(self):
        return selectors.department_list(viewer=self.request.user)

    @extend_schema(request=DepartmentInputSerializer, responses={201: DepartmentSerializer})
    def create(self, request, *args, **kwargs):
        data = DepartmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = data.validated_data["organization"]
        require(request, "directory.change_staff", org)
        dept = services.department_create(organization=org, name=data.validated_data["name"])
        return Response(DepartmentSerializer(dept).data, status=status.HTTP_201_CREATED)


class EmployeeSerializer(serializers.ModelSerializer):
    """Phones and e-mails (S5) only for the same organisation and the territorial readers of
    its territory; the login (username) only for the organisation itself and the operators
    (``directory.view_staff_usernames``); empty for others."""

    full_name = serializers.CharField(source="user.full_name")
    username = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Employee
        fields = [
            "id",
            "organization",
            "department",
            "full_name",
            "username",
            "position",
            "roles",
            "email",
            "phone",
            "is_active",
        ]
        read_only_fields = fields

    def _contacts(self, obj):
        request = self.context.get("request")
        return request is not None and request.user.has_perm(
            "directory.view_staff_contacts", obj.organization
        )

    @extend_schema_field(OpenApiTypes.STR)
    def get_username(self, obj):
        request = self.context.get("request")
        if request is not None and request.user.has_perm(
            "directory.view_staff_usernames", obj.organization
        ):
            return obj.user.username
        return ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_email(self, obj):
        return obj.user.email if self._contacts(obj) else ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_phone(self, obj):
        return obj.user.phone if self._contacts(obj) else ""

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Role.choices)))
    def get_roles(self, obj):
        return sorted(r.role for r in obj.roles.all())


class EmployeeCreateSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    full_name = serializers.CharField(max_length=450)
    position = serializers.CharField(max_length=200)
    roles = serializers.ListField(child=serializers.ChoiceField(Role.choices))
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)


class EmployeeCreatedSerializer(serializers.Serializer):
    employee = EmployeeSerializer()
    username = serializers.CharField()
    password = serializers.CharField(help_text="One-time password, shown only in this answer")


class RolesSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(Role.choices))


class EmployeeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Employees with roles (D2); filter by organisation, department, role. The own
    administrator creates them (the answer holds the one-time password, once), changes
    roles and closes access."""

    scope_area = "directory"
    permission_classes = PERMISSIONS
    serializer_class = EmployeeSerializer
    filterset_class = filters.EmployeeFilter
    rules_by_action = {"list": "directory.view_staff", "retrieve": "directory.view_staff"}
    object_rules_by_action = {
        "set_roles": "directory.change_staff",
        "deactivate": "directory.change_staff",
    }

    def get_queryset(self):
        return selectors.employee_list(include_inactive=True, viewer=self.request.user)

    def rule_target(self, obj):
        return obj.organization

    @extend_schema(request=EmployeeCreateSerializer, responses={201: EmployeeCreatedSerializer})
    def create(self, request, *args, **kwargs):
        data = EmployeeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        require(request, "directory.change_staff", d["organization"])
        employee, password = services.employee_create(
            organization=d["organization"],
            department=d.get("department"),
            full_name=d["full_name"],
            position=d["position"],
            roles=d["roles"],
            email=d.get("email", ""),
            phone=d.get("phone", ""),
        )
        employee = self.get_queryset().get(pk=employee.pk)
        body = {
            "employee": EmployeeSerializer(employee, context=self.get_serializer_context()).data,
            "username": employee.user.username,
            "password": password,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=RolesSerializer, responses=EmployeeSerializer)
    @action(detail=True, methods=["post"], url_path="roles")
    def set_roles(self, request, pk=None):
        employee = self.get_object()
        data = RolesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.employee_set_roles(employee=employee, roles=data.validated_data["roles"])
        employee = self.get_queryset().get(pk=employee.pk)
        return Response(EmployeeSerializer(employee, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=EmployeeSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        employee = self.get_object()
        services.employee_deactivate(employee=employee)
        employee = self.get_queryset().get(pk=employee.pk)
        return Response(EmployeeSerializer(employee, context=self.get_serializer_context()).data)


# --- Buildings, premises, accounts (D3)


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    short_name = serializers.CharField()
    dispatcher_phone = serializers.CharField()


class BuildingSerializer(serializers.ModelSerializer):
    address = serializers.CharField(read_only=True)
    manager = serializers.SerializerMethodField()

    class Meta:
        model = Building
        fields = [
            "id",
            "address",
            "settlement",
            "city_district",
            "street",
            "house",
            "block",
            "postal_code",
            "territory",
            "latitude",
            "longitude",
            "entrances",
            "floors",
            "year_built",
            "manager",
        ]
        read_only_fields = fields

    @extend_schema_field(OrganizationRefSerializer(allow_null=True))
    def get_manager(self, obj):
        periods = getattr(obj, "current_periods", None)
        if not periods:
            return None
        return OrganizationRefSerializer(periods[0].organization).data


class BuildingInputSerializer(serializers.Serializer):
    settlement = serializers.CharField(max_length=200, required=False)
    city_district = serializers.CharField(max_length=200, required=False, allow_blank=True)
    street = serializers.CharField(max_length=200, required=False)
    house = serializers.CharField(max_length=20, required=False)
    block = serializers.CharField(max_length=20, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=6, required=False, allow_blank=True)
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), required=False, allow_null=True
    )
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    entrances = bounds.api_integer("PositiveSmallIntegerField", required=False, min_value=1)
    floors = bounds.api_integer("PositiveSmallIntegerField", required=False, min_value=1)
    year_built = serializers.IntegerField(
        required=False, allow_null=True, min_value=1700, max_value=2100
    )


class ManagerAnswerSerializer(serializers.Serializer):
    building = serializers.IntegerField()
    on = serializers.DateField()
    organization = OrganizationRefSerializer(allow_null=True)


class SupplierAnswerSerializer(serializers.Serializer):
    building = serializers.IntegerField()
    on = serializers.DateField()
    resource = serializers.ChoiceField(Resource.choices)
    organization = OrganizationRefSerializer(allow_null=True)


def _date_param(request, name="on"):
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ApplicationError(
            _("Неверная дата «%(raw)s»: ожидается ГГГГ-ММ-ДД") % {"raw": raw},
            fields={name: [_("Ожидается дата ГГГГ-ММ-ДД")]},
        )


ON_PARAM = OpenApiParameter("on", OpenApiTypes.DATE, description="date (today by default)")


class BuildingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The building registry (D3): filters street, search (address text), territory (and
    below), manager (UO managing today). Operators and UOs register buildings; the managing
    UO's staff or an operator changes them. ``manager`` and ``supplier`` answer "who manages
    B on T" and "who supplies X to B" (D4)."""

    scope_area = "directory"
    permission_classes = PERMISSIONS
    serializer_class = BuildingSerializer
    filterset_class = filters.BuildingFilter
    rules_by_action = {
        "list": "directory.view_building",
        "retrieve": "directory.view_building",
        "create": "directory.add_building",
        "manager": "directory.view_building",
        "supplier": "directory.view_building",
    }
    object_rules_by_action = {
        "update": "directory.change_building",
        "partial_update": "directory.change_building",
    }

    def get_queryset(self):
        return selectors.building_list(with_manager=True, viewer=self.request.user)

    def _answer(self, building):
        building = self.get_queryset().get(pk=building.pk)
        return BuildingSerializer(building, context=self.get_serializer_context()).data

    @extend_schema(request=BuildingInputSerializer, responses={201: BuildingSerializer})
    def create(self, request, *args, **kwargs):
        data = BuildingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        require(request, "directory.place_building", data.validated_data.get("territory"))
        building = services.building_create(data=dict(data.validated_data))
        return Response(self._answer(building), status=status.HTTP_201_CREATED)

    @extend_schema(request=BuildingInputSerializer, responses=BuildingSerializer)
    def update(self, request, *args, **kwargs):
        building = self.get_object()
        data = BuildingInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "territory" in data.validated_data:
            require(request, "directory.place_building", data.validated_data["territory"])
        services.building_update(building=building, data=dict(data.validated_data))
        return Response(self._answer(building))

    @extend_schema(request=BuildingInputSerializer, responses=BuildingSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(parameters=[ON_PARAM], responses=ManagerAnswerSerializer)
    @action(detail=True, methods=["get"], filterset_class=None)
    def manager(self, request, pk=None):
        building = self.get_object()
        on = _date_param(request) or selectors.timezone.localdate()
        org = selectors.building_manager(building=building, on=on)
        body = {"building": building.pk, "on": on, "organization": org}
        return Response(ManagerAnswerSerializer(body).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("resource", OpenApiTypes.STR, enum=Resource.values, required=True),
            ON_PARAM,
        ],
        responses=SupplierAnswerSerializer,
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def supplier(self, request, pk=None):
        building = self.get_object()
        resource = request.query_params.get("resource", "")
        if resource not in Resource.values:
            raise ApplicationError(
                _("Укажите ресурс: %(values)s") % {"values": ", ".join(Resource.values)},
                fields={"resource": [_("Неизвестный или пустой ресурс")]},
            )
        on = _date_param(request) or selectors.timezone.localdate()
        org = selectors.building_supplier(building=building, resource=resource, on=on)
        body = {"building": building.pk, "on": on, "resource": resource, "organization": org}
        return Response(SupplierAnswerSerializer(body).data)


class PremisesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Premises
        fields = ["id", "building", "number", "kind", "entrance", "floor", "area"]


class PremisesViewSet(viewsets.ReadOnlyModelViewSet):
    """Premises of buildings (D3); filter by building."""

    scope_area = "directory"
    permission_classes = PERMISSIONS
    serializer_class = PremisesSerializer
    filterset_class = filters.PremisesFilter
    rules_by_action = {"list": "directory.view_building", "retrieve": "directory.view_building"}

    def get_queryset(self):
        return selectors.premises_list(viewer=self.request.user)


class AccountSerializer(serializers.ModelSerializer):
    """``owner_name`` is masked unless the caller may read the building's people (S5)."""

    building = serializers.IntegerField(source="premises.building_id", read_only=True)
    premises_number = serializers.CharField(source="premises.number", read_only=True)
    owner_name = serializers.SerializerMethodField()
    owner_masked = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = [
            "id",
            "number",
            "building",
            "premises",
            "premises_number",
            "owner_name",
            "owner_masked",
            "is_active",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_owner_name(self, obj):
        return obj.owner_name if obj.people_visible else mask_name(obj.owner_name)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_owner_masked(self, obj):
        return not obj.people_visible


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Personal accounts (D3); filter by building, premises, number. Every answer that shows
    unmasked owners' names is logged as a personal-data read (S5)."""

    scope_area = "directory"
    permission_classes = PERMISSIONS
    serializer_class = AccountSerializer
    filterset_class = filters.AccountFilter
    rules_by_action = {"list": "directory.view_building", "retrieve": "directory.view_building"}

    def get_queryset(self):
        return selectors.account_list(user=self.request.user)

    def _log(self, accounts):
        shown = [a for a in accounts if a.people_visible and a.owner_name]
        if shown:
            buildings = sorted({a.premises.building_id for a in shown})
            subject = "accounts of building:" + ",".join(map(str, buildings))
            purpose = self.request.path
            agreement = integration_of(self.request)
            if agreement is not None:
                purpose = f"{purpose} (соглашение № {agreement.number})"
            personal_data_read(user=self.request.user, subject=subject[:200], purpose=purpose)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self._log(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        account = self.get_object()
        self._log([account])
        return Response(self.get_serializer(account).data)


# --- Management registry (D4)


class ManagementPeriodSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.short_name", read_only=True)

    class Meta:
        model = ManagementPeriod
        fields = ["id", "building", "organization", "organization_name", "start", "end", "basis"]


class CloseSerializer(serializers.Serializer):
    end = serializers.DateField(help_text="the last day, inclusive")


class ManagementPeriodViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Who manages which building over which period (D4); filter by building or
    organisation. Operators add periods (overlaps refused) and close them."""

    scope_area = "directory"
    permission_classes = PERMISSIONS
    serializer_class = ManagementPeriodSerializer
    filterset_class = filters.ManagementPeriodFilter
    rules_by_action = {
        "list": "directory.view_building",
        "retrieve": "directory.view_building",
        "create": "directory.change_registry",
        "close": "directory.change_registry",
    }

    def get_queryset(self):
        return selectors.management_period_list(viewer=self.request.user)

    def create(self, request, *args, **kwargs):
        data = ManagementPeriodSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        period = services.management_period_create(
            building=d["building"],
            organization=d["organization"],
            start=d["start"],
            end=d.get("end"),
            basis=d.get("basis", ""),
        )
        return Response(ManagementPeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CloseSerializer, responses=ManagementPeriodSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        period = self.get_object()
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.management_period_close(period=period, end=data.validated_data["end"])
        return Response(ManagementPeriodSerializer(period).data)


class ServiceLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceLink
        fields = ["id", "uo", "provider", "resource", "start", "end"]


class ServiceLinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Which suppliers and contractors serve which UO (D4); operators add links."""

    scope_area = "directory"
    permission_classes = PERMISSIONS
    serializer_class = ServiceLinkSerializer
    filterset_class = filters.ServiceLinkFilter
    rules_by_action = {
        "list": "directory.view_organization",
        "retrieve": "directory.view_organization",
        "create": "directory.change_registry",
    }

    def get_queryset(self):
        return selectors.service_link_list(viewer=self.request.user)

    def create(self, request, *args, **kwargs):
        data = ServiceLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        link = services.service_link_create(
            uo=d["uo"],
            provider=d["provider"],
            resource=d.get("resource", ""),
            start=d["start"],
            end=d.get("end"),
        )
        return Response(ServiceLinkSerializer(link).data, status=status.HTTP_201_CREATED)
