"""API of the deadline control (R14): the control lists (new, repeat, postponed, overdue, not
accepted in 24 hours) of an organisation or a control body's territory, and the advance notice
of a missed deadline (Z 6.1.4.1). Reads through ``selectors``, writes through ``services``."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from domovoy.api.errors import ErrorSerializer
from domovoy.api.parsers import BoundedJSONParser
from domovoy.core.errors import Forbidden

from . import selectors, services
from .api import _LIST_ORGS, _LIST_RELATED, ERRORS, RequestListSerializer, RequestsAPIView, Viewer
from .models import AdvanceNotice, ServiceRequest


def _repeat(*, now, **scope):
    return selectors.repeat_list(**scope)


# kind: the one selector of each list (R14).
CONTROL_LISTS = {
    "new": lambda *, now, **scope: selectors.new_requests(**scope),
    "repeat": _repeat,
    "postponed": lambda *, now, **scope: selectors.postponed_requests(**scope),
    "overdue": lambda *, now, **scope: selectors.overdue_requests(now=now, **scope),
    "not-accepted": lambda *, now, **scope: selectors.not_accepted_in_time(now=now, **scope),
}


class ControlRowSerializer(RequestListSerializer):
    """A row of a control list: the request plus its deadline-watch marks (R14, C6)."""

    overdue_flagged_at = serializers.DateTimeField(read_only=True)
    overdue_without_notice = serializers.BooleanField(read_only=True)
    not_accepted_flagged_at = serializers.DateTimeField(read_only=True)
    advance_notice_new_date = serializers.SerializerMethodField()

    class Meta(RequestListSerializer.Meta):
        fields = [
            *RequestListSerializer.Meta.fields,
            "overdue_flagged_at",
            "overdue_without_notice",
            "not_accepted_flagged_at",
            "advance_notice_new_date",
        ]

    def get_advance_notice_new_date(self, obj) -> str | None:
        value = getattr(obj, "notice_new_date", None)
        return value.isoformat() if value else None


class ControlListView(generics.ListAPIView, RequestsAPIView):
    """A control list (R14): ``new``, ``repeat``, ``postponed``, ``overdue`` or
    ``not-accepted`` — an executing organisation's own, a control body's territory's."""

    serializer_class = ControlRowSerializer
    queryset = ServiceRequest.objects.none()

    def get_queryset(self):
        user = self.request.user
        if not user.has_perm("servicedesk.view_lists"):
            raise Forbidden()
        rows = CONTROL_LISTS.get(self.kwargs["kind"])
        if rows is None:
            raise Http404
        qs = rows(now=timezone.now(), **selectors.list_scope(user))
        return qs.select_related(*_LIST_RELATED).prefetch_related(*_LIST_ORGS)

    def get_serializer_context(self):
        self.viewer = Viewer(self.request)
        return {**super().get_serializer_context(), "viewer": self.viewer}

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self.viewer.log_personal_reads("api control list")
        return response


class AdvanceNoticeSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.short_name", read_only=True)

    class Meta:
        model = AdvanceNotice
        fields = [
            "id",
            "filed_at",
            "organization",
            "deadline_at",
            "reasons",
            "measures",
            "new_date",
            "is_late",
        ]
        read_only_fields = ["id", "filed_at", "organization", "deadline_at", "is_late"]


class AdvanceNoticeCreateSerializer(serializers.Serializer):
    reasons = serializers.CharField(max_length=5000)
    measures = serializers.CharField(max_length=5000)
    new_date = serializers.DateField()


class AdvanceNoticeListView(RequestsAPIView):
    """The advance notices of a request (R14, Z 6.1.4.1)."""

    parser_classes = [BoundedJSONParser]

    @extend_schema(responses={200: AdvanceNoticeSerializer(many=True), 404: ErrorSerializer})
    def get(self, request, pk: int):
        obj = self.get_request_object(pk)
        if not Viewer(request).sees_internal(obj):
            raise Forbidden()
        return Response(AdvanceNoticeSerializer(selectors.advance_notices_of(obj), many=True).data)

    @extend_schema(
        request=AdvanceNoticeCreateSerializer,
        responses={201: AdvanceNoticeSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        """The executor warns it will miss the deadline: reasons, measures, a new date; due
        24 hours before the deadline, later ones are recorded late (``is_late``)."""
        obj = self.get_request_object(pk)
        data = AdvanceNoticeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.advance_notice_file(
            request=obj, actor=request.user, **data.validated_data
        )
        return Response(AdvanceNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)
