from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "domovoy.feedback"
    label = "feedback"

    def ready(self):
        from . import permissions  # noqa: F401 - registers the rules
