from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "domovoy.core"
    label = "core"
