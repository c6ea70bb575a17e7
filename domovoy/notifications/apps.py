from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "domovoy.notifications"
    label = "notifications"
