from django.contrib import admin

from .models import FeedbackItem


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "title", "author", "created_at", "decided_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "text")
    raw_id_fields = (
        "author",
        "author_organization",
        "target_organization",
        "target_building",
        "decided_by",
    )
    readonly_fields = ("decided_by", "decided_at", "decision_reason", "applied_at")
