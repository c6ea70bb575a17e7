from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "domovoy.web"
    label = "web"
