"""The call centre's API under /api/v1/ (R1, R11, issue 11): the call log (``Call``), the calls
to residents (``CallAttempt``) and the call screen (outages on a building, the caller's earlier
requests, likely duplicates). For call-centre operators only (``servicedesk.log_call``, asked
through ``has_perm``): other roles get 403, and an operator sees the calls of its own call
centre only. Writes go through ``services`` like the pages'."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.api.auth import TokenScopePermission
from domovoy.api.errors import ErrorSerializer
from domovoy.directory.models import Building
from domovoy.directory.selectors import address_lookup

from . import selectors, services
from .models import Call, CallAttempt, ServiceRequest, Topic
from .resident_words import status_word as resident_status_word

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer}
# Buildings listed when a typed address fits several.
ADDRESS_CANDIDATES = 20


class IsCallOperator(permissions.BasePermission):
    """The rule of the call-centre pages (``servicedesk.log_call``, servicedesk/permissions.py)."""

    message = _("Раздел доступен операторам call-центра")

    def has_permission(self, request, view):
        return request.user.has_perm("servicedesk.log_call")


class CallCentreAPIView:
    scope_area = "requests"
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission, IsCallOperator]


# --- Serializers --------------------------------------------------------------------------


class RequestBriefSerializer(serializers.ModelSerializer):
    status_word = serializers.SerializerMethodField()
    topic = serializers.CharField(source="topic.name")
    address = serializers.CharField(source="building.address")

    class Meta:
        model = ServiceRequest
        fields = ["id", "number", "status", "status_word", "topic", "address", "created_at"]

    def get_status_word(self, obj) -> str:
        return str(resident_status_word(obj.status))


class CallSerializer(serializers.ModelSerializer):
    operator = serializers.CharField(source="operator.get_full_name", read_only=True)
    building_address = serializers.CharField(source="building.address", default="")
    request_number = serializers.CharField(source="request.number", default="")

    class Meta:
        model = Call
        fields = [
            "id",
            "at",
            "operator",
            "phone",
            "caller_name",
            "building",
            "building_address",
            "outcome",
            "request",
            "request_number",
            "refusal_reason",
            "notes",
        ]
        read_only_fields = fields


class CallCreateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Call.Outcome.choices)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    caller_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True, default=None
    )
    request = serializers.PrimaryKeyRelatedField(
        queryset=ServiceRequest.objects.filter(is_deleted=False),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("заявка, созданная по звонку (итог «Создана заявка»)"),
    )
    refusal_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class CallAttemptSerializer(serializers.ModelSerializer):
    operator = serializers.CharField(source="operator.get_full_name", read_only=True)
    request_number = serializers.CharField(source="request.number", read_only=True)

    class Meta:
        model = CallAttempt
        fields = ["id", "request", "request_number", "at", "operator", "phone", "answered", "note"]
        read_only_fields = fields


class CallAttemptCreateSerializer(serializers.Serializer):
    request = serializers.PrimaryKeyRelatedField(
        queryset=ServiceRequest.objects.filter(is_deleted=False)
    )
    answered = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OutageBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.CharField()
    resource_display = serializers.CharField(source="get_resource_display")
    kind = serializers.CharField()
    reason = serializers.CharField()
    start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField(allow_null=True)
    organization = serializers.StringRelatedField()


class ResidentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class BuildingBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()


class AddressLookupSerializer(serializers.Serializer):
    """How the typed ``address`` was read: the house must match exactly; when it does not
    exist, ``found`` is false, ``message`` says «дом не найден» and ``street_houses`` are the
    street's houses in natural order (2 < 2а < 11) to choose from."""

    query = serializers.CharField()
    house = serializers.CharField(help_text="the typed house number, '' when none was typed")
    found = serializers.BooleanField(help_text="exactly one building has this address")
    message = serializers.CharField(allow_blank=True)
    candidates = BuildingBriefSerializer(many=True, help_text="several buildings match")
    street_houses = BuildingBriefSerializer(many=True)


class CallScreenSerializer(serializers.Serializer):
    building = BuildingBriefSerializer(allow_null=True)
    address = AddressLookupSerializer(allow_null=True, required=False)
    outages_now = OutageBriefSerializer(many=True)
    outages_planned = OutageBriefSerializer(many=True)
    caller_requests = RequestBriefSerializer(many=True)
    duplicates = RequestBriefSerializer(many=True)
    resident = ResidentBriefSerializer(allow_null=True)


# --- Views --------------------------------------------------------------------------------


class CallListView(CallCentreAPIView, generics.ListAPIView):
    """The call log of the operator's call centre, newest first (R1)."""

    serializer_class = CallSerializer
    filterset_fields = ["outcome"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's anonymous view
            return Call.objects.none()
        return selectors.call_log(user=self.request.user)

    @extend_schema(request=CallCreateSerializer, responses={201: CallSerializer, **ERRORS})
    def post(self, request):
        """Log an incoming call with its outcome: a request created (linked), a consultation
        (with what was said) or a refusal with its reason (R1)."""
        data = CallCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = services.call_register(actor=request.user, **data.validated_data)
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)


class CallDetailView(CallCentreAPIView, generics.RetrieveAPIView):
    serializer_class = CallSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's anonymous view
            return Call.objects.none()
        return selectors.call_log(user=self.request.user)


class CallAttemptListView(CallCentreAPIView, generics.ListAPIView):
    """Calls to residents about their requests made by the operator's call centre (R11)."""

    serializer_class = CallAttemptSerializer
    filterset_fields = ["request", "answered"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's anonymous view
            return CallAttempt.objects.none()
        return selectors.call_attempt_log(user=self.request.user)

    @extend_schema(
        request=CallAttemptCreateSerializer,
        responses={201: CallAttemptSerializer, **ERRORS, 409: ErrorSerializer},
    )
    def post(self, request):
        """Log a call to the resident about a request: answered or not (R11)."""
        data = CallAttemptCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = services.call_attempt_log(actor=request.user, **data.validated_data)
        return Response(CallAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class CallAttemptDetailView(CallCentreAPIView, generics.RetrieveAPIView):
    serializer_class = CallAttemptSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's anonymous view
            return CallAttempt.objects.none()
        return selectors.call_attempt_log(user=self.request.user)


def _object_or_404(model, value):
    if value in (None, ""):
        return None
    try:
        obj = model.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise Http404
    return obj


class CallScreenView(CallCentreAPIView, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("building", OpenApiTypes.INT, description="дом звонящего"),
            OpenApiParameter(
                "address",
                OpenApiTypes.STR,
                description="адрес, как его назвал звонящий («Гагарина 1»), если дом не выбран",
            ),
            OpenApiParameter("phone", OpenApiTypes.STR, description="телефон звонящего"),
            OpenApiParameter("topic", OpenApiTypes.INT, description="тема будущей заявки"),
        ],
        responses={200: CallScreenSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request):
        """The call screen (R1): outages on the building now and planned (a consultation, not a
        request), the caller's earlier requests by phone, likely duplicates (same building and
        topic, open, filed in the last 24 hours) and the registered resident with that phone.

        Without ``building``, ``address`` names it as typed: the house must match exactly
        («Гагарина 1» is never house 10); when it does not exist the answer says «дом не
        найден» and lists the street's houses, and the screen is about no building."""
        building = _object_or_404(Building, request.query_params.get("building"))
        address = None
        query = (request.query_params.get("address") or "")[:200]
        if building is None and query.strip():
            address, building = _address_answer(query)
        screen = selectors.call_screen(
            user=request.user,
            building=building,
            phone=request.query_params.get("phone", ""),
            topic=_object_or_404(Topic, request.query_params.get("topic")),
        )
        data = CallScreenSerializer(screen).data
        data["address"] = address
        return Response(data)


def _brief(buildings) -> list[dict]:
    return [{"id": b.pk, "address": b.address} for b in buildings]


def _address_answer(query: str):
    """(the ``address`` part of the answer, the one building it names or None)."""
    lookup = address_lookup(query, limit=ADDRESS_CANDIDATES)
    building = lookup.buildings[0] if len(lookup.buildings) == 1 else None
    if building is not None:
        message = ""
    elif lookup.house_missing and lookup.street_houses:
        message = _("Дом не найден: дома № %(house)s на этой улице нет в реестре") % {
            "house": lookup.house
        }
    elif not lookup.street_found:
        message = _("Дом не найден: такой улицы нет в реестре")
    else:
        message = _("Адрес подходит к нескольким домам: уточните улицу и номер дома")
    answer = {
        "query": query,
        "house": lookup.house,
        "found": building is not None,
        "message": str(message),
        "candidates": _brief(lookup.buildings) if building is None else [],
        "street_houses": _brief(lookup.street_houses),
    }
    return AddressLookupSerializer(answer).data, building
