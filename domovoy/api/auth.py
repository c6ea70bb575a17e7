"""Token authentication for integrations: knox tokens, logged on use, refused outside the
agreement's validity; scopes are checked by ``TokenScopePermission`` and the agreement's
territory is exposed to selectors by ``token_territory``."""

import atexit
import binascii
import datetime as dt
import os
import threading
import time
from dataclasses import dataclass
from hmac import compare_digest

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions, permissions

from domovoy.core.process_cache import ProcessCache, copy_rows
from domovoy.directory import roles

from .models import TokenUse


class LoggedTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        agreement = getattr(user, "integration", None)  # read with the token
        if agreement is not None and not agreement.is_valid_on():
            raise exceptions.AuthenticationFailed(_("Срок действия соглашения об интеграции истёк"))
        token_use_log(token=token, agreement=agreement, request=request)
        return result

    def authenticate_credentials(self, token: bytes):
        """knox's check (the digest compared in constant time, expiry, an active user) with
        the user, their agreement and its territory read in the same query as the token.
        A verified token is kept in this process (``verified_tokens``, keyed by its digest)
        for a few seconds: the next calls with it ask the database nothing; each call gets its
        own copy of the rows and checks the expiry and the user again."""
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (TypeError, ValueError, binascii.Error):
            raise exceptions.AuthenticationFailed() from None  # DRF's own (translated) message
        kept = verified_tokens.get(digest, lambda: self._verified_row(text, digest))
        auth_token = copy_rows(kept)
        if self._cleanup_token(auth_token):
            raise exceptions.AuthenticationFailed()  # expired: knox has deleted it
        if knox_settings.AUTO_REFRESH and auth_token.expiry:
            self.renew_token(auth_token)
        _note_no_employee(auth_token.user)
        return self.validate_user(auth_token)

    def _verified_row(self, text: str, digest: str):
        candidates = AuthToken.objects.filter(
            token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user__integration__territory", "user__employee")
        for auth_token in candidates:
            if compare_digest(digest, auth_token.digest):
                return auth_token
        raise exceptions.AuthenticationFailed()

    def _cleanup_token(self, auth_token) -> bool:
        """knox deletes the user's other expired tokens on every call (a query each time):
        here once a minute per user and process; the token used is always checked."""
        expired = auth_token.expiry is not None and auth_token.expiry < timezone.now()
        if expired or _sweep_due(auth_token.user_id):
            return super()._cleanup_token(auth_token)
        return False


# --- Verified tokens, kept per process --------------------------------------------------------
# A token's rows (token, user, employee, agreement, territory) live here ``TOKEN_CACHE_TTL``
# seconds at most; a save or delete of any of those models (a token revoked or logged out, a
# user deactivated, an agreement changed) makes every kept token stale here at once and in the
# other processes within a second (``core.process_cache``). A login only stamps
# ``last_login``: that save changes nothing kept.

TOKEN_CACHE_TTL = 30
verified_tokens = ProcessCache("api-tokens", ttl=TOKEN_CACHE_TTL, max_entries=10_000)


def _only_last_login(sender, kwargs) -> bool:
    fields = kwargs.get("update_fields")
    return fields is not None and set(fields) <= {"last_login"}


def connect_signals() -> None:
    from django.contrib.auth import get_user_model

    from domovoy.directory.models import Employee, Territory

    from .models import IntegrationAgreement

    verified_tokens.connect(
        AuthToken, get_user_model(), Employee, IntegrationAgreement, Territory,
        skip=_only_last_login,
    )  # fmt: skip


def _note_no_employee(user) -> None:
    """An integration account is seldom an employee: when the token's query found no active
    employee row, the roles need not ask again (``roles.employee_of``)."""
    employee = getattr(user, "employee", None)
    if employee is None or not employee.is_active:
        roles.remember_employee(user, None)


SWEEP_SECONDS = 60
_swept: dict[int, float] = {}


def _sweep_due(user_id: int) -> bool:
    now = time.monotonic()
    with _uses_lock:
        if now - _swept.get(user_id, -SWEEP_SECONDS) < SWEEP_SECONDS:
            return False
        _swept[user_id] = now
        return True


# --- The use log (S1), per minute -------------------------------------------------------------
# The first call of a minute with a token, method and path writes its row at once (the use is
# logged before the call is served); the next calls of that minute only count in this process,
# and the count reaches the row every ``USE_FLUSH_CALLS`` calls, at the first call after the
# minute, when the log is read (``token_use_flush``) and when the process exits.

USE_FLUSH_CALLS = 50


@dataclass
class _MinuteUse:
    row_id: int
    token_key: str
    minute: dt.datetime
    pending: int = 0


_uses: dict[tuple, _MinuteUse] = {}
_uses_lock = threading.Lock()


def token_use_log(*, token, agreement, request):
    """S1 «their use is logged»: one row per token, method and path a minute, with a count."""
    minute = timezone.now().replace(second=0, microsecond=0)
    path = request.get_full_path()[:500]
    key = (token.token_key, getattr(agreement, "pk", None), request.method, path)
    with _uses_lock:
        use = _uses.get(key)
        if use is not None and use.minute == minute:
            use.pending += 1
            if use.pending >= USE_FLUSH_CALLS:
                _flush([use])
            return
        _flush([u for u in _uses.values() if u.minute < minute], forget_before=minute)
        row = TokenUse.objects.create(
            token_key=token.token_key, agreement=agreement, method=request.method, path=path
        )
        _uses[key] = _MinuteUse(row.pk, token.token_key, minute)


def token_use_flush() -> None:
    """Add the calls this process has counted to their rows (before the log is read)."""
    with _uses_lock:
        minute = timezone.now().replace(second=0, microsecond=0)
        _flush(list(_uses.values()), forget_before=minute)


def _flush(uses, *, forget_before=None) -> None:
    for use in uses:
        if use.pending:
            # A row deleted (or rolled back) meanwhile loses the calls counted for it; the token
            # in the filter keeps a reused id of another row from getting them.
            TokenUse.objects.filter(pk=use.row_id, token_key=use.token_key).update(
                count=F("count") + use.pending
            )
            use.pending = 0
    if forget_before is not None:
        for key in [k for k, u in _uses.items() if u.minute < forget_before]:
            del _uses[key]


def _flush_at_exit() -> None:
    try:
        token_use_flush()
    except Exception:  # the database may be gone at exit; the rows themselves are written
        pass


atexit.register(_flush_at_exit)


def _forget_in_child() -> None:
    """A forked child starts with no counts of its own (the parent writes its own)."""
    _uses.clear()
    _swept.clear()


os.register_at_fork(after_in_child=_forget_in_child)


def integration_of(request):
    """The agreement behind a token-authenticated request, or None for a person's session
    (and for a plain Django request of a page)."""
    auth = getattr(request, "auth", None)
    if auth is None or not hasattr(auth, "token_key"):
        return None
    return getattr(request.user, "integration", None)


def token_territory(request):
    """The territory an integration token is limited to by its agreement, or None (a person's
    session, or an agreement for the whole system). Selectors narrow querysets with it:
    ``qs.filter(territory__path__startswith=t.path)`` when it is not None."""
    agreement = integration_of(request)
    if agreement is None or agreement.territory_id is None:
        return None
    return agreement.territory


class TokenScopePermission(permissions.BasePermission):
    """Tokens act only within the operations of their agreement. A view names its area in
    ``scope_area`` ("directory"); safe methods need ":read", others ":write"."""

    message = gettext_lazy("Операция не разрешена соглашением об интеграции")

    def has_permission(self, request, view):
        agreement = integration_of(request)
        if agreement is None:
            return True
        area = getattr(view, "scope_area", None)
        if area is None:
            return False
        need = f"{area}:{'read' if request.method in permissions.SAFE_METHODS else 'write'}"
        return need in agreement.scopes


class SessionOnly(permissions.BasePermission):
    """A person's session only: integration tokens may not call this endpoint at all."""

    message = gettext_lazy("Операция недоступна по токену интеграции")

    def has_permission(self, request, view):
        return integration_of(request) is None


class LoggedTokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: integrations send ``Authorization: Token <token>``."""

    target_class = LoggedTokenAuthentication
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix=self.target.authenticate_header(None),
        )
