from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "domovoy.outages"
    label = "outages"
