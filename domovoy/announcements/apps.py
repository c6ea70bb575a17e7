from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "domovoy.announcements"
    label = "announcements"
