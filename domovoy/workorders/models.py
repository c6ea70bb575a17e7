"""Electronic work orders (заказ-наряды, R9; G 2.4, U 3.5.2е).

- ``WorkOrderTemplate``: a form of work order, defined by the functional operator (a kind, a
  title and what the form must contain).
- ``WorkOrderTemplateVersion``: the form as built and loaded by the technical operator — its
  fields and its printed layout (``form.py`` checks both). A new version is a draft; it takes
  effect when the functional operator approves it, and the version it replaces retires. At most
  one version per template is active (a partial unique constraint backs the service's lock).
- ``WorkOrder``: a numbered document generated for a service request from the active version.
  It keeps its version for good, and a snapshot of the executor's card and of the request as
  they were when it was generated: a printed document does not change afterwards.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from domovoy.core.models import TimeStampedModel


class FieldType(models.TextChoices):
    TEXT = "text", _("Строка")
    MULTILINE = "multiline", _("Текст в несколько строк")
    NUMBER = "number", _("Число")
    DATE = "date", _("Дата")
    WORKS = "works", _("Таблица выполненных работ")


class SectionKind(models.TextChoices):
    HEADER = "header", _("Шапка: номер, дата, организация-исполнитель")
    REQUEST = "request", _("Сведения о заявке")
    FIELDS = "fields", _("Поля формы")
    WORKS = "works", _("Таблица выполненных работ")
    NOTE = "note", _("Текст")
    SIGNATURES = "signatures", _("Подписи")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик, ждёт утверждения")
    ACTIVE = "active", _("Действует")
    RETIRED = "retired", _("Заменена новой версией")
    REJECTED = "rejected", _("Отклонена")


class WorkOrderTemplate(TimeStampedModel):
    """A form of work order (G 2.4: the functional operator defines it)."""

    kind = models.SlugField(_("код формы"), max_length=50, unique=True)
    title = models.CharField(_("название формы"), max_length=200)
    description = models.TextField(
        _("требования к форме"),
        blank=True,
        help_text=_("что должен содержать заказ-наряд: задание техническому оператору"),
    )
    order = models.PositiveIntegerField(_("порядок"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("кем создана"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("форма заказ-наряда")
        verbose_name_plural = _("формы заказ-нарядов")
        ordering = ["order", "kind"]

    def __str__(self):
        return self.title


class WorkOrderTemplateVersion(models.Model):
    """A version of a form: fields and printed layout, built by the technical operator."""

    template = models.ForeignKey(
        WorkOrderTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("версия"))
    status = models.CharField(
        _("состояние"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title = models.CharField(_("заголовок печатной формы"), max_length=200)
    fields = models.JSONField(_("поля"), default=list)
    layout = models.JSONField(_("печатная форма"), default=list)
    note = models.TextField(_("что изменено"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("кем загружена"),
    )
    created_at = models.DateTimeField(_("загружена"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("кем утверждена"),
    )
    approved_at = models.DateTimeField(_("утверждена"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("кем отклонена"),
    )
    rejected_at = models.DateTimeField(_("отклонена"), null=True, blank=True)
    reject_reason = models.TextField(_("причина отклонения"), blank=True)
    retired_at = models.DateTimeField(_("выведена из действия"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("версия формы заказ-наряда")
        verbose_name_plural = _("версии форм заказ-нарядов")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="workorder_version_number_uniq"
            ),
            # Exactly one version of a form is in force; the approval service serialises on the
            # template row, this index is the backstop against any other writer.
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(status="active"),
                name="workorder_one_active_version",
            ),
        ]

    def __str__(self):
        return f"{self.template} — версия {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_active(self) -> bool:
        return self.status == VersionStatus.ACTIVE

    def field(self, name):
        return next((f for f in self.fields if f.get("name") == name), None)


class WorkOrder(TimeStampedModel):
    """A work order for a service request: the document that confirms its completion (R9)."""

    # NULL only inside the creating transaction, until the row id it is made of is known.
    number = models.CharField(  # noqa: DJ001
        _("номер"), max_length=30, unique=True, null=True, editable=False
    )
    request = models.ForeignKey(
        "servicedesk.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("заявка"),
    )
    version = models.ForeignKey(
        WorkOrderTemplateVersion,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("версия формы"),
    )
    executor_org = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("исполнитель"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("составил"),
    )
    data = models.JSONField(_("содержание"), default=dict)
    # The executor's card, the author and the request as they were at generation time.
    snapshot = models.JSONField(_("реквизиты на момент составления"), default=dict)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("заказ-наряд")
        verbose_name_plural = _("заказ-наряды")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "The work orders of this request, latest first": the completion form and the card.
            models.Index(fields=["request", "created_at"], name="workorder_request_idx"),
            # An executor's list of its work orders by period.
            models.Index(fields=["executor_org", "created_at"], name="workorder_executor_idx"),
        ]

    def __str__(self):
        return f"Заказ-наряд № {self.number or '—'}"
