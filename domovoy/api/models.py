"""Integration agreements and the log of token use (S1, G 3.1.6)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domovoy.core.periods import PeriodQuerySet

from .rates import rate_text, validate_rate

SCOPES = [
    ("directory:read", _("Справочники: чтение")),
    ("directory:write", _("Справочники: изменение")),
    ("audit:read", _("Журнал аудита: чтение")),
    ("requests:read", _("Заявки: чтение")),
    ("requests:write", _("Заявки: создание и действия")),
    ("outages:read", _("Отключения: чтение")),
    ("outages:write", _("Отключения: публикация")),
]
SCOPE_CODES = [code for code, _label in SCOPES]


class IntegrationAgreement(models.Model):
    """An agreement under which an integration gets API tokens: number, parties, validity,
    the operations (scopes) and the territory it may touch. Its tokens belong to ``user``,
    a service account created with it."""

    number = models.CharField(_("номер соглашения"), max_length=50, unique=True)
    system_name = models.CharField(_("информационная система"), max_length=200)
    parties = models.CharField(_("стороны"), max_length=500)
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"))
    scopes = models.JSONField(_("разрешённые операции"), default=list)
    territory = models.ForeignKey(
        "directory.Territory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("территория"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("организация-участник"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="integration"
    )
    # The agreement's own API rate for its tokens ("600/min"); empty = the defaults of the
    # settings (API_THROTTLE_*). See domovoy.api.throttles.
    throttle_rate = models.CharField(
        _("частота запросов"),
        max_length=20,
        blank=True,
        default="",
        validators=[validate_rate],
        help_text=_("Например 600/min; пусто — по умолчанию"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PeriodQuerySet.on_fields("valid_from", "valid_to").as_manager()

    class Meta:
        verbose_name = _("соглашение об интеграции")
        verbose_name_plural = _("соглашения об интеграции")
        ordering = ["-created_at"]

    def __str__(self):
        return f"№ {self.number} — {self.system_name}"

    def is_valid_on(self, day=None):
        day = day or timezone.localdate()
        return self.valid_from <= day <= self.valid_to

    @property
    def throttle_rate_text(self):
        """The rate in words («600 в минуту»); empty for the default."""
        return rate_text(self.throttle_rate)


class TokenUse(models.Model):
    """API calls made with a token (S1: «their use is logged»): one row per token, method and
    path in a minute (per server process), ``at`` its first call, ``count`` the calls."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    count = models.PositiveIntegerField(default=1)
    token_key = models.CharField(max_length=25, db_index=True)
    agreement = models.ForeignKey(
        IntegrationAgreement, null=True, on_delete=models.SET_NULL, related_name="uses"
    )
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S} {self.token_key} {self.method} {self.path} ×{self.count}"
        )
