from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "domovoy.web"
    label = "web"

    def ready(self):
        from . import permissions  # noqa: F401 - registers the rules
