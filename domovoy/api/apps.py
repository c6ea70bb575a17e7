from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "domovoy.api"
    label = "api"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks of the rate settings)
