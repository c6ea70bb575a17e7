"""Writes of the resident's way in (issue 12): registration by a confirmed phone or e-mail,
the profile and its re-confirmed contacts, linking personal accounts (by number and the
owner's surname, or by a one-time code of the management company), and the link codes.

The rules (docs/decisions.md, «The resident's way in»):
- a confirmation code has 6 digits, lives RESIDENTS_CODE_TTL_MINUTES (10), allows
  RESIDENTS_CODE_MAX_ATTEMPTS (5) wrong entries, is stored as a keyed hash, goes out through
  the notification outbox (SMS or e-mail, not held by quiet hours), and a new one retires the
  open ones of the address; sending is limited per address and per client address;
- whether a phone or an e-mail is already registered is said only to whoever has confirmed
  the code sent to it (no enumeration by the first step);
- a wrong account/surname pair or link code gets one generic answer; attempts per person are
  limited (RATE_LIMIT_ACCOUNT_LINK).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from domovoy.audit.models import AuditEntry
from domovoy.audit.services import audit_record
from domovoy.core import phones
from domovoy.core.bounds import ID_MAX
from domovoy.core.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from domovoy.core.ratelimit import hit
from domovoy.core.translit import slug_login
from domovoy.directory import roles
from domovoy.directory.models import Account, User
from domovoy.directory.services import _unique_username
from domovoy.notifications import channels
from domovoy.notifications.services import notice_to_address

from .models import AccountLinkCode, ConfirmationCode

SMS = ConfirmationCode.Channel.SMS
EMAIL = ConfirmationCode.Channel.EMAIL
# After the code is confirmed, the person has this long to finish (set the password).
CONFIRMED_GRACE = dt.timedelta(minutes=30)
LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LINK_CODE_LENGTH = 8


class TooMany(ServiceError):
    """A rate limit: 429 for the API, a form error on the pages."""

    status_code = 429
    default_code = "too_many_requests"


def _no_match_message():
    return _(
        "Лицевой счёт и фамилия собственника не совпадают с данными управляющей организации. "
        "Проверьте номер и фамилию или попросите в управляющей организации код привязки."
    )


def _bad_code_message():
    return _("Код привязки не подошёл: он неверный, уже использован или его срок истёк.")


# --- Contacts ------------------------------------------------------------------------------


def contact_parse(value) -> tuple[str, str]:
    """(channel, address) of what a person typed: an e-mail (lower-cased) or a phone (E.164).
    Raises ``Invalid`` naming the field ``contact``."""
    text = str(value or "").strip()
    if not text:
        raise Invalid(
            _("Укажите телефон или адрес электронной почты"),
            code="required",
            fields={"contact": [_("Обязательное поле")]},
        )
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            message = _("Адрес электронной почты «%(value)s» указан неверно") % {"value": text[:60]}
            raise Invalid(message, code="bad_email", fields={"contact": [message]}) from None
        return EMAIL, text.lower()
    try:
        return SMS, phones.normalize(text)
    except ValidationError as exc:
        raise Invalid(exc.messages[0], code="bad_phone", fields={"contact": exc.messages}) from None


def contact_taken(channel: str, address: str, *, exclude=None) -> bool:
    """Some account (a resident's or an employee's, active or not) already has this phone or
    e-mail."""
    if channel == EMAIL:
        users = User.objects.filter(email__iexact=address)
    else:
        key = phones.phone_key(address)
        users = User.objects.filter(
            Q(phone=address) | Q(phone__endswith=key) if key else Q(phone=address)
        )
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


def _taken_message(channel: str) -> str:
    if channel == EMAIL:
        return _(
            "Этот адрес электронной почты уже зарегистрирован. Войдите с ним или обратитесь "
            "в поддержку, если не помните пароль."
        )
    return _(
        "Этот номер телефона уже зарегистрирован. Войдите с ним или обратитесь в поддержку, "
        "если не помните пароль."
    )


# --- Confirmation codes --------------------------------------------------------------------


def code_digest(token: str, code: str) -> str:
    """The keyed hash of a code (SECRET_KEY): six digits cannot be guessed from a copy of
    the table without the key."""
    return salted_hmac("domovoy.residents.code", f"{token}:{code}", algorithm="sha256").hexdigest()


def _code_text(purpose: str, code: str, minutes: int) -> tuple[str, str]:
    subject = _("Домовой: код подтверждения %(code)s") % {"code": code}
    if purpose == ConfirmationCode.Purpose.REGISTER:
        body = _(
            "Код для регистрации в Домовом: %(code)s. Действует %(minutes)d мин. "
            "Никому не сообщайте его."
        )
    else:
        body = _(
            "Код для подтверждения нового контакта в Домовом: %(code)s. Действует "
            "%(minutes)d мин. Никому не сообщайте его."
        )
    return subject, body % {"code": code, "minutes": minutes}


def code_send(*, purpose: str, contact, client: str = "", user=None) -> ConfirmationCode:
    """Send a new code to ``contact`` (phone or e-mail) through the outbox; returns the row
    (its ``token`` identifies the flow). Retires the open codes of the same address and
    purpose. Limited per address and per client address (``TooMany``)."""
    channel, address = contact_parse(contact)
    if channel == SMS and not channels.sms_configured():
        raise Invalid(
            _("Отправка SMS в этой системе не подключена: укажите адрес электронной почты"),
            code="sms_off",
            fields={"contact": [_("SMS не подключены")]},
        )
    if user is not None:
        current = user.email.lower() if channel == EMAIL else user.phone
        if address == current:
            raise Invalid(
                _("Это ваш текущий контакт: он уже подтверждён"),
                code="same_contact",
                fields={"contact": [_("Совпадает с текущим")]},
            )
    too_many = _("Слишком много кодов за короткое время. Повторите позже.")
    if not hit(f"code:address:{address}", settings.RATE_LIMIT_CODE_PER_ADDRESS):
        raise TooMany(too_many, fields={"contact": [too_many]})
    if not hit(f"code:client:{client or 'unknown'}", settings.RATE_LIMIT_CODE_PER_CLIENT):
        raise TooMany(too_many, fields={"contact": [too_many]})
    minutes = settings.RESIDENTS_CODE_TTL_MINUTES
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        open_codes = ConfirmationCode.objects.filter(
            address=address, purpose=purpose, used_at__isnull=True, expires_at__gt=now
        )
        open_codes.update(expires_at=now)
        row = ConfirmationCode.objects.create(
            token=token,
            purpose=purpose,
            channel=channel,
            address=address,
            user=user,
            code_hash=code_digest(token, code),
            expires_at=now + dt.timedelta(minutes=minutes),
        )
        subject, body = _code_text(purpose, code, minutes)
        notice_to_address(
            address=address,
            kind=f"residents.code.{purpose}",
            dedup_key=f"residents:code:{row.pk}",
            subject=subject,
            body=body,
            channel=channel,
            immediate=True,
        )
    return row


def _confirm(*, token: str, code: str, purpose: str, user=None) -> ConfirmationCode:
    """Check ``code`` against the flow ``token``; a wrong code counts an attempt (kept even
    though the call then refuses)."""
    now = timezone.now()
    code = re.sub(r"\s", "", str(code or ""))
    problem = None
    with transaction.atomic():
        # Locked: two guesses at once must both be counted.
        row = (
            ConfirmationCode.objects.select_for_update()
            .filter(token=str(token or "")[:64], purpose=purpose, user=user)
            .first()
        )
        if row is None or row.used_at is not None:
            problem = ("unknown", _("Код не найден или уже использован. Запросите новый код."))
        elif row.confirmed_at is not None and row.expires_at > now:
            return row  # a repeated confirmation of a confirmed code
        elif row.expires_at <= now:
            problem = ("expired", _("Срок действия кода истёк. Запросите новый код."))
        elif row.attempts >= settings.RESIDENTS_CODE_MAX_ATTEMPTS:
            problem = (
                "too_many_attempts",
                _("Слишком много неверных попыток. Запросите новый код."),
            )
        elif not code.isdigit() or not constant_time_compare(
            code_digest(row.token, code), row.code_hash
        ):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = settings.RESIDENTS_CODE_MAX_ATTEMPTS - row.attempts
            if left > 0:
                message = ngettext(
                    "Неверный код. Осталась %(n)d попытка.",
                    "Неверный код. Осталось попыток: %(n)d.",
                    left,
                ) % {"n": left}
            else:
                message = _("Неверный код. Попытки закончились: запросите новый код.")
            problem = ("wrong_code", message)
        else:
            row.confirmed_at = now
            row.expires_at = now + CONFIRMED_GRACE
            row.save(update_fields=["confirmed_at", "expires_at"])
            return row
    kind, message = problem
    raise Invalid(message, code=kind, fields={"code": [message]})


# --- Registration --------------------------------------------------------------------------


def registration_start(*, contact, client: str = "") -> ConfirmationCode:
    """Step 1: a code to the phone or e-mail. The same answer whether or not the contact is
    registered already (told only after the code is confirmed)."""
    return code_send(purpose=ConfirmationCode.Purpose.REGISTER, contact=contact, client=client)


def registration_confirm(*, token: str, code: str) -> ConfirmationCode:
    """Step 2: the code. A contact registered already is refused here (``Conflict``), to the
    person who has just proved they hold it."""
    row = _confirm(token=token, code=code, purpose=ConfirmationCode.Purpose.REGISTER)
    if contact_taken(row.channel, row.address):
        raise Conflict(_taken_message(row.channel), code="already_registered")
    return row


def confirmed_registration(token: str) -> ConfirmationCode | None:
    """The confirmed, unspent registration flow ``token``, or None."""
    return ConfirmationCode.objects.filter(
        token=str(token or "")[:64],
        purpose=ConfirmationCode.Purpose.REGISTER,
        confirmed_at__isnull=False,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


def _clean_names(first_name, last_name, middle_name=""):
    names = {
        "last_name": " ".join(str(last_name or "").split())[:150],
        "first_name": " ".join(str(first_name or "").split())[:150],
        "middle_name": " ".join(str(middle_name or "").split())[:150],
    }
    errors = {
        field: [_("Обязательное поле")] for field in ("last_name", "first_name") if not names[field]
    }
    return names, errors


def registration_complete(*, token: str, first_name, last_name, password, middle_name="") -> User:
    """Step 3: names and a password; creates the resident (``is_resident``) with the
    confirmed phone or e-mail and spends the code. The caller signs the person in."""
    names, errors = _clean_names(first_name, last_name, middle_name)
    with transaction.atomic():
        row = (
            ConfirmationCode.objects.select_for_update()
            .filter(pk=getattr(confirmed_registration(token), "pk", None))
            .first()
        )
        if row is None:
            raise Invalid(
                _("Подтверждение устарело: начните регистрацию заново."), code="not_confirmed"
            )
        user = User(
            username=_unique_username(
                slug_login(names["last_name"], names["first_name"]) or "resident"
            ),
            is_resident=True,
            email=row.address if row.channel == EMAIL else "",
            phone=row.address if row.channel == SMS else "",
            **names,
        )
        try:
            validate_password(password or "", user=user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
        if errors:
            raise Invalid(_("Проверьте поля формы"), fields=errors)
        if contact_taken(row.channel, row.address):
            raise Conflict(_taken_message(row.channel), code="already_registered")
        user.set_password(password)
        user.save()
        row.used_at = timezone.now()
        row.user = user
        row.save(update_fields=["used_at", "user"])
        audit_record(
            actor=user,
            action=AuditEntry.Action.CREATE,
            instance=user,
            object_repr=_("Житель (самостоятельная регистрация)"),
            changes={"is_resident": [None, True], "registered_by": [None, str(row.channel)]},
        )
    return user


# --- Profile -------------------------------------------------------------------------------


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise Forbidden()


def profile_update(*, user, first_name, last_name, middle_name="") -> User:
    _require(user, "residents.edit_profile")
    names, errors = _clean_names(first_name, last_name, middle_name)
    if errors:
        raise Invalid(_("Проверьте поля формы"), fields=errors)
    with transaction.atomic():
        for field, value in names.items():
            setattr(user, field, value)
        user.save(update_fields=list(names))
    return user


def contact_change_start(*, user, contact, client: str = "") -> ConfirmationCode:
    """A code to the new phone or e-mail; nothing changes until it is confirmed."""
    _require(user, "residents.edit_profile")
    return code_send(
        purpose=ConfirmationCode.Purpose.CONTACT, contact=contact, client=client, user=user
    )


def contact_change_confirm(*, user, token: str, code: str) -> User:
    """The new contact's code: the phone or e-mail of ``user`` becomes the confirmed one. A
    flow of another person is not found (codes are bound to their user)."""
    _require(user, "residents.edit_profile")
    row = _confirm(token=token, code=code, purpose=ConfirmationCode.Purpose.CONTACT, user=user)
    with transaction.atomic():
        row = ConfirmationCode.objects.select_for_update().get(pk=row.pk)
        if row.used_at is not None:
            raise Invalid(_("Код уже использован"), code="used")
        if contact_taken(row.channel, row.address, exclude=user):
            raise Conflict(_("Этот контакт уже используется другой учётной записью."), code="taken")
        field = "email" if row.channel == EMAIL else "phone"
        before = getattr(user, field)
        setattr(user, field, row.address)
        user.save(update_fields=[field])
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        audit_record(
            actor=user,
            action=AuditEntry.Action.UPDATE,
            instance=user,
            changes={field: [bool(before), True]},  # that it changed; the values are S5
        )
    return user


# --- Personal accounts ---------------------------------------------------------------------


def normalize_surname(value) -> str:
    """Case, ё/е and spacing do not matter: «Сёмина» = «семина»."""
    return " ".join(str(value or "").replace("ё", "е").replace("Ё", "Е").split()).casefold()


def normalize_account_number(value) -> str:
    return re.sub(r"[\s\-]", "", str(value or ""))[:30]


def _count_link_attempt(user):
    if not hit(f"account-link:{user.pk}", settings.RATE_LIMIT_ACCOUNT_LINK):
        message = _("Слишком много попыток привязки. Повторите позже.")
        raise TooMany(message)


def _link(*, user, account, how: str) -> Account:
    if account.residents.filter(pk=user.pk).exists():
        return account
    account.residents.add(user)
    audit_record(
        actor=user,
        action=AuditEntry.Action.UPDATE,
        instance=account,
        changes={"residents": [None, f"+{user.pk}"], "linked_by": [None, how]},
    )
    return account


def account_link_by_owner(*, user, number, last_name) -> Account:
    """Link the account ``number`` if ``last_name`` is its owner's surname (case and ё/е do not
    matter). One generic refusal for every mismatch; attempts are limited."""
    _require(user, "residents.link_account")
    errors = {}
    if not normalize_account_number(number):
        errors["number"] = [_("Обязательное поле")]
    if not normalize_surname(last_name):
        errors["last_name"] = [_("Обязательное поле")]
    if errors:
        raise Invalid(_("Укажите номер лицевого счёта и фамилию собственника"), fields=errors)
    _count_link_attempt(user)
    account = (
        Account.objects.select_related("premises__building")
        .filter(number=normalize_account_number(number), is_active=True)
        .first()
    )
    if (
        account is None
        or not normalize_surname(account.owner_last_name)
        or normalize_surname(account.owner_last_name) != normalize_surname(last_name)
    ):
        raise Invalid(_no_match_message(), code="no_match")
    with transaction.atomic():
        return _link(user=user, account=account, how="owner")


def link_code_digest(code: str) -> str:
    return salted_hmac(
        "domovoy.residents.link", normalize_link_code(code), algorithm="sha256"
    ).hexdigest()


def normalize_link_code(code) -> str:
    return re.sub(r"[^0-9A-Z]", "", str(code or "").upper())[:32]


def account_link_by_code(*, user, code) -> Account:
    """Link the account of a one-time code issued by its management company; the code is
    spent."""
    _require(user, "residents.link_account")
    if not normalize_link_code(code):
        raise Invalid(_("Укажите код привязки"), fields={"code": [_("Обязательное поле")]})
    _count_link_attempt(user)
    now = timezone.now()
    with transaction.atomic():
        row = (
            AccountLinkCode.objects.select_for_update()
            .select_related("account")
            .filter(code_hash=link_code_digest(code))
            .first()
        )
        if (
            row is None
            or row.used_at is not None
            or row.expires_at <= now
            or not row.account.is_active
        ):
            row = None
        else:
            row.used_at, row.used_by = now, user
            row.save(update_fields=["used_at", "used_by"])
            account = _link(user=user, account=row.account, how="code")
    if row is None:
        raise Invalid(
            _bad_code_message(), code="bad_link_code", fields={"code": [_bad_code_message()]}
        )
    return account


def account_unlink(*, user, account_id) -> None:
    """The resident removes one of their own accounts; another's is not found."""
    _require(user, "residents.link_account")
    text = str(account_id or "")
    if not text.isdigit() or not 0 < int(text) <= ID_MAX:
        raise NotFound()
    account = Account.objects.filter(pk=int(text), residents=user).first()
    if account is None:
        raise NotFound()
    with transaction.atomic():
        account.residents.remove(user)
        audit_record(
            actor=user,
            action=AuditEntry.Action.UPDATE,
            instance=account,
            changes={"residents": [f"+{user.pk}", None]},
        )


def link_code_issue(*, actor, account) -> tuple[AccountLinkCode, str]:
    """A one-time link code for ``account``, by the staff of the UO managing its building
    today; returns (row, the code) — the code is shown once and stored only as a hash."""
    _require(actor, "residents.issue_link_code", account)
    if not account.is_active:
        raise Conflict(_("Лицевой счёт закрыт"), code="account_inactive")
    raw = "".join(secrets.choice(LINK_CODE_ALPHABET) for _i in range(LINK_CODE_LENGTH))
    code = f"{raw[:4]}-{raw[4:]}"
    with transaction.atomic():
        row = AccountLinkCode.objects.create(
            account=account,
            organization=roles.organization_of(actor),
            issued_by=actor,
            code_hash=link_code_digest(code),
            expires_at=timezone.now() + dt.timedelta(days=settings.RESIDENTS_LINK_CODE_DAYS),
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=account,
            changes={"link_code": [None, f"issued #{row.pk}"]},
        )
    return row, code
