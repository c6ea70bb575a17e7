from django.apps import AppConfig
from django.urls import reverse


class ServicedeskConfig(AppConfig):
    name = "domovoy.servicedesk"
    label = "servicedesk"
    verbose_name = "Заявки"

    def ready(self):
        from domovoy.core.private_files import register_download

        from . import (
            intake_cache,
            permissions,  # noqa: F401 - registers the rules
        )

        # The download view of every file of the app (S5); the API views serve people with a
        # session too, residents and staff alike.
        register_download(
            "servicedesk.RequestEvent",
            "document",
            lambda e: reverse("servicedesk:staff_event_document", args=[e.request.number, e.pk]),
        )
        register_download(
            "servicedesk.Attachment",
            "file",
            lambda a: reverse("sd-attachment", args=[a.request_id, a.pk]),
        )
        register_download(
            "servicedesk.Attachment",
            "thumbnail",
            lambda a: reverse("sd-attachment-thumbnail", args=[a.request_id, a.pk]),
        )
        intake_cache.connect_signals()
