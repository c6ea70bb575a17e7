from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "domovoy.outages"
    label = "outages"

    def ready(self):
        from . import permissions  # noqa: F401 - registers the rules
