from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "domovoy.feedback"
    label = "feedback"
