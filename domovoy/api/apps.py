from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "domovoy.api"
    label = "api"

    def ready(self):
        from . import auth, checks  # noqa: F401  (checks: registers the checks of the rate settings)

        auth.connect_signals()
