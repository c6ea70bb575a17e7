from django.contrib import admin

from .models import ApprovalStep, OnboardingRequest


@admin.register(ApprovalStep)
class ApprovalStepAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "decider_role", "decider_kind", "is_active"]
    list_editable = ["is_active"]


@admin.register(OnboardingRequest)
class OnboardingRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "short_name", "status", "due_date", "is_overdue"]
    list_filter = ["status", "is_overdue"]
    exclude = ["credentials"]
