from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "domovoy.onboarding"
    label = "onboarding"
