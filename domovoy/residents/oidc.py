"""The ЕСИА (Госуслуги) seam: sign-in through an OpenID Connect provider with
mozilla-django-oidc, switched on only when the OIDC_* settings are set (docs/operations.md).

ЕСИА itself signs its client secrets with GOST keys and is usually reached through a bridge
that speaks plain OpenID Connect (docs/decisions.md); whatever answers at the configured
endpoints, the rules here are the same:
- only claims the provider marks verified count (``email_verified``,
  ``phone_number_verified``; a provider that sends no such flag is trusted when
  OIDC_TRUST_UNVERIFIED_CLAIMS is on);
- a person is matched to an existing RESIDENT by the verified e-mail, else by the verified
  phone; a claim that matches staff (an employee's login) is refused, never taken over;
  several matches are refused;
- nobody matched: a new resident is created with the names and contacts of the claims and no
  usable password (they may set one later through the profile's contacts).
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from domovoy.core import phones
from domovoy.directory.models import User
from domovoy.directory.services import _unique_username

log = logging.getLogger(__name__)


def oidc_enabled() -> bool:
    """Every endpoint and the client id are set."""
    return all(
        (
            settings.OIDC_RP_CLIENT_ID,
            settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
            settings.OIDC_OP_TOKEN_ENDPOINT,
            settings.OIDC_OP_USER_ENDPOINT,
        )
    )


def _verified(claims, flag) -> bool:
    value = claims.get(flag)
    if value is None:
        return bool(settings.OIDC_TRUST_UNVERIFIED_CLAIMS)
    return value is True or str(value).lower() == "true"


def verified_contacts(claims) -> tuple[str, str]:
    """(e-mail, E.164 phone) from the claims, each "" unless present and verified."""
    email = str(claims.get("email") or "").strip().lower()
    if not _verified(claims, "email_verified"):
        email = ""
    phone = ""
    raw = claims.get("phone_number") or claims.get("mobile") or ""
    if raw and _verified(claims, "phone_number_verified"):
        try:
            phone = phones.normalize(raw)
        except ValidationError:
            phone = ""
    return email, phone


class ResidentOIDCBackend(OIDCAuthenticationBackend):
    """Residents through the configured provider; inert when it is not configured (Django asks
    every backend on every password login)."""

    def __init__(self, *args, **kwargs):
        self.enabled = oidc_enabled()
        if self.enabled:
            super().__init__(*args, **kwargs)
        else:
            from django.contrib.auth import get_user_model

            self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not self.enabled or request is None or "password" in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException, ValueError) as exc:
            # A forged or foreign token, a provider that is down or answers nonsense: no
            # sign-in, the callback sends the person back to the login page with a sentence.
            log.warning("OIDC sign-in failed: %s", exc)
            return None

    def verify_token(self, token, **kwargs):
        """The signature and nonce (the library), and the audience: a token minted for
        another client of the same provider is refused (the library leaves ``aud`` unchecked)."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The id token is for another client")
        return payload

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()

    def verify_claims(self, claims):
        email, phone = verified_contacts(claims)
        return bool(claims.get("sub")) and bool(email or phone)

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            return None
        email, phone = verified_contacts(claims)
        for field, value in (("email__iexact", email), ("phone", phone)):
            if not value:
                continue
            found = list(User.objects.filter(**{field: value})[:2])
            if not found:
                continue
            if len(found) > 1 or any(not u.is_resident or _is_employee(u) for u in found):
                # Several accounts, or staff: never taken over by an outside login.
                log.warning("OIDC sign-in refused: the claims match staff or several accounts")
                return None
            return self.update_user(found[0], claims)
        return self.create_user(claims)

    def create_user(self, claims):
        email, phone = verified_contacts(claims)
        user = User(
            username=_unique_username(f"esia.{str(claims.get('sub'))[:20]}"),
            email=email,
            phone=phone,
            last_name=str(claims.get("family_name") or "")[:150],
            first_name=str(claims.get("given_name") or "")[:150],
            middle_name=str(claims.get("middle_name") or "")[:150],
            is_resident=True,
        )
        user.set_unusable_password()
        user.save()
        return user

    def update_user(self, user, claims):
        """Fill what the resident has not got yet (a verified e-mail or phone)."""
        email, phone = verified_contacts(claims)
        changed = []
        if email and not user.email and not User.objects.filter(email__iexact=email).exists():
            user.email, changed = email, [*changed, "email"]
        if phone and not user.phone and not User.objects.filter(phone=phone).exists():
            user.phone, changed = phone, [*changed, "phone"]
        if changed:
            user.save(update_fields=changed)
        return user


def _is_employee(user) -> bool:
    from domovoy.directory.models import Employee

    return Employee.objects.filter(user=user).exists()


class _EnabledOnly:
    def dispatch(self, request, *args, **kwargs):
        if not oidc_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class AuthenticateView(_EnabledOnly, OIDCAuthenticationRequestView):
    """Sends the visitor to the provider (404 while the seam is off)."""

    def __init__(self, *args, **kwargs):
        # The parent reads the settings when the view is made; made per request here.
        if oidc_enabled():
            super().__init__(*args, **kwargs)


class CallbackView(_EnabledOnly, OIDCAuthenticationCallbackView):
    """The provider's answer: signed in, or back to the login page with a sentence."""

    @property
    def failure_url(self):
        return reverse("login")

    def login_failure(self):
        messages.error(
            self.request,
            _("Не удалось войти через %(name)s. Попробуйте ещё раз или войдите с паролем.")
            % {"name": settings.OIDC_PROVIDER_NAME},
        )
        return super().login_failure()
