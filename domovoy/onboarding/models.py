"""Connection requests of organisations (D5, U 3.3.1, G 2.5, G app. 2).

A request holds the partner card, the kinds applied for and the uploaded files of appendix 2
(employees, served organisations, buildings and accounts). The files are kept as uploaded and
parsed again on approval; only a summary (counts, first rows, warnings) and, for a file that
failed the worker's validation, the list of bad rows are stored on the request.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from domovoy.core.models import TimeStampedModel
from domovoy.core.private_files import PrivateFileField, random_upload_to
from domovoy.directory.models import OrgKind, Role


def _token():
    return secrets.token_urlsafe(32)


def _private_path(instance, filename):
    """Kept for the early migrations only; files use ``random_upload_to`` now."""
    return random_upload_to("onboarding")(instance, filename)


class ApprovalStep(models.Model):
    """One configurable approval step, e.g. «контрольный орган → технический оператор»
    (U 3.3.1). Without any active rows there is one default step: the functional operator."""

    order = models.PositiveSmallIntegerField(_("порядок"))
    name = models.CharField(_("название шага"), max_length=200)
    decider_role = models.CharField(
        _("роль, принимающая решение"), max_length=30, choices=Role.choices
    )
    decider_kind = models.CharField(
        _("вид организации, принимающей решение"),
        max_length=20,
        choices=OrgKind.choices,
        blank=True,
        help_text=_("пусто — организация любого вида"),
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("шаг согласования подключения")
        verbose_name_plural = _("шаги согласования подключения")
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.order}. {self.name}"


class OnboardingRequest(TimeStampedModel):
    class Status(models.TextChoices):
        VALIDATING = "validating", _("Проверка файлов")
        INVALID = "invalid", _("Файлы содержат ошибки")
        SUBMITTED = "submitted", _("На рассмотрении")
        CHANGES_REQUESTED = "changes_requested", _("Требуются исправления")
        LOADING = "loading", _("Загрузка данных")
        APPROVED = "approved", _("Подключена")
        REJECTED = "rejected", _("Отклонена")

    # Statuses in which the deadline for issuing accounts runs (D5).
    OPEN_STATUSES = (Status.SUBMITTED, Status.LOADING)

    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    card = models.JSONField(_("карта партнёра"), default=dict)
    kinds = models.JSONField(_("виды организации"), default=list)
    # Uploaded files hold personal data (S5): random names in private storage, served only
    # through the permission-checked ``onboarding:file`` view.
    license_scan = PrivateFileField(_("скан лицензии"), prefix="onboarding", blank=True)
    license_scan_name = models.CharField(_("имя файла"), max_length=255, blank=True)
    management_start = models.DateField(_("начало управления домами"), null=True, blank=True)
    # The secret of the applicant's status and correction pages (no login needed).
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A UO that files the request for its contractor (D5) and receives the first logins.
    on_behalf_of = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contractor_requests",
        verbose_name=_("подана управляющей организацией"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="onboarding_requests",
        verbose_name=_("подключённая организация"),
    )
    submitted_at = models.DateTimeField(_("полный комплект подан"), null=True, blank=True)
    due_date = models.DateField(_("срок выдачи доступа"), null=True, blank=True)
    is_overdue = models.BooleanField(_("просрочена"), default=False)
    current_step = models.PositiveSmallIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_phase = models.CharField(max_length=20, blank=True)
    summary = models.JSONField(default=dict)  # {"employees": {"count": n, "first": [...]}, ...}
    warnings = models.JSONField(default=list)  # [{"sheet","line","column","reason"}]
    errors = models.JSONField(default=list)  # bad rows found by the worker's validation
    last_error = models.TextField(_("ошибка загрузки"), blank=True)
    # The background job (file check or load) of the request: who holds it and until when
    # (a lease renewed by its heartbeat), how many times it was started, its arguments. A
    # sweeper re-queues a job whose lease expired (its worker died) and gives up after
    # ONBOARDING_JOB_MAX_ATTEMPTS starts. An empty token with a lease means "queued".
    job_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, db_index=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    job_params = models.JSONField(default=dict, blank=True)
    # First logins of a contractor filed by a UO, shown to that UO's admins until they
    # confirm the hand-over; then erased.
    credentials = models.JSONField(default=list, blank=True)
    credentials_handed_over_at = models.DateTimeField(null=True, blank=True)
    credentials_handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("заявка на подключение")
        verbose_name_plural = _("заявки на подключение")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # The operators' queue: open requests by status, oldest deadline first.
            models.Index(fields=["status", "due_date"], name="onb_status_due_idx"),
        ]

    def __str__(self):
        return f"№ {self.pk} {self.short_name}"

    @property
    def short_name(self):
        return self.card.get("short_name") or self.card.get("full_name") or "—"

    @property
    def is_uo(self):
        return OrgKind.UO in self.kinds

    @property
    def progress_percent(self):
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    def kind_labels(self):
        labels = dict(OrgKind.choices)
        return [str(labels.get(k, k)) for k in self.kinds]


class OnboardingFile(models.Model):
    class Kind(models.TextChoices):
        EMPLOYEES = "employees", _("Сотрудники")
        SERVED = "served", _("Обслуживаемые / обслуживающие организации")
        ACCOUNTS = "accounts", _("Дома и лицевые счета")

    request = models.ForeignKey(OnboardingRequest, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = PrivateFileField(prefix="onboarding")
    original_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="uniq_onboarding_file")
        ]

    def __str__(self):
        return self.original_name


class OnboardingDecision(models.Model):
    """Every submission and decision on a request: who, when, what, comment (D5)."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Подана")
        RESUBMIT = "resubmit", _("Исправлена и подана повторно")
        APPROVE = "approve", _("Согласована")
        REQUEST_CHANGES = "request_changes", _("Возвращена на исправление")
        REJECT = "reject", _("Отклонена")
        LOADED = "loaded", _("Данные загружены, доступ выдан")
        LOAD_FAILED = "load_failed", _("Загрузка отменена")
        CHECK_FAILED = "check_failed", _("Проверка файлов остановлена")

    request = models.ForeignKey(
        OnboardingRequest, on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    step_order = models.PositiveSmallIntegerField(null=True, blank=True)
    step_name = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%d.%m.%Y %H:%M}"
