"""API of the feedback section (D6): file, list (own and the operators' queue), read, decide."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from domovoy.api.auth import TokenScopePermission
from domovoy.core import bounds

from . import selectors, services
from .models import FeedbackItem, FeedbackKind, FeedbackStatus


class FeedbackItemInSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="data_change, classifier_change, suggestion, error, vulnerability"
    )
    title = serializers.CharField(required=False, allow_blank=True, default="")
    text = serializers.CharField(required=False, allow_blank=True, default="")
    target_type = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="organization or building (data_change)",
    )
    target_id = bounds.api_id(required=False, allow_null=True, default=None)
    field = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_value = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_topic_name = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_topic_parent = serializers.CharField(required=False, allow_blank=True, default="")


class FeedbackItemSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)
    author_organization_name = serializers.SerializerMethodField()
    target_id = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackItem
        fields = [
            "id",
            "kind",
            "status",
            "title",
            "text",
            "author",
            "author_name",
            "author_organization",
            "author_organization_name",
            "created_at",
            "target_type",
            "target_id",
            "field",
            "current_value",
            "proposed_value",
            "proposed_topic_name",
            "proposed_topic_parent",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_reason",
            "applied_at",
            "application_note",
            "applied_topic",
            "applied_topic_version",
        ]
        read_only_fields = fields

    def get_author_organization_name(self, obj) -> str | None:
        return str(obj.author_organization) if obj.author_organization_id else None

    def get_target_id(self, obj) -> int | None:
        return obj.target_organization_id or obj.target_building_id

    def get_decided_by_name(self, obj) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=services.DECISIONS)
    reason = serializers.CharField(allow_blank=True)


class FeedbackFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FeedbackKind.choices)
    status = django_filters.ChoiceFilter(choices=FeedbackStatus.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", label="only my own items")

    class Meta:
        model = FeedbackItem
        fields = ["kind", "status", "mine"]

    def filter_mine(self, queryset, name, value):
        if value:
            return queryset.filter(author=self.request.user)
        return queryset


class FeedbackItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Feedback items: the caller's own, plus the queue for operators (vulnerability reports
    only for the technical operator)."""

    permission_classes = [IsAuthenticated, TokenScopePermission]
    scope_area = "directory"
    serializer_class = FeedbackItemSerializer
    filterset_class = FeedbackFilter

    def get_queryset(self):
        return selectors.feedback_visible_to(self.request.user)

    @extend_schema(request=FeedbackItemInSerializer, responses={201: FeedbackItemSerializer})
    def create(self, request):
        data = FeedbackItemInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.feedback_item_create(author=request.user, **data.validated_data)
        return Response(FeedbackItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=FeedbackItemSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        item = self.get_object()
        if not request.user.has_perm("feedback.decide_item", item):
            raise PermissionDenied(_("Это обращение рассматривает другой оператор"))
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.feedback_item_decide(item=item, actor=request.user, **data.validated_data)
        return Response(FeedbackItemSerializer(item).data)
