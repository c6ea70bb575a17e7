"""Token authentication for integrations: knox tokens, logged on use, refused outside the
agreement's validity; scopes are checked by ``TokenScopePermission``."""

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
            raise exceptions.AuthenticationFailed("Срок действия соглашения об интеграции истёк")
        TokenUse.objects.create(
            token_key=token.token_key, agreement=agreement, method=request.method,
            path=request.get_full_path()[:500],
        )
        return result


def integration_of(request):
    """The agreement behind a token-authenticated request, or None for a person's session."""
    if request.auth is None or not hasattr(request.auth, "token_key"):
        return None
    return getattr(request.user, "integration", None)


class TokenScopePermission(permissions.BasePermission):
    """Tokens act only within the operations of their agreement. A view names its area in
    ``scope_area`` ("directory"); safe methods need ":read", others ":write"."""

    message = "Операция не разрешена соглашением об интеграции"

    def has_permission(self, request, view):
        agreement = integration_of(request)
        if agreement is None:
            return True
        area = getattr(view, "scope_area", None)
        if area is None:
            return False
        need = f"{area}:{'read' if request.method in permissions.SAFE_METHODS else 'write'}"
        return need in agreement.scopes
