"""Outages of a utility resource (O1–O7): the outage, its zone (one row per building), every
revision of it, and the residents' favourite addresses (O6, regulation 004)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from domovoy.directory.models import Resource


class OutageKind(models.TextChoices):
    PLANNED = "planned", _("Плановое")
    EMERGENCY = "emergency", _("Аварийное")


class Network(models.TextChoices):
    """Whose network is cut: the boundary of responsibility decides who publishes (K 1)."""

    SUPPLIER = "supplier", _("Сети ресурсоснабжающей организации")
    IN_BUILDING = "in_building", _("Внутридомовые сети (УО)")


class Completion(models.TextChoices):
    AUTO = "auto", _("Автоматически в плановое время окончания")
    MANUAL = "manual", _("Вручную")


class OutageStatus(models.TextChoices):
    PUBLISHED = "published", _("Опубликовано")
    COMPLETED = "completed", _("Завершено")
    CANCELLED = "cancelled", _("Отменено")


class Outage(models.Model):
    kind = models.CharField(_("вид"), max_length=10, choices=OutageKind.choices)
    resource = models.CharField(_("ресурс"), max_length=20, choices=Resource.choices)
    network = models.CharField(_("сети"), max_length=12, choices=Network.choices)
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("ответственная организация"),
        on_delete=models.PROTECT,
        related_name="outages",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=OutageStatus.choices, default=OutageStatus.PUBLISHED
    )
    start = models.DateTimeField(_("начало отключения"))
    planned_end = models.DateTimeField(_("плановое окончание"), null=True, blank=True)
    actual_end = models.DateTimeField(_("фактическое окончание"), null=True, blank=True)
    # Since when the responsible organisation knew the current end (estimate or actual): the
    # 1-hour entry rule is measured from it (O1, O2).
    end_known_at = models.DateTimeField(_("сведения об окончании известны с"), null=True)
    reason = models.CharField(_("причина"), max_length=300)
    description = models.TextField(_("описание"), blank=True)
    completion = models.CharField(
        _("завершение"), max_length=6, choices=Completion.choices, default=Completion.AUTO
    )
    cancel_reason = models.CharField(_("причина отмены"), max_length=500, blank=True)
    # Emergency only (O2).
    accident_at = models.DateTimeField(_("время аварии"), null=True, blank=True)
    emergency_alert = models.BooleanField(_("Экстренное оповещение"), default=False)
    published_at = models.DateTimeField(_("опубликовано"))
    completed_at = models.DateTimeField(_("завершено в системе"), null=True, blank=True)
    # Measured timing (O1, O2): minutes, and whether the rule was broken.
    min_notice_days = models.PositiveSmallIntegerField(_("минимальный срок уведомления, дней"))
    is_late = models.BooleanField(_("опубликовано позже срока"), default=False)
    publication_delay_minutes = models.IntegerField(
        _("задержка публикации, мин"), null=True, blank=True
    )
    end_entry_delay_minutes = models.IntegerField(
        _("наибольшая задержка ввода сроков, мин"), null=True, blank=True
    )
    end_entry_late = models.BooleanField(_("сроки введены позже 1 часа"), default=False)
    # Set once by the overdue sweep (issue 11, O1): a planned outage whose planned end passed
    # with no actual end entered; its supplier and the control body were told at this moment.
    overdue_flagged_at = models.DateTimeField(
        _("восстановление просрочено, отмечено"), null=True, blank=True
    )
    revision = models.PositiveIntegerField(default=1)
    building_count = models.PositiveIntegerField(_("домов в зоне"), default=0)

    class Meta:
        verbose_name = _("отключение")
        verbose_name_plural = _("отключения")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(emergency_alert=False) | Q(kind="emergency"),
                name="outage_alert_only_emergency",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gt=models.F("start")),
                name="outage_end_after_start",
            ),
        ]
        indexes = [
            # Lists filter by status and order by start (public page: current and planned).
            models.Index(fields=["status", "start"], name="outage_status_start_idx"),
            # An organisation's own outages; the supplier statistics of delays.
            models.Index(fields=["organization", "start"], name="outage_org_start_idx"),
            # The auto-completion sweep: published auto outages whose planned end passed.
            models.Index(
                fields=["planned_end"],
                condition=Q(status="published", completion="auto"),
                name="outage_autocomplete_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_resource_display()}: {self.reason}"

    @property
    def is_emergency(self):
        return self.kind == OutageKind.EMERGENCY

    @property
    def group(self):
        """The notification group of this outage (contract: cancel and count by group)."""
        return f"outage:{self.pk}"

    @property
    def end(self):
        return self.actual_end or self.planned_end

    @property
    def restoration_overdue(self):
        """Flagged by the sweep, or restored after the planned end (O1, issue 11)."""
        if self.overdue_flagged_at is not None:
            return True
        return bool(self.actual_end and self.planned_end and self.actual_end > self.planned_end)

    @property
    def publication_late(self):
        return self.publication_delay_minutes is not None and self.publication_delay_minutes > 60


class OutageBuilding(models.Model):
    """The zone: one row per building."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="zone")
    building = models.ForeignKey(
        "directory.Building", on_delete=models.PROTECT, related_name="outage_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outage", "building"], name="uniq_outage_building")
        ]
        indexes = [
            # "Outages of this building" (visibility, durations, public filter by address).
            models.Index(fields=["building", "outage"], name="outage_building_idx"),
        ]

    def __str__(self):
        return f"{self.outage_id} → {self.building_id}"


class RevisionAction(models.TextChoices):
    PUBLISHED = "published", _("Опубликовано")
    REFINED = "refined", _("Изменено")
    COMPLETED = "completed", _("Завершено")
    AUTO_COMPLETED = "auto_completed", _("Завершено автоматически")
    CANCELLED = "cancelled", _("Отменено")
    OVERDUE = "overdue", _("Просрочено восстановление")


class OutageRevision(models.Model):
    """Every change of an outage: who, when, what changed and the state after it."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=RevisionAction.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_org = models.ForeignKey(
        "directory.Organization", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=dict)  # {field: [old, new]}
    snapshot = models.JSONField(default=dict)
    known_at = models.DateTimeField(null=True, blank=True)
    entry_delay_minutes = models.IntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["outage", "number"]
        constraints = [
            models.UniqueConstraint(fields=["outage", "number"], name="uniq_outage_revision")
        ]

    def __str__(self):
        return f"{self.outage_id} #{self.number} {self.action}"


class FavouriteLabel(models.TextChoices):
    HOME = "home", pgettext_lazy("favourite address", "Дом")  # one's home, not a building
    PARENTS = "parents", _("Родители")
    WORK = "work", _("Работа")
    OTHER = "other", _("Другое")


class FavouriteAddress(models.Model):
    """A resident's «Избранный адрес» (regulation 004): outage notices for it (O6)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_addresses"
    )
    building = models.ForeignKey(
        "directory.Building", on_delete=models.CASCADE, related_name="favourited_by"
    )
    label = models.CharField(
        _("метка"), max_length=10, choices=FavouriteLabel.choices, default=FavouriteLabel.HOME
    )
    title = models.CharField(_("своё название"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("избранный адрес")
        verbose_name_plural = _("избранные адреса")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "building"], name="uniq_favourite_address")
        ]
        indexes = [
            # The fan-out finds subscribers by building.
            models.Index(fields=["building", "user"], name="favourite_building_idx"),
        ]

    def __str__(self):
        return self.title or self.get_label_display()
