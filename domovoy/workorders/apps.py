from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "domovoy.workorders"
    label = "workorders"
    verbose_name = "Заказ-наряды"

    def ready(self):
        from . import permissions  # noqa: F401 - registers the object rules
