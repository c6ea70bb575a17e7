"""Admin of the classifier and a read-only view of requests (writes go through services)."""

from django.contrib import admin

from .models import Call, CallAttempt, RequestEvent, ServiceRequest, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = (
        "__str__", "code", "deadline_hours", "deadline_days", "deadline_working", "is_emergency",
        "handler_kind", "resource", "is_active", "order",
    )  # fmt: skip
    list_filter = ("handler_kind", "is_emergency", "deadline_working", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("parent",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Requests change only through the workflow service (status, history, notices together)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    fields = ("at", "actor", "actor_org", "action", "from_status", "to_status", "reason", "comment")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "number", "created_at", "status", "topic", "building", "executor_org", "deadline_at",
        "is_emergency", "has_obscene",
    )  # fmt: skip
    list_filter = ("status", "channel", "is_emergency", "has_obscene", "is_deleted")
    search_fields = ("number", "phone", "text")
    list_select_related = ("topic", "building", "executor_org")
    inlines = [RequestEventInline]


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "request", "phone", "answered", "operator")
    list_select_related = ("request", "operator")


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ("at", "phone", "caller_name", "outcome", "request", "operator")
    list_select_related = ("request", "operator")
