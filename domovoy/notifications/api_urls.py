"""API routes of notifications under /api/v1/ (see ``api.py``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.InboxListView.as_view(), name="notif-inbox"),
    path("notifications/unread/", api.UnreadCountView.as_view(), name="notif-unread"),
    path("notifications/<int:pk>/read/", api.MarkReadView.as_view(), name="notif-mark-read"),
    path("notifications/read-all/", api.MarkAllReadView.as_view(), name="notif-mark-all-read"),
    path("notifications/preferences/", api.PreferencesView.as_view(), name="notif-preferences"),
    path(
        "notifications/push-subscriptions/",
        api.PushSubscriptionView.as_view(),
        name="notif-push-subscriptions",
    ),
    path("notifications/outbox/", api.OutboxListView.as_view(), name="notif-outbox"),
    path(
        "notifications/outbox/retry/",
        api.OutboxRetryManyView.as_view(),
        name="notif-outbox-retry-many",
    ),
    path(
        "notifications/outbox/<int:pk>/retry/",
        api.OutboxRetryView.as_view(),
        name="notif-outbox-retry",
    ),
]
