"""The feedback section (D6): change requests to registered data and to the classifier,
suggestions, error reports and vulnerability reports, each decided by an operator."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from domovoy.core.models import TimeStampedModel


class FeedbackKind(models.TextChoices):
    DATA_CHANGE = "data_change", _("Изменение зарегистрированных данных")
    CLASSIFIER_CHANGE = "classifier_change", _("Изменение классификатора")
    SUGGESTION = "suggestion", _("Предложение")
    ERROR = "error", _("Сообщение об ошибке")
    VULNERABILITY = "vulnerability", _("Сообщение об уязвимости")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("На рассмотрении")
    APPROVED = "approved", _("Принято")
    REJECTED = "rejected", _("Отклонено")


class TargetType(models.TextChoices):
    ORGANIZATION = "organization", _("Карточка организации")
    BUILDING = "building", _("Данные дома")


class FeedbackItem(TimeStampedModel):
    """One item of feedback. A data change request names its target object, the field and
    the proposed value; approving it applies the value (D6). Vulnerability reports are seen
    only by their author and the technical operator (G 3.1.6–3.1.7)."""

    kind = models.CharField(_("вид"), max_length=20, choices=FeedbackKind.choices)
    status = models.CharField(
        _("статус"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="feedback_items",
        verbose_name=_("автор"),
    )
    author_organization = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("организация автора"),
    )
    title = models.CharField(_("тема"), max_length=200)
    text = models.TextField(_("описание"), blank=True)

    # Data change request (structured): target object + field + proposed value.
    target_type = models.CharField(
        _("объект изменения"), max_length=20, choices=TargetType.choices, blank=True
    )
    target_organization = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback_change_requests",
        verbose_name=_("организация"),
    )
    target_building = models.ForeignKey(
        "directory.Building",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback_change_requests",
        verbose_name=_("дом"),
    )
    field = models.CharField(_("поле"), max_length=50, blank=True)
    current_value = models.TextField(_("значение при подаче"), blank=True)
    proposed_value = models.TextField(_("предлагаемое значение"), blank=True)

    # Classifier change request: the proposed topic and where it goes in the tree.
    proposed_topic_name = models.CharField(_("предлагаемая тема"), max_length=200, blank=True)
    proposed_topic_parent = models.CharField(_("родительская тема"), max_length=200, blank=True)

    # The decision: who, when, why (the author sees the reason).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("кто решил"),
    )
    decided_at = models.DateTimeField(_("когда решено"), null=True, blank=True)
    decision_reason = models.TextField(_("обоснование решения"), blank=True)
    applied_at = models.DateTimeField(_("когда применено"), null=True, blank=True)
    application_note = models.CharField(_("результат применения"), max_length=300, blank=True)
    # An applied classifier change (D6, R2): the topic and the version of it the change made.
    applied_topic = models.ForeignKey(
        "servicedesk.Topic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("изменённая тема"),
    )
    applied_topic_version = models.PositiveBigIntegerField(_("версия темы"), null=True, blank=True)

    class Meta:
        verbose_name = _("обращение обратной связи")
        verbose_name_plural = _("обратная связь")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The operators' queue filters by status and kind, newest first.
            models.Index(fields=["status", "kind", "-created_at"], name="feedback_queue_idx"),
            # "My feedback": the author's own items, newest first.
            models.Index(fields=["author", "-created_at"], name="feedback_author_idx"),
        ]

    def __str__(self):
        return f"№{self.pk} {self.get_kind_display()}: {self.title}"

    @property
    def is_decided(self):
        return self.status != FeedbackStatus.NEW

    @property
    def target(self):
        if self.target_type == TargetType.ORGANIZATION:
            return self.target_organization
        if self.target_type == TargetType.BUILDING:
            return self.target_building
        return None

    @property
    def field_label(self):
        from .changes import field_label

        return field_label(self.target_type, self.field)
