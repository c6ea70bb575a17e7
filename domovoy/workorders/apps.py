from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "domovoy.workorders"
    label = "workorders"
    verbose_name = "Заказ-наряды"

    def ready(self):
        from domovoy.servicedesk import services as servicedesk

        from . import permissions  # noqa: F401 - registers the object rules
        from .services import completion_report_prefill

        # R9 / U 3.5.2е (issue 12): the completion report starts from the work order's works,
        # so the executor does not copy them by hand.
        servicedesk.prefill_register("complete", "report", completion_report_prefill)
