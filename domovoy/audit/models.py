"""The audit trail (S3): one read-only row per change, and reads of personal data (S5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One change: who, when, what, before/after per field. Rows are only ever inserted (by the
    history receiver in ``services`` or by ``audit_record``/``audit_bulk``); no page, endpoint
    or admin screen updates or deletes them."""

    class Action(models.TextChoices):
        CREATE = "create", _("создание")
        UPDATE = "update", _("изменение")
        DELETE = "delete", _("удаление")
        BULK = "bulk", _("пакетная загрузка")

    at = models.DateTimeField(_("время"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("кто"),
    )
    actor_name = models.CharField(_("кто"), max_length=300, blank=True)
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(_("действие"), max_length=10, choices=Action.choices)
    # Human name of the object type, in the site language ("организация").
    model = models.CharField(_("тип объекта"), max_length=100, db_index=True)
    # Stable machine name ("directory.organization"); empty for summary entries.
    model_label = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("идентификатор"), max_length=64, db_index=True)
    object_repr = models.CharField(_("объект"), max_length=300)
    changes = models.JSONField(_("изменения"), default=dict)  # {field: [before, after]}
    # Materialised territory path ("/1/4/9/") of the changed object, so that control bodies
    # read the log of their territory with one indexed prefix filter (S2).
    territory_path = models.CharField(max_length=255, blank=True, db_index=True, default="")

    class Meta:
        verbose_name = _("запись журнала аудита")
        verbose_name_plural = _("журнал аудита")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class PersonalDataAccess(models.Model):
    """A staff member read personal data (S5): who, when, whose, on which page or endpoint."""

    at = models.DateTimeField(_("время"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("кто"),
    )
    subject = models.CharField(_("чьи данные"), max_length=200)  # "building:12", "account:0001"
    purpose = models.CharField(_("где"), max_length=200)  # the page or endpoint

    class Meta:
        verbose_name = _("доступ к персональным данным")
        verbose_name_plural = _("журнал доступа к персональным данным")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.subject}"


class RefusedAccess(models.Model):
    """A signed-in person was refused (403/404) on a route that shows personal data (S3, S5):
    the evidence of a probe. Written by ``domovoy.audit.middleware``; never changed."""

    at = models.DateTimeField(_("время"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("кто"),
    )
    username = models.CharField(_("логин"), max_length=150, db_index=True)
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    method = models.CharField(_("метод"), max_length=10)
    path = models.CharField(_("адрес"), max_length=500)
    route = models.CharField(_("маршрут"), max_length=200, db_index=True)
    object_id = models.CharField(_("объект"), max_length=200, blank=True)
    status = models.PositiveSmallIntegerField(_("ответ"))
    address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)

    class Meta:
        verbose_name = _("отказ в доступе")
        verbose_name_plural = _("журнал отказов в доступе")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.status} {self.path}"


def _register_history():
    """Changes of these models go to the trail through simple-history like the directory's
    (item 11 of issue 9): users (never their password or login times), classifier topics and
    announcements. Their historical tables live in this app, so the owning apps stay as they
    are; role grants and organisation kinds are written in bulk by their services, which record
    them with ``services.audit_field_change``."""
    from simple_history import register

    from domovoy.announcements.models import Announcement
    from domovoy.directory.models import User
    from domovoy.servicedesk.models import Topic

    register(User, app=__package__, excluded_fields=["password", "last_login"])
    register(Topic, app=__package__)
    register(Announcement, app=__package__)


_register_history()
