from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "domovoy.api"
    label = "api"
