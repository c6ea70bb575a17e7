from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """The resident's way in (issue 12): registration by a confirmed phone or e-mail, linking
    personal accounts, the profile, and the ЕСИА (OpenID Connect) seam."""

    name = "domovoy.residents"
    label = "residents"
    verbose_name = _("Жители")

    def ready(self):
        from . import permissions  # noqa: F401 - registers the rules
