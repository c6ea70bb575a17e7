from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "domovoy.onboarding"
    label = "onboarding"

    def ready(self):
        from . import permissions  # noqa: F401 - registers the object rules
