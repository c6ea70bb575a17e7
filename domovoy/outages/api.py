"""REST API of outages (O1–O7): thin views over ``services`` and ``selectors``.

- ``/outages/``: the outages the caller sees (O7), filtered (``filters.OutageFilter``); POST
  publishes a planned or emergency outage (O1, O2) with its zone.
- ``/outages/{id}/``: the outage with its zone, history, delays and — for staff — delivery
  statistics of its notices; ``/outages/{id}/refine|complete|cancel/`` are the actions.
- ``/outages/zone-preview/``: how many buildings a zone selection takes (the form's preview).
- ``/outages/public/``: current and planned outages with their zone points, no login (O6).
- ``/outages/favourites/``: a resident's favourite addresses (O6).
- ``/outages/durations/``: durations per building/account and resource (O5).
Errors are JSON {code, message, fields}: 400 bad input, 403 wrong organisation or role,
404 an outage the caller may not see, 409 wrong status."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.api.auth import SessionOnly, TokenScopePermission
from domovoy.api.errors import ErrorSerializer
from domovoy.core import bounds
from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.directory import roles
from domovoy.directory.models import Building, Resource

from . import filters, notify, selectors, services
from . import permissions as perms
from .models import (
    Completion,
    FavouriteAddress,
    FavouriteLabel,
    Network,
    Outage,
    OutageKind,
    OutageRevision,
    OutageStatus,
    RevisionAction,
)
from .zones import resolve_zone, zone_spec


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose enum has its own name in the schema (other apps have fields called
    "kind" and "status" with other choices)."""

    def __init__(self, *, enum_name, choices, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices=choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        labels = "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items())
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"enum": list(field.choices), "type": "string", "description": labels},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def kind_field(**kw):
    return NamedChoiceField(enum_name="OutageKindEnum", choices=OutageKind.choices, **kw)


def status_field(**kw):
    return NamedChoiceField(enum_name="OutageStatusEnum", choices=OutageStatus.choices, **kw)


def resource_field(**kw):
    return NamedChoiceField(enum_name="OutageResourceEnum", choices=Resource.choices, **kw)


def network_field(**kw):
    return NamedChoiceField(enum_name="OutageNetworkEnum", choices=Network.choices, **kw)


def completion_field(**kw):
    return NamedChoiceField(enum_name="OutageCompletionEnum", choices=Completion.choices, **kw)


ERRORS = {
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}


# --- Output ----------------------------------------------------------------------------------


class OutageOrgSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    short_name = serializers.CharField()


class OutageListSerializer(serializers.ModelSerializer):
    organization = OutageOrgSerializer(read_only=True)
    kind = kind_field(read_only=True)
    status = status_field(read_only=True)
    resource = resource_field(read_only=True)
    network = network_field(read_only=True)
    completion = completion_field(read_only=True)
    resource_label = serializers.CharField(source="get_resource_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Outage
        fields = [
            "id",
            "kind",
            "resource",
            "resource_label",
            "network",
            "status",
            "status_label",
            "organization",
            "start",
            "planned_end",
            "actual_end",
            "reason",
            "completion",
            "emergency_alert",
            "is_late",
            "building_count",
            "published_at",
        ]


class OutageZoneBuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="building.id")
    address = serializers.CharField(source="building.address")
    latitude = serializers.FloatField(source="building.latitude", allow_null=True)
    longitude = serializers.FloatField(source="building.longitude", allow_null=True)


class OutageRevisionSerializer(serializers.ModelSerializer):
    action = NamedChoiceField(
        enum_name="OutageRevisionActionEnum", choices=RevisionAction.choices, read_only=True
    )
    actor_name = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()

    class Meta:
        model = OutageRevision
        fields = [
            "number",
            "action",
            "at",
            "actor_name",
            "organization",
            "changes",
            "known_at",
            "entry_delay_minutes",
            "note",
        ]

    def get_actor_name(self, obj) -> str:
        return obj.actor.full_name if obj.actor else _("Система")

    def get_organization(self, obj) -> str:
        return obj.actor_org.short_name if obj.actor_org else ""


class OutageDeliveryCellSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class OutageDeliveryScheduleSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="outage.published, outage.reminder_5d, ...")
    label = serializers.CharField(help_text="the kind in words («Напоминание за 5 дней до начала»)")
    due_at = serializers.DateTimeField(help_text="when the notices of this row go out")
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    channels = serializers.DictField(child=serializers.IntegerField(), help_text="rows per channel")


class OutageDetailSerializer(OutageListSerializer):
    zone = OutageZoneBuildingSerializer(many=True, read_only=True)
    history = OutageRevisionSerializer(source="revisions", many=True, read_only=True)
    publication_late = serializers.BooleanField(read_only=True)
    delivery = serializers.SerializerMethodField()
    delivery_schedule = serializers.SerializerMethodField(
        help_text="for staff: the notices by kind and due moment; null for others"
    )
    can_change = serializers.SerializerMethodField()

    class Meta(OutageListSerializer.Meta):
        fields = [
            *OutageListSerializer.Meta.fields,
            "description",
            "accident_at",
            "end_known_at",
            "cancel_reason",
            "min_notice_days",
            "publication_delay_minutes",
            "publication_late",
            "end_entry_delay_minutes",
            "end_entry_late",
            "zone",
            "history",
            "delivery",
            "delivery_schedule",
            "can_change",
        ]

    def _sees_delivery(self) -> bool:
        user = self.context["request"].user
        return roles.organization_of(user) is not None or user.is_superuser

    @extend_schema_field(
        serializers.DictField(child=OutageDeliveryCellSerializer(), allow_null=True)
    )
    def get_delivery(self, obj):
        return notify.stats(obj) if self._sees_delivery() else None

    @extend_schema_field(OutageDeliveryScheduleSerializer(many=True, allow_null=True))
    def get_delivery_schedule(self, obj):
        if not self._sees_delivery():
            return None
        return OutageDeliveryScheduleSerializer(notify.delivery_schedule(obj), many=True).data

    def get_can_change(self, obj) -> bool:
        return perms.is_responsible_staff(self.context["request"].user, obj)


class OutageBuildingPointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    address = serializers.CharField()


class PublicOutageSerializer(OutageListSerializer):
    buildings = serializers.SerializerMethodField()

    class Meta(OutageListSerializer.Meta):
        fields = [
            "id",
            "kind",
            "resource",
            "resource_label",
            "status",
            "organization",
            "start",
            "planned_end",
            "reason",
            "building_count",
            "buildings",
        ]

    @extend_schema_field(OutageBuildingPointSerializer(many=True))
    def get_buildings(self, obj):
        points = self.context["points"].get(obj.pk, [])
        return [{"id": i, "latitude": la, "longitude": lo, "address": a} for i, la, lo, a in points]


# --- Input -----------------------------------------------------------------------------------


class OutageZoneInputSerializer(serializers.Serializer):
    building_ids = serializers.ListField(
        child=bounds.api_id(),
        required=False,
        max_length=100_000,
    )
    streets = serializers.ListField(
        child=serializers.ListField(
            child=serializers.CharField(max_length=200), min_length=2, max_length=2
        ),
        required=False,
        max_length=200,
        help_text="[[settlement, street], ...]",
    )
    polygon = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        required=False,
        max_length=500,
        help_text="[[lat, lon], ...]",
    )

    def to_spec(self):
        d = self.validated_data
        return zone_spec(
            building_ids=d.get("building_ids", ()),
            streets=d.get("streets", ()),
            polygon=d.get("polygon", ()),
        )


def _spec(data):
    zone = OutageZoneInputSerializer(data=data)
    zone.is_valid(raise_exception=True)
    return zone.to_spec()


class OutageCreateSerializer(serializers.Serializer):
    kind = kind_field()
    resource = resource_field()
    network = network_field()
    zone = OutageZoneInputSerializer()
    reason = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    start = serializers.DateTimeField(required=False, allow_null=True)
    planned_end = serializers.DateTimeField(required=False, allow_null=True)
    completion = completion_field(default=Completion.AUTO)
    accident_at = serializers.DateTimeField(required=False, allow_null=True)
    end_known_at = serializers.DateTimeField(required=False, allow_null=True)
    emergency_alert = serializers.BooleanField(default=False)


class OutageRefineSerializer(serializers.Serializer):
    start = serializers.DateTimeField(required=False)
    planned_end = serializers.DateTimeField(required=False, allow_null=True)
    end_known_at = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    emergency_alert = serializers.BooleanField(required=False)
    zone = OutageZoneInputSerializer(required=False)


class OutageCompleteSerializer(serializers.Serializer):
    actual_end = serializers.DateTimeField(required=False, allow_null=True)
    known_at = serializers.DateTimeField(required=False, allow_null=True)


class OutageCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class OutageZonePreviewSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    buildings = OutageBuildingPointSerializer(many=True)


class FavouriteSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="building.address", read_only=True)
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all())
    label = NamedChoiceField(
        enum_name="FavouriteLabelEnum", choices=FavouriteLabel.choices, default=FavouriteLabel.HOME
    )

    class Meta:
        model = FavouriteAddress
        fields = ["id", "building", "address", "label", "title", "created_at"]
        read_only_fields = ["id", "address", "created_at"]


class OutageDurationSerializer(serializers.Serializer):
    building_id = serializers.IntegerField()
    address = serializers.CharField()
    account = serializers.CharField()
    premises = serializers.CharField()
    resource = serializers.CharField()
    resource_label = serializers.CharField()
    seconds = serializers.IntegerField()
    hours = serializers.FloatField()
    outages = serializers.ListField(child=serializers.IntegerField())


class OutageDurationQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    resource = resource_field(required=False)
    building = bounds.api_id(required=False)
    by = NamedChoiceField(
        enum_name="OutageDurationsByEnum",
        choices=[("building", "building"), ("account", "account")],
        default="building",
    )

    def validate(self, attrs):
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": _("Не раньше даты начала.")})
        if (attrs["date_to"] - attrs["date_from"]).days > 366:
            raise serializers.ValidationError({"date_to": _("Период не длиннее года.")})
        return attrs


class SupplierStatisticsQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()

    def validate(self, attrs):
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": _("Не раньше даты начала.")})
        if (attrs["date_to"] - attrs["date_from"]).days > 366:
            raise serializers.ValidationError({"date_to": _("Период не длиннее года.")})
        return attrs


class SupplierStatisticsSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    organization = serializers.CharField()
    outages = serializers.IntegerField()
    late_published = serializers.IntegerField()
    late_notice = serializers.IntegerField()
    late_publication = serializers.IntegerField()
    late_end_entry = serializers.IntegerField()
    overdue_restorations = serializers.IntegerField()
    mean_publication_delay = serializers.FloatField(allow_null=True)
    mean_end_entry_delay = serializers.FloatField(allow_null=True)
    mean_restoration_delay = serializers.FloatField(allow_null=True)


# --- Views -----------------------------------------------------------------------------------


class OutagesAPIView(APIView):
    scope_area = "outages"
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    def get_outage(self, pk) -> Outage:
        obj = selectors.outage_detail(user=self.request.user, pk=pk)
        if obj is None:
            raise Http404
        return obj

    def detail(self, pk, *, status_code=status.HTTP_200_OK) -> Response:
        obj = self.get_outage(pk)
        data = OutageDetailSerializer(obj, context={"request": self.request}).data
        return Response(data, status=status_code)


class OutageListView(generics.ListAPIView, OutagesAPIView):
    """Outages the caller sees (O7), newest start first."""

    serializer_class = OutageListSerializer
    filterset_class = filters.OutageFilter
    queryset = Outage.objects.none()

    def get_queryset(self):
        return (
            selectors.outages_visible_to(self.request.user)
            .select_related(*selectors.LIST_RELATED)
            .order_by("-start", "-id")
        )

    @extend_schema(
        request=OutageCreateSerializer, responses={201: OutageDetailSerializer, **ERRORS}
    )
    def post(self, request):
        """Publish a planned (O1) or emergency (O2) outage; its notices are planned (O3)."""
        data = OutageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        zone = _spec(request.data.get("zone") or {})
        d.pop("zone")
        outage = services.outage_publish(actor=request.user, zone=zone, **d)
        return self.detail(outage.pk, status_code=status.HTTP_201_CREATED)


class OutageDetailView(OutagesAPIView):
    @extend_schema(responses={200: OutageDetailSerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        """The outage with its zone, history, measured delays and delivery statistics."""
        return self.detail(pk)


class OutageRefineView(OutagesAPIView):
    @extend_schema(
        request=OutageRefineSerializer, responses={200: OutageDetailSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        """Refine or change times, zone, text; a change of times notifies residents (O3)."""
        outage = self.get_outage(pk)
        data = OutageRefineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        if "zone" in d:
            d.pop("zone")
            d["zone"] = _spec(request.data.get("zone") or {})
        services.outage_refine(actor=request.user, outage=outage, **d)
        return self.detail(pk)


class OutageCompleteView(OutagesAPIView):
    @extend_schema(
        request=OutageCompleteSerializer, responses={200: OutageDetailSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        """Complete manually with the actual end (O1, O4)."""
        outage = self.get_outage(pk)
        data = OutageCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.outage_complete(actor=request.user, outage=outage, **data.validated_data)
        return self.detail(pk)


class OutageCancelView(OutagesAPIView):
    @extend_schema(
        request=OutageCancelSerializer, responses={200: OutageDetailSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        """Cancel with a reason (O3: pending notices cancelled)."""
        outage = self.get_outage(pk)
        data = OutageCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.outage_cancel(
            actor=request.user, outage=outage, reason=data.validated_data["reason"]
        )
        return self.detail(pk)


class ZonePreviewView(OutagesAPIView):
    @extend_schema(
        request=OutageZoneInputSerializer, responses={200: OutageZonePreviewSerializer, **ERRORS}
    )
    def post(self, request):
        """How many buildings a zone selection takes, and the first 500 of them."""
        if not perms.may_publish(request.user):
            raise PermissionDeniedError()
        ids = resolve_zone(_spec(request.data))
        rows = Building.objects.filter(id__in=ids[:500]).order_by("street", "house_sort", "id")
        return Response(
            {
                "count": len(ids),
                "buildings": [
                    {
                        "id": b.pk,
                        "latitude": b.latitude,
                        "longitude": b.longitude,
                        "address": b.short_address,
                    }
                    for b in rows
                ],
            }
        )


class PublicOutageListView(generics.ListAPIView):
    """Current and planned outages for everyone (O6), with their buildings for the map."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    serializer_class = PublicOutageSerializer
    filter_backends: list = []
    queryset = Outage.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("resource", OpenApiTypes.STR, enum=Resource.values),
            OpenApiParameter("address", OpenApiTypes.STR, description="street / house text"),
            OpenApiParameter("building", OpenApiTypes.INT),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        resource = params.get("resource")
        if resource and resource not in Resource.values:
            raise ApplicationError(
                _("Неизвестный ресурс."), fields={"resource": [_("Неизвестный ресурс.")]}
            )
        building = params.get("building")
        if building and not (building.isdigit() and int(building) < 2**31):
            raise ApplicationError(_("Неверный дом."), fields={"building": [_("Целое число.")]})
        return selectors.public_outages(
            resource=resource or None,
            search=(params.get("address") or "").strip()[:200] or None,
            building=int(building) if building else None,
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        page = getattr(self, "_page_ids", None)
        context["points"] = selectors.zone_points(page or [])
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_ids = [o.pk for o in (page if page is not None else queryset)]
        return page


class FavouriteListView(generics.ListAPIView):
    """The caller's favourite addresses (O6): outage notices for them."""

    permission_classes = [permissions.IsAuthenticated, SessionOnly]
    serializer_class = FavouriteSerializer
    filter_backends: list = []
    queryset = FavouriteAddress.objects.none()

    def get_queryset(self):
        return selectors.favourites_of(user=self.request.user)

    @extend_schema(request=FavouriteSerializer, responses={201: FavouriteSerializer, **ERRORS})
    def post(self, request):
        data = FavouriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        fav = services.favourite_add(
            user=request.user,
            building_id=d["building"].pk,
            label=d.get("label", FavouriteLabel.HOME),
            title=d.get("title", ""),
        )
        return Response(FavouriteSerializer(fav).data, status=status.HTTP_201_CREATED)


class MyAddressSerializer(serializers.Serializer):
    building = serializers.IntegerField(source="building.pk")
    address = serializers.CharField(source="building.address")
    is_home = serializers.BooleanField(help_text="the building of one's account: «мой дом»")
    removable = serializers.BooleanField(help_text="false for a home: it follows the account")
    favourite = serializers.IntegerField(
        source="favourite.pk", allow_null=True, default=None, help_text="the favourite's id"
    )
    label = serializers.SerializerMethodField(help_text="«мой дом» or the favourite's name")

    def get_label(self, obj) -> str:
        return _("мой дом") if obj.is_home else str(obj.favourite)


class MyAddressListView(APIView):
    """«Мои адреса» (O6, issue 12): the caller's homes (their accounts' buildings, not
    removable) and followed addresses — every address whose outages they hear of."""

    permission_classes = [permissions.IsAuthenticated, SessionOnly]

    @extend_schema(responses={200: MyAddressSerializer(many=True)})
    def get(self, request):
        rows = selectors.my_addresses(user=request.user)
        return Response(MyAddressSerializer(rows, many=True).data)


class FavouriteDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated, SessionOnly]

    @extend_schema(responses={204: None, 404: ErrorSerializer})
    def delete(self, request, pk: int):
        services.favourite_remove(user=request.user, favourite_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DurationsView(OutagesAPIView):
    @extend_schema(
        parameters=[OutageDurationQuerySerializer],
        responses={200: OutageDurationSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """Outage durations per building (or account) and resource over a period (O5)."""
        if not request.user.has_perm("outages.view_durations"):
            raise PermissionDeniedError()
        q = OutageDurationQuerySerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        d = q.validated_data
        rows = selectors.outage_durations(
            user=request.user,
            date_from=d["date_from"],
            date_to=d["date_to"],
            resource=d.get("resource"),
            building=d.get("building"),
            by_account=d["by"] == "account",
        )
        return Response(OutageDurationSerializer(rows, many=True).data)


class SupplierStatisticsView(OutagesAPIView):
    @extend_schema(
        parameters=[SupplierStatisticsQuerySerializer],
        responses={200: SupplierStatisticsSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """Supplier delay statistics over a period (O2): per responsible organisation, the
        outages, late publications, late entries of the end, overdue restorations and mean
        delays in minutes. The control body reads its territory, an organisation its own."""
        if not request.user.has_perm("outages.view_supplier_statistics"):
            raise PermissionDeniedError()
        q = SupplierStatisticsQuerySerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        rows = selectors.supplier_statistics(
            user=request.user,
            date_from=q.validated_data["date_from"],
            date_to=q.validated_data["date_to"],
        )
        return Response(SupplierStatisticsSerializer(rows, many=True).data)
