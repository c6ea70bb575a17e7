"""Token authentication for integrations: knox tokens, logged on use, refused outside the
agreement's validity; scopes are checked by ``TokenScopePermission`` and the agreement's
territory is exposed to selectors by ``token_territory``."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework import exceptions, permissions

from .models import TokenUse


class LoggedTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        agreement = getattr(user, "integration", None)
        if agreement is not None and not agreement.is_valid_on():
            raise exceptions.AuthenticationFailed(_("Срок действия соглашения об интеграции истёк"))
        token_use_log(token=token, agreement=agreement, request=request)
        return result


def token_use_log(*, token, agreement, request):
    """S1 «their use is logged»: one row per call with a token."""
    TokenUse.objects.create(
        token_key=token.token_key,
        agreement=agreement,
        method=request.method,
        path=request.get_full_path()[:500],
    )


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
