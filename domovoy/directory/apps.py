from django.apps import AppConfig
from django.urls import reverse


class DirectoryConfig(AppConfig):
    name = "domovoy.directory"
    label = "directory"

    def ready(self):
        from domovoy.core.private_files import register_download

        from . import permissions  # noqa: F401 - registers the rules

        register_download(
            "directory.Organization",
            "license_scan",
            lambda org: reverse("directory:license_scan", args=[org.pk]),
        )
