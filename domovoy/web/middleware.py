"""A person given a one-time password must set their own before doing anything else (S1)."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from domovoy.core.errors import ServiceError, http_status
from domovoy.web.bad_request import API_PREFIXES

# Paths that stay open while the password is still the one-time one.
_ALLOWED_NAMES = ("password_change", "password_change_done", "logout", "login", "set_language")
_ALLOWED_PREFIXES = ("/static/", "/media/", "/favicon.ico")


class MustChangePasswordMiddleware:
    """After ``AuthenticationMiddleware``: a signed-in user with ``must_change_password`` is
    sent to the password change page from every page; the API answers 403 in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed = None

    def _allowed_paths(self):
        if self._allowed is None:
            paths = set()
            for name in _ALLOWED_NAMES:
                try:
                    paths.add(reverse(name))
                except NoReverseMatch:
                    pass
            self._allowed = paths
        return self._allowed

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and request.path not in self._allowed_paths()
            and not request.path.startswith(_ALLOWED_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "password_change_required",
                        "message": "Смените одноразовый пароль, чтобы продолжить работу",
                        "fields": {},
                    },
                    status=403,
                )
            return redirect("password_change")
        return self.get_response(request)


class ServiceErrorMiddleware:
    """A service's refusal that a page view let through (``core.errors.ServiceError``) becomes
    a small page with the status of ``core.errors.http_status`` (403, 404, 409, 400) — the
    same status the API answers for the same refusal. Under the API's prefixes the body is the
    API's JSON error. Views that show a refusal on their own form catch it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ServiceError):
            return None
        status = http_status(exception)
        body = {"code": exception.code, "message": exception.message, "fields": exception.fields}
        if request.path.startswith(API_PREFIXES):
            return JsonResponse(body, status=status)
        return render(request, "web/refused.html", {"error": exception, **body}, status=status)
