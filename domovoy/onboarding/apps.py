from django.apps import AppConfig
from django.urls import reverse


class OnboardingConfig(AppConfig):
    name = "domovoy.onboarding"
    label = "onboarding"

    def ready(self):
        from domovoy.core.private_files import register_download

        from . import permissions  # noqa: F401 - registers the object rules

        register_download(
            "onboarding.OnboardingRequest",
            "license_scan",
            lambda r: reverse("onboarding:file", args=[r.pk, "license"]),
        )
        register_download(
            "onboarding.OnboardingFile",
            "file",
            lambda f: reverse("onboarding:file", args=[f.request_id, f.kind]),
        )
