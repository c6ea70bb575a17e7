"""The statistics API (R18) under ``/api/v1/statistics/``: the same figures as the staff page,
from the daily rollups, with the page's permission (``servicedesk.view_statistics``) and scope
(an executing organisation reads its own; a control body its territory, or one organisation
of it with ``organization``).

- ``summary/``: the totals of a period with counts by status and by day or month;
- ``organizations/``: per organisation (per-supplier returns, satisfaction, times);
- ``topics/``: per topic."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.api.auth import TokenScopePermission
from domovoy.api.errors import ErrorSerializer
from domovoy.core.errors import Forbidden

from . import statistics

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer}


class StatisticsQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(help_text="Первый день периода (дата подачи заявок)")
    date_to = serializers.DateField(help_text="Последний день периода, включительно")
    organization = serializers.IntegerField(
        required=False, help_text="Организация (для органа контроля; иначе — вся территория)"
    )

    def validate(self, attrs):
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": _("Конец периода раньше начала")})
        if (attrs["date_to"] - attrs["date_from"]).days > 3 * 366:
            raise serializers.ValidationError({"date_to": _("Период не длиннее трёх лет")})
        return attrs


class FiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Поступило заявок")
    accepted = serializers.IntegerField()
    completed = serializers.IntegerField()
    done = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_share = serializers.FloatField(allow_null=True, help_text="% выполненных в срок")
    closed = serializers.IntegerField()
    rejected = serializers.IntegerField()
    open = serializers.IntegerField()
    emergency = serializers.IntegerField()
    returns_made = serializers.IntegerField(help_text="Возвраты в УО, сделанные организацией")
    returns_received = serializers.IntegerField(help_text="Возвраты, полученные УО")
    avg_accept_hours = serializers.FloatField(allow_null=True)
    median_accept_hours = serializers.FloatField(allow_null=True)
    avg_close_hours = serializers.FloatField(allow_null=True)
    median_close_hours = serializers.FloatField(allow_null=True)
    rated = serializers.IntegerField()
    avg_rating = serializers.FloatField(allow_null=True)
    satisfied = serializers.IntegerField(help_text="Оценки 4–5")
    dissatisfied = serializers.IntegerField(help_text="Оценки 1–2")
    satisfied_share = serializers.FloatField(allow_null=True)


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()


class PeriodFiguresSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="День или первый день месяца")
    total = serializers.IntegerField(help_text="Поступило заявок")
    completed = serializers.IntegerField()
    done = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_share = serializers.FloatField(allow_null=True, help_text="% выполненных в срок")
    rejected = serializers.IntegerField()
    open = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    organization_id = serializers.IntegerField(allow_null=True)
    summary = FiguresSerializer()
    overdue_open = serializers.IntegerField(
        allow_null=True, help_text="Просрочено в работе (только для одной организации)"
    )
    by_status = StatusCountSerializer(many=True)
    monthly = serializers.BooleanField()
    by_period = PeriodFiguresSerializer(many=True)


class OrganizationFiguresSerializer(FiguresSerializer):
    organization_id = serializers.IntegerField()
    organization = serializers.CharField(source="label")


class TopicFiguresSerializer(FiguresSerializer):
    topic_id = serializers.IntegerField()
    topic = serializers.CharField(source="label")


class StatisticsAPIView(APIView):
    scope_area = "requests"
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    def stats(self, request):
        if not request.user.has_perm("servicedesk.view_statistics"):
            raise Forbidden()
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        own, choices, territory = statistics.statistics_scope(request.user)
        organization = own
        if data.get("organization") is not None:
            if choices is None:
                if own is None or data["organization"] != own.pk:
                    raise Forbidden(_("Статистика другой организации недоступна"))
            else:
                organization = choices.filter(pk=data["organization"]).first()
                if organization is None:
                    raise Forbidden(_("Статистика этой организации недоступна"))
        if choices is None and own is None:
            raise Forbidden()
        stats = statistics.rollup_statistics(
            organization=organization,
            date_from=data["date_from"],
            date_to=data["date_to"],
            territory=territory,
        )
        return data, organization, stats


class StatisticsSummaryView(StatisticsAPIView):
    @extend_schema(
        parameters=[StatisticsQuerySerializer],
        responses={200: SummarySerializer, **ERRORS},
    )
    def get(self, request):
        """R18: totals over a period of the requests filed in it, by status and by day (or
        month for periods over 62 days): on-time share, mean and median time to accept and
        to close (hours), returns, satisfaction."""
        data, organization, stats = self.stats(request)
        payload = {
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "organization_id": organization.pk if organization else None,
            "summary": stats["summary"],
            "overdue_open": stats["summary"]["overdue_open"],
            "by_status": [
                {"status": code, "count": count}
                for code, (_label, count) in zip(
                    statistics.Status.values, stats["by_status"], strict=True
                )
            ],
            "monthly": stats["monthly"],
            "by_period": stats["by_period"],
        }
        return Response(SummarySerializer(payload).data)


class StatisticsOrganizationsView(StatisticsAPIView):
    @extend_schema(
        parameters=[StatisticsQuerySerializer],
        responses={200: OrganizationFiguresSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """R18: the period's figures per executing organisation (an organisation sees only
        its own row): per-supplier returns to the UO, satisfaction, times, on-time share."""
        _data, _organization, stats = self.stats(request)
        return Response(OrganizationFiguresSerializer(stats["by_org"], many=True).data)


class StatisticsTopicsView(StatisticsAPIView):
    @extend_schema(
        parameters=[StatisticsQuerySerializer],
        responses={200: TopicFiguresSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """R18: the period's figures per topic of the classifier."""
        _data, _organization, stats = self.stats(request)
        return Response(TopicFiguresSerializer(stats["by_topic"], many=True).data)
