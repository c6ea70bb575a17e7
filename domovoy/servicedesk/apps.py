from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "domovoy.servicedesk"
    label = "servicedesk"
    verbose_name = "Заявки"
