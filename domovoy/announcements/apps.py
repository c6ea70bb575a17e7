from django.apps import AppConfig
from django.urls import reverse


class AnnouncementsConfig(AppConfig):
    name = "domovoy.announcements"
    label = "announcements"

    def ready(self):
        from domovoy.core.private_files import register_download

        from . import permissions  # noqa: F401 - registers the rules

        register_download(
            "announcements.GuideVersion",
            "file",
            lambda v: reverse("help:file", args=[v.guide.slug, v.number]),
        )
