"""REST API of notifications (N1): the caller's own inbox and channel preferences, the
push subscriptions of the caller's browsers, and the technical operator's outbox with its
retry actions (issue 11). Thin views over ``services`` and ``selectors``."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import channels, selectors, services
from .models import InboxMessage, Notice


class InboxMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboxMessage
        fields = ["id", "kind", "subject", "body", "url", "emergency", "created_at", "read_at"]
        read_only_fields = fields


class InboxListView(generics.ListAPIView):
    """My in-cabinet messages, newest first; ``?unread=1`` for the unread ones only."""

    serializer_class = InboxMessageSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = selectors.inbox_list(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="only unread messages")
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class UnreadCountView(APIView):
    @extend_schema(
        responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})
    )
    def get(self, request):
        """How many of my inbox messages are unread."""
        return Response({"unread": selectors.unread_count(request.user)})


class MarkReadView(APIView):
    @extend_schema(request=None, responses=InboxMessageSerializer)
    def post(self, request, pk: int):
        """Mark one of my messages read (404 for anyone else's)."""
        message = services.inbox_mark_read(user=request.user, message_id=pk)
        return Response(InboxMessageSerializer(message).data)


class MarkAllReadView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    def post(self, request):
        """Mark all my messages read."""
        return Response({"marked": services.inbox_mark_all_read(user=request.user)})


CODES_HELP = "one of " + ", ".join(channels.ALL)


class ChannelStateSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=CODES_HELP)
    label = serializers.CharField()
    chosen = serializers.BooleanField()
    active = serializers.BooleanField(help_text="notices go there now")
    ready = serializers.BooleanField(help_text="an address exists (e-mail, phone, chat, browser)")
    locked = serializers.BooleanField(
        help_text="cannot be changed (the inbox; e-mail or SMS without an address in the profile)"
    )


class PreferencesSerializer(serializers.Serializer):
    channels = serializers.ListField(
        child=serializers.CharField(),
        help_text="the channels I chose (the inbox is always on): " + CODES_HELP,
    )
    is_default = serializers.BooleanField(read_only=True)
    effective = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="where notices go now"
    )
    available = ChannelStateSerializer(many=True, read_only=True)


class PreferencesInputSerializer(serializers.Serializer):
    channels = serializers.ListField(
        child=serializers.CharField(max_length=20),
        max_length=len(channels.ALL) + 5,
        help_text=CODES_HELP,
    )


def _preferences_body(user):
    prefs = selectors.preferences_of(user=user)
    chosen = [s.code for s in prefs.states if s.chosen]
    return {
        "channels": chosen,
        "is_default": prefs.chosen is None,
        "effective": list(prefs.effective),
        "available": [s.__dict__ for s in prefs.states],
    }


class PreferencesView(APIView):
    @extend_schema(responses=PreferencesSerializer)
    def get(self, request):
        """My channels: chosen, effective now, and what each needs."""
        return Response(PreferencesSerializer(_preferences_body(request.user)).data)

    @extend_schema(request=PreferencesInputSerializer, responses=PreferencesSerializer)
    def put(self, request):
        """Choose my channels. 400 for an unknown or unconfigured channel, or one I have no
        address for (SMS without a phone, e-mail without an address)."""
        data = PreferencesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_set(user=request.user, chosen=data.validated_data["channels"])
        return Response(PreferencesSerializer(_preferences_body(request.user)).data)


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class PushSubscriptionSerializer(serializers.Serializer):
    """The browser's ``PushSubscription.toJSON()``."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysSerializer()


class PushUnsubscribeSerializer(serializers.Serializer):
    endpoint = serializers.URLField(max_length=1000)


class PushSubscriptionView(APIView):
    @extend_schema(
        request=PushSubscriptionSerializer,
        responses={201: inline_serializer("PushSubscribed", {"id": serializers.IntegerField()})},
    )
    def post(self, request):
        """Register this browser for web push (the settings page's button calls it)."""
        data = PushSubscriptionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sub = services.push_subscribe(
            user=request.user,
            endpoint=data.validated_data["endpoint"],
            p256dh=data.validated_data["keys"]["p256dh"],
            auth=data.validated_data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response({"id": sub.pk}, status=201)

    @extend_schema(
        request=PushUnsubscribeSerializer,
        responses=inline_serializer("PushUnsubscribed", {"deleted": serializers.IntegerField()}),
    )
    def delete(self, request):
        """Forget this browser's subscription."""
        data = PushUnsubscribeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deleted = services.push_unsubscribe(
            user=request.user, endpoint=data.validated_data["endpoint"]
        )
        return Response({"deleted": deleted})


# --- The technical operator's outbox (issue 11) --------------------------------------------


class CanViewOutbox(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("notifications.view_outbox")


class CanRetryDelivery(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("notifications.retry_delivery")


class OutboxNoticeSerializer(serializers.ModelSerializer):
    # A plain code (not an enum component: "channel" names another choice set in the schema).
    channel = serializers.CharField(read_only=True, help_text=CODES_HELP)

    class Meta:
        model = Notice
        fields = [
            "id", "recipient", "channel", "kind", "subject", "state", "emergency", "attempts",
            "failing_since", "last_error", "next_attempt_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class OutboxListView(generics.ListAPIView):
    """Outbox rows of one state (``?state=failed`` by default; also queued, sending, sent,
    cancelled), optionally of one ``?channel=``; the technical operator's."""

    serializer_class = OutboxNoticeSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewOutbox]
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.outbox_list(
            state=params.get("state") or "failed", channel=params.get("channel", "")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, description="failed (default), queued…"),
            OpenApiParameter("channel", OpenApiTypes.STR, description=CODES_HELP),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OutboxRetryInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=services.RETRY_MAX_IDS,
    )


RetriedSerializer = inline_serializer("OutboxRetried", {"retried": serializers.IntegerField()})


class OutboxRetryView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanRetryDelivery]

    @extend_schema(
        operation_id="notifications_outbox_retry_one", request=None, responses=RetriedSerializer
    )
    def post(self, request, pk: int):
        """Send a failed notice again (a new retry round). 400 if the row is not failed."""
        return Response({"retried": services.outbox_retry(actor=request.user, ids=[pk])})


class OutboxRetryManyView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanRetryDelivery]

    @extend_schema(
        operation_id="notifications_outbox_retry_many",
        request=OutboxRetryInputSerializer,
        responses=RetriedSerializer,
    )
    def post(self, request):
        """Send the failed ones of these notices again; others are left as they are."""
        data = OutboxRetryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.outbox_retry(actor=request.user, ids=data.validated_data["ids"])
        return Response({"retried": count})
