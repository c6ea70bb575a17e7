"""The survey and appeals API under /api/v1/ (R13). The appeal is filed and decided through the
workflow's own action routes (``requests/{id}/appeal/``, ``appeal_uphold/``,
``appeal_dismiss/``); here:

- ``GET requests/{id}/survey/``, ``POST requests/{id}/survey/`` {satisfied, comment}: the
  survey of the request's closing and its answer (the author, or a call-centre operator);
- ``GET surveys/call-list/``: the call centre's list of callers without a channel;
- ``GET appeals/``: the control body's pending appeals of its territory, by deadline.
People's sessions only: an integration's users answer in their own system."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.api.auth import SessionOnly
from domovoy.api.errors import ErrorSerializer
from domovoy.core.errors import Forbidden

from . import permissions as who
from . import surveys
from .models import Appeal, ServiceRequest, Survey


class SurveySerializer(serializers.ModelSerializer):
    request_id = serializers.IntegerField(source="request.pk")
    number = serializers.CharField(source="request.number")
    topic = serializers.CharField(source="request.topic.name")
    address = serializers.CharField(source="request.building.address")

    class Meta:
        model = Survey
        fields = [
            "id", "request_id", "number", "topic", "address", "closed_at", "created_at",
            "delivery", "satisfied", "comment", "answered_at", "answered_via",
        ]  # fmt: skip


class CallListSerializer(SurveySerializer):
    phone = serializers.CharField(source="request.phone")
    caller_name = serializers.CharField(source="request.caller_name")

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "phone", "caller_name"]


class AnswerSerializer(serializers.Serializer):
    satisfied = serializers.BooleanField(
        help_text=_("удовлетворён ли заявитель результатом"),
        error_messages={"required": _("Ответьте, удовлетворены ли вы результатом")},
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AppealSerializer(serializers.ModelSerializer):
    request_id = serializers.IntegerField(source="request.pk")
    number = serializers.CharField(source="request.number")
    is_overdue = serializers.BooleanField()

    class Meta:
        model = Appeal
        fields = [
            "id", "request_id", "number", "subject", "text", "filed_at", "due_at", "is_overdue",
            "decision", "reason", "answer", "decided_at",
        ]  # fmt: skip


class PeopleOnly:
    permission_classes = [permissions.IsAuthenticated, SessionOnly]


class RequestSurveyView(PeopleOnly, APIView):
    def _request(self, pk):
        sr = ServiceRequest.objects.filter(pk=pk, is_deleted=False).first()
        user = self.request.user
        if sr is None or not (who.is_author(user, sr) or who.is_call_operator(user, sr)):
            raise Http404
        return sr

    @extend_schema(responses={200: SurveySerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        """The latest survey of the request (404 when there is none)."""
        survey = surveys.survey_of(self._request(pk))
        if survey is None:
            raise Http404
        return Response(SurveySerializer(survey).data)

    @extend_schema(
        request=AnswerSerializer,
        responses={200: SurveySerializer, 400: ErrorSerializer, 404: ErrorSerializer,
                   409: ErrorSerializer},
    )  # fmt: skip
    def post(self, request, pk: int):
        """Answer the survey: «не удовлетворён» (false) sends the request to additional control
        and back to work."""
        sr = self._request(pk)
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        via = Survey.Via.CALL if who.is_call_operator(request.user, sr) else Survey.Via.API
        survey = surveys.survey_answer(
            request=sr, actor=request.user, satisfied=body.validated_data["satisfied"],
            comment=body.validated_data.get("comment", ""), via=via,
        )  # fmt: skip
        return Response(SurveySerializer(survey).data)


class CallListView(PeopleOnly, APIView):
    @extend_schema(responses={200: CallListSerializer(many=True), 403: ErrorSerializer})
    def get(self, request):
        """The call centre's survey call list (oldest closing first, at most 500 rows)."""
        if not request.user.has_perm("servicedesk.survey_calls"):
            raise Forbidden(_("Раздел доступен операторам call-центра"))
        return Response(CallListSerializer(surveys.call_list()[:500], many=True).data)


class AppealListView(PeopleOnly, APIView):
    @extend_schema(responses={200: AppealSerializer(many=True), 403: ErrorSerializer})
    def get(self, request):
        """The pending appeals of the control body's territory, by deadline (at most 500)."""
        if not request.user.has_perm("servicedesk.decide_appeals"):
            raise Forbidden(_("Раздел доступен контрольному органу"))
        return Response(AppealSerializer(surveys.appeals_for(request.user)[:500], many=True).data)
