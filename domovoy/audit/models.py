"""The audit trail (S3): one read-only row per change, and reads of personal data (S5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("создание")
        UPDATE = "update", _("изменение")
        DELETE = "delete", _("удаление")
        BULK = "bulk", _("пакетная загрузка")

    at = models.DateTimeField(_("время"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("кто"),
    )
    actor_name = models.CharField(_("кто"), max_length=300, blank=True)
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(_("действие"), max_length=10, choices=Action.choices)
    model = models.CharField(_("объект"), max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(_("объект"), max_length=300)
    changes = models.JSONField(_("изменения"), default=dict)  # {field: [before, after]}

    class Meta:
        verbose_name = _("запись журнала аудита")
        verbose_name_plural = _("журнал аудита")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class PersonalDataAccess(models.Model):
    """A staff member read personal data (S5): who, when, whose, on which page or endpoint."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)  # e.g. "building:12" or "account:000123"
    purpose = models.CharField(max_length=200)  # the page or endpoint

    class Meta:
        ordering = ["-at"]
