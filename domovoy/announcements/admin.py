from django.contrib import admin

from .models import Announcement, AnnouncementRole, Guide, GuideVersion, HelpSection


class AnnouncementRoleInline(admin.TabularInline):
    model = AnnouncementRole
    extra = 0


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("title", "audience", "published_at", "expires_at", "author")
    list_filter = ("audience",)
    filter_horizontal = ("territories",)
    inlines = [AnnouncementRoleInline]
    raw_id_fields = ("author",)


@admin.register(HelpSection)
class HelpSectionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "position")


class GuideVersionInline(admin.TabularInline):
    model = GuideVersion
    extra = 0
    fields = ("number", "label", "effective_date", "change_note", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "is_regulation", "current_version")
    inlines = [GuideVersionInline]
    raw_id_fields = ("current_version",)
