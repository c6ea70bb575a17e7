from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "domovoy.directory"
    label = "directory"
