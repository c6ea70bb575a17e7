from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "domovoy.notifications"
    label = "notifications"
    verbose_name = "Уведомления"

    def ready(self):
        from . import permissions  # noqa: F401 - registers the rules
