"""Confirmation codes (registration, a changed phone or e-mail) and the one-time link codes a
management company issues for a personal account. Codes are stored as keyed hashes only
(``services.code_digest``): a copy of the database does not give them away."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConfirmationCode(models.Model):
    """A code sent to a phone (SMS) or an e-mail address, proving that the person holds it.

    ``token`` is the flow's public handle (kept in the session by the pages, returned by the
    API); the code itself travels only in the message. A code expires, allows a few attempts,
    and is spent once its purpose is done (``used_at``)."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("регистрация")
        CONTACT = "contact", _("смена телефона или e-mail")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("e-mail")

    token = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # E.164 phone or a lower-case e-mail address.
    address = models.CharField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="confirmation_codes",
    )
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("код подтверждения")
        verbose_name_plural = _("коды подтверждения")
        indexes = [
            # A new code for an address retires the open ones of that address and purpose.
            models.Index(fields=["address", "purpose"], name="confirmation_address_idx"),
        ]

    def __str__(self):
        return f"{self.purpose}:{self.channel}:{self.pk}"


class AccountLinkCode(models.Model):
    """A one-time code to link a personal account, issued by the management company of its
    building (shown once to the issuer, handed to the resident on paper or by phone)."""

    account = models.ForeignKey(
        "directory.Account", on_delete=models.CASCADE, related_name="link_codes"
    )
    organization = models.ForeignKey(
        "directory.Organization", on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Unique: a code is found by its hash alone.
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("код привязки лицевого счёта")
        verbose_name_plural = _("коды привязки лицевых счетов")

    def __str__(self):
        return f"{self.account_id}:{self.pk}"
