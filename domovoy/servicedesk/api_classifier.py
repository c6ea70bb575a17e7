"""API of classifier management (R2, G 3.5.2): the functional operator lists, adds, changes
and retires topics and reads their versions. Writes go through ``classifier`` services; a
topic is never deleted. A person's session only (integrations read ``/topics/``)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.api.auth import SessionOnly
from domovoy.core import bounds

from . import classifier
from .models import Topic

MAX_KEYS = 20  # a topic has 11 editable fields; more keys is not a topic


class ManageTopicSerializer(serializers.ModelSerializer):
    deadline_text = serializers.CharField(read_only=True)
    handler_label = serializers.CharField(source="get_handler_kind_display", read_only=True)
    version = serializers.SerializerMethodField(help_text="the newest version (history id)")

    class Meta:
        model = Topic
        fields = [
            "id",
            "parent",
            "code",
            "name",
            "is_active",
            "is_emergency",
            "handler_kind",
            "handler_label",
            "resource",
            "deadline_hours",
            "deadline_days",
            "deadline_working",
            "deadline_text",
            "order",
            "version",
        ]
        read_only_fields = fields

    def get_version(self, obj) -> int | None:
        version = classifier.latest_version(obj)
        return version.history_id if version is not None else None


class TopicInSerializer(serializers.Serializer):
    """The editable fields (all optional on a change): see ``classifier.EDITABLE``."""

    name = serializers.CharField(required=False)
    parent = serializers.IntegerField(required=False, allow_null=True)
    code = serializers.CharField(required=False, allow_blank=True)
    deadline_hours = serializers.IntegerField(required=False, allow_null=True)
    deadline_days = serializers.IntegerField(required=False, allow_null=True)
    deadline_working = serializers.BooleanField(required=False)
    is_emergency = serializers.BooleanField(required=False)
    handler_kind = serializers.CharField(required=False)
    resource = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    order = serializers.IntegerField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=100)


class TopicVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="history_id")
    at = serializers.DateTimeField(source="history_date")
    kind = serializers.CharField(source="history_type", help_text="+ added, ~ changed")
    by = serializers.SerializerMethodField()
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    name = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    is_active = serializers.BooleanField()
    handler_kind = serializers.CharField()
    deadline_hours = serializers.IntegerField(allow_null=True)
    deadline_days = serializers.IntegerField(allow_null=True)
    deadline_working = serializers.BooleanField()

    def get_by(self, obj) -> str | None:
        return str(obj.history_user) if obj.history_user_id else None


def _topic(pk) -> Topic:
    if not 1 <= pk <= bounds.ID_MAX:
        raise NotFound
    return get_object_or_404(Topic, pk=pk)


def _payload(request) -> tuple[dict, str]:
    """The body as the service's ``data`` and the change reason; refuses non-objects."""
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("Ожидается объект JSON")]})
    if len(request.data) > MAX_KEYS:
        raise ValidationError({"non_field_errors": [_("Слишком много полей")]})
    unknown = sorted(set(request.data) - set(TopicInSerializer().fields))
    if unknown:
        raise ValidationError(
            {"non_field_errors": [_("Неизвестные поля: %(f)s") % {"f": ", ".join(unknown)}]}
        )
    # Types are checked here, ranges and rules by the service (one home of the rules).
    for field in ("parent", "deadline_hours", "deadline_days", "order"):
        value = request.data.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > bounds.BIGINT_MAX:
                raise ValidationError({field: [_("Слишком большое число")]})
    data = TopicInSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    reason = values.pop("reason", "")
    return values, reason


class _Manage(APIView):
    permission_classes = [IsAuthenticated, SessionOnly]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm("servicedesk.manage_classifier"):
            raise PermissionDenied(_("Классификатор ведёт функциональный оператор"))


class ClassifierTopicListView(_Manage):
    @extend_schema(responses=ManageTopicSerializer(many=True))
    def get(self, request):
        topics = Topic.objects.select_related("parent").order_by("order", "name")
        return Response(ManageTopicSerializer(topics, many=True).data)

    @extend_schema(request=TopicInSerializer, responses={201: ManageTopicSerializer})
    def post(self, request):
        data, reason = _payload(request)
        topic = classifier.topic_create(actor=request.user, data=data, reason=reason)
        return Response(ManageTopicSerializer(topic).data, status=status.HTTP_201_CREATED)


class ClassifierTopicDetailView(_Manage):
    @extend_schema(responses=ManageTopicSerializer)
    def get(self, request, pk):
        return Response(ManageTopicSerializer(_topic(pk)).data)

    @extend_schema(request=TopicInSerializer, responses=ManageTopicSerializer)
    def patch(self, request, pk):
        topic = _topic(pk)
        data, reason = _payload(request)
        topic = classifier.topic_update(actor=request.user, topic=topic, data=data, reason=reason)
        return Response(ManageTopicSerializer(topic).data)


class ClassifierTopicDeactivateView(_Manage):
    @extend_schema(request=None, responses=ManageTopicSerializer)
    def post(self, request, pk):
        topic = _topic(pk)
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        topic = classifier.topic_deactivate(actor=request.user, topic=topic, reason=str(reason))
        return Response(ManageTopicSerializer(topic).data)


class ClassifierTopicHistoryView(_Manage):
    @extend_schema(responses=TopicVersionSerializer(many=True))
    def get(self, request, pk):
        topic = _topic(pk)
        versions = topic.history.select_related("history_user").order_by("-history_id")
        return Response(TopicVersionSerializer(versions, many=True).data)
