from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city (a believable Kostroma) and its fixed demo logins."""

    name = "domovoy.demo"
    label = "demo"
    verbose_name = "Демо-город"
