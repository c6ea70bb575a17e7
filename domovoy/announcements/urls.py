"""«Справка» and announcements, mounted at /help/ with the namespace "help"."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.help_index, name="index"),
    path("sections/new/", views.section_create, name="section_create"),
    path("guides/new/", views.guide_create, name="guide_create"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide"),
    path("guides/<slug:slug>/versions/<int:number>/", views.guide_detail, name="guide_version"),
    path("guides/<slug:slug>/edit/", views.guide_edit, name="guide_edit"),
    path("guides/<slug:slug>/versions/<int:number>/file/", views.help_file, name="file"),
    path("announcements/", views.announcement_list, name="announcements"),
    path("announcements/new/", views.announcement_create, name="announcement_create"),
    path("announcements/manage/", views.announcements_manage, name="announcements_manage"),
    path(
        "announcements/<int:pk>/withdraw/",
        views.announcement_withdraw,
        name="announcement_withdraw",
    ),
]
