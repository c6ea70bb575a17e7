"""Admin of the outbox for support: read-only (rows change only through the services and the
worker); a stuck or failed row is visible with its attempts. Failed rows are sent again from
the technical operator's outbox page (``views.outbox``), which audits it."""

from django.contrib import admin

from .models import DeliveryAttempt, InboxMessage, Notice


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = ("at", "ok", "error", "duration_ms", "worker")
    readonly_fields = fields
    can_delete = False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = (
        "id", "recipient", "channel", "kind", "group", "state", "attempts", "failing_since",
        "due_at", "sent_at",
    )  # fmt: skip
    list_filter = ("state", "channel", "emergency")
    search_fields = ("dedup_key", "group", "recipient__username", "address")
    list_select_related = ("recipient",)
    inlines = [AttemptInline]


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "subject", "created_at", "read_at")
    search_fields = ("recipient__username", "subject")
    list_select_related = ("recipient",)
