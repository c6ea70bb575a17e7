"""The audit trail in the admin: read-only (S3). Nobody adds, changes or deletes entries."""

from django.contrib import admin

from .models import AuditEntry, PersonalDataAccess


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "model", "object_id", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["actor_name", "object_repr", "object_id"]
    date_hierarchy = "at"
    list_select_related = False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(_ReadOnlyAdmin):
    list_display = ["at", "user", "subject", "purpose"]
    list_select_related = ["user"]
    search_fields = ["subject", "purpose", "user__username", "user__last_name"]
    date_hierarchy = "at"
