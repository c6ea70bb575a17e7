"""Pages of notifications, mounted at /notifications/ (namespace "notifications")."""

from django.urls import path

from . import pwa, views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="mark-read"),
    path("read-all/", views.mark_all_read, name="mark-all-read"),
    path("settings/", views.preferences, name="settings"),
    path("settings/telegram/link/", views.telegram_link, name="telegram-link"),
    path("settings/telegram/unlink/", views.telegram_unlink, name="telegram-unlink"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/retry/", views.outbox_retry_many, name="outbox-retry-many"),
    path("outbox/<int:pk>/retry/", views.outbox_retry_one, name="outbox-retry"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="sw"),
    path("offline/", pwa.offline, name="offline"),
    path("telegram/webhook/<str:secret>/", views.telegram_webhook, name="telegram-webhook"),
]
