from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "domovoy.audit"
    label = "audit"

    def ready(self):
        from . import (
            permissions,  # noqa: F401  (registers the rules)
            services,  # noqa: F401  (connects the history → audit receiver)
        )
