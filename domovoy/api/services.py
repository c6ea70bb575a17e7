"""Integration agreements and their tokens (S1, G 3.1.6): every write the technical operator
can cause, one transaction each."""

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from domovoy.audit.models import AuditEntry
from domovoy.audit.services import audit_record
from domovoy.core.errors import ApplicationError, PermissionDeniedError

from .models import SCOPE_CODES, IntegrationAgreement
from .rates import RATE_RE, normalise_rate


def _require_issuer(actor):
    if not actor.has_perm("directory.issue_tokens"):
        raise PermissionDeniedError()


def _service_username(number):
    base = "integration-" + (re.sub(r"[^0-9A-Za-z]+", "-", number).strip("-").lower() or "x")
    base = base[:140]
    User = get_user_model()
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


@transaction.atomic
def integration_agreement_create(
    *,
    actor,
    number: str,
    system_name: str,
    parties: str,
    valid_from: dt.date,
    valid_to: dt.date,
    scopes: list[str],
    territory=None,
    organization=None,
    throttle_rate: str = "",
) -> IntegrationAgreement:
    """Register an agreement and the service account its tokens will belong to."""
    _require_issuer(actor)
    number, system_name, parties = (
        (number or "").strip(),
        (system_name or "").strip(),
        (parties or "").strip(),
    )
    errors = {}
    for field, value in (("number", number), ("system_name", system_name), ("parties", parties)):
        if not value:
            errors[field] = [_("Обязательное поле")]
    if not valid_from:
        errors["valid_from"] = [_("Обязательное поле")]
    if not valid_to:
        errors["valid_to"] = [_("Обязательное поле")]
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = [_("Дата окончания раньше даты начала")]
    scopes = list(dict.fromkeys(scopes or []))
    unknown = [s for s in scopes if s not in SCOPE_CODES]
    if unknown:
        errors["scopes"] = [_("Неизвестная операция: %(values)s") % {"values": ", ".join(unknown)}]
    elif not scopes:
        errors["scopes"] = [_("Отметьте хотя бы одну разрешённую операцию")]
    throttle_rate = normalise_rate(throttle_rate)
    if throttle_rate and not RATE_RE.match(throttle_rate):
        errors["throttle_rate"] = [
            _("Укажите частоту в виде «число/период», например 60/мин или 1000/час")
        ]
    if number and IntegrationAgreement.objects.filter(number=number).exists():
        errors["number"] = [_("Соглашение с таким номером уже зарегистрировано")]
    if errors:
        raise ApplicationError(
            _("Соглашение заполнено с ошибками"), code="invalid_agreement", fields=errors
        )
    user = get_user_model()(
        username=_service_username(number),
        first_name=system_name[:150],
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    agreement = IntegrationAgreement.objects.create(
        number=number,
        system_name=system_name,
        parties=parties,
        valid_from=valid_from,
        valid_to=valid_to,
        scopes=scopes,
        territory=territory,
        organization=organization,
        throttle_rate=throttle_rate,
        user=user,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=agreement,
        changes={
            "number": [None, number],
            "system_name": [None, system_name],
            "parties": [None, parties],
            "valid_from": [None, valid_from.isoformat()],
            "valid_to": [None, valid_to.isoformat()],
            "scopes": [None, scopes],
            "territory": [None, str(territory) if territory else None],
            "organization": [None, str(organization) if organization else None],
            "throttle_rate": [None, throttle_rate or None],
        },
    )
    return agreement


def _end_of(day):
    """The first moment after ``day`` in local time: a token valid «по 31.12» works all day."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


@transaction.atomic
def integration_token_issue(*, actor, agreement: IntegrationAgreement, expires_on=None):
    """Issue a token for ``agreement``; returns ``(AuthToken, token string)``. The string is
    shown once and never stored (knox keeps its hash). It expires at the end of
    ``expires_on`` (the agreement's last day by default), never after the agreement."""
    _require_issuer(actor)
    today = timezone.localdate()
    if agreement.valid_to < today:
        raise ApplicationError(
            _("Срок действия соглашения истёк: токен выдать нельзя"), code="agreement_expired"
        )
    expires_on = expires_on or agreement.valid_to
    if expires_on > agreement.valid_to:
        raise ApplicationError(
            _("Токен не может действовать дольше соглашения"),
            code="expiry_after_agreement",
            fields={
                "expires_on": [
                    _("Не позже %(valid_to)s")
                    % {"valid_to": format(agreement.valid_to, "%d.%m.%Y")}
                ]
            },
        )
    if expires_on < today:
        raise ApplicationError(
            _("Дата окончания действия токена уже прошла"),
            code="expiry_in_past",
            fields={"expires_on": [_("Укажите сегодняшнюю или более позднюю дату")]},
        )
    end = _end_of(expires_on)
    instance, token = AuthToken.objects.create(agreement.user, expiry=end - timezone.now())
    # knox adds the delta to its own "now", a few microseconds later: pin the exact end.
    AuthToken.objects.filter(pk=instance.pk).update(expiry=end)
    instance.expiry = end
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        model="токен интеграции",
        object_id=instance.token_key,
        object_repr=f"Токен {instance.token_key}… соглашения № {agreement.number}",
        changes={"expiry": [None, timezone.localtime(instance.expiry).isoformat()]},
        territory_path=agreement.territory.path if agreement.territory_id else "",
    )
    return instance, token


@transaction.atomic
def integration_token_revoke(*, actor, agreement: IntegrationAgreement, token_key: str):
    """Revoke (delete) one token of ``agreement``; its past uses stay in the log."""
    _require_issuer(actor)
    token = AuthToken.objects.filter(user=agreement.user, token_key=token_key).first()
    if token is None:
        raise ApplicationError(_("Токен не найден"), code="not_found", status_code=404)
    expiry = token.expiry
    token.delete()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        model="токен интеграции",
        object_id=token_key,
        object_repr=f"Токен {token_key}… соглашения № {agreement.number}",
        changes={"expiry": [timezone.localtime(expiry).isoformat() if expiry else None, None]},
        territory_path=agreement.territory.path if agreement.territory_id else "",
    )


@transaction.atomic
def integration_agreement_set_rate(*, actor, agreement: IntegrationAgreement, throttle_rate: str):
    """Set the agreement's own API rate for its tokens ("" = the settings' defaults)."""
    _require_issuer(actor)
    throttle_rate = normalise_rate(throttle_rate)
    if throttle_rate and not RATE_RE.match(throttle_rate):
        raise ApplicationError(
            _("Частота запросов указана неверно"),
            code="invalid_rate",
            fields={
                "throttle_rate": [
                    _("Укажите частоту в виде «число/период», например 60/мин или 1000/час")
                ]
            },
        )
    agreement = IntegrationAgreement.objects.select_for_update().get(pk=agreement.pk)
    before = agreement.throttle_rate
    if before == throttle_rate:
        return agreement
    agreement.throttle_rate = throttle_rate
    agreement.save(update_fields=["throttle_rate"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=agreement,
        changes={"throttle_rate": [before or None, throttle_rate or None]},
    )
    return agreement
