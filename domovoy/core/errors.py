"""Typed refusals of the services, and the ONE mapping from a refusal to an HTTP status.

A service that refuses an action raises one of:

- ``Invalid`` (400): the caller's input is wrong or incomplete (``fields`` names the fields);
- ``Forbidden`` (403): the caller is not the party that may do this;
- ``NotFound`` (404): the object is not there (or not for this caller);
- ``Conflict`` (409): the object's state does not allow it now (a status, a guard, a deleted
  request, something already done);
- ``Stale`` (409): the object changed since the caller saw it (a version mismatch).

All are ``ServiceError``; nothing was changed. ``http_status`` is the one place that turns a
refusal into a status code: the API's exception handler (``domovoy.api.errors``) and the pages'
``domovoy.web.middleware.ServiceErrorMiddleware`` both ask it.

``ApplicationError`` and ``PermissionDeniedError`` are the old names, kept as aliases: apps not
yet converted raise ``ApplicationError(..., status_code=409)``, which ``http_status`` honours.
"""

from django.utils.translation import gettext_lazy

FORBIDDEN_MESSAGE = gettext_lazy("Недостаточно прав для этого действия")
NOT_FOUND_MESSAGE = gettext_lazy("Не найдено")
STALE_MESSAGE = gettext_lazy(
    "Данные только что изменил другой пользователь. Обновите страницу и повторите действие."
)


class ServiceError(Exception):
    """A business rule refused the action. Nothing was changed.

    ``code`` is a stable machine code, ``message`` a human sentence, ``fields`` maps a field
    name to its messages (for forms and the API's ``fields`` object). ``status_code`` is the
    legacy per-instance override of the class's status (old ``ApplicationError`` callers); new
    code raises the subclass that says what happened instead.
    """

    status_code = 400
    default_code = "invalid"

    def __init__(self, message, *, code=None, fields=None, status_code=None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = fields or {}
        if status_code:
            self.status_code = status_code


class Invalid(ServiceError):
    status_code = 400
    default_code = "invalid"


class Forbidden(ServiceError):
    status_code = 403
    default_code = "forbidden"

    def __init__(self, message=FORBIDDEN_MESSAGE, *, code=None, fields=None):
        super().__init__(message, code=code, fields=fields)


class NotFound(ServiceError):
    status_code = 404
    default_code = "not_found"

    def __init__(self, message=NOT_FOUND_MESSAGE, *, code=None, fields=None):
        super().__init__(message, code=code, fields=fields)


class Conflict(ServiceError):
    status_code = 409
    default_code = "conflict"


class Stale(Conflict):
    default_code = "stale"

    def __init__(self, message=STALE_MESSAGE, *, code=None, fields=None):
        super().__init__(message, code=code, fields=fields)


# The old names (many apps raise them; servicedesk uses the typed ones).
ApplicationError = ServiceError
PermissionDeniedError = Forbidden


def http_status(exc: ServiceError) -> int:
    """THE mapping of a refusal to an HTTP status: the class says it (Invalid 400, Forbidden
    403, NotFound 404, Conflict and Stale 409); an old-style ``status_code=`` given to the
    instance wins, so unconverted apps keep their codes."""
    return int(getattr(exc, "status_code", 400) or 400)
