from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "domovoy.servicedesk"
    label = "servicedesk"
    verbose_name = "Заявки"

    def ready(self):
        from . import intake_cache

        intake_cache.connect_signals()
