"""One error type for every refused user action; pages show it, the API turns it into JSON."""

from django.utils.translation import gettext_lazy

FORBIDDEN_MESSAGE = gettext_lazy("Недостаточно прав для этого действия")


class ApplicationError(Exception):
    """A business rule refused the action. Nothing was changed.

    ``code`` is a stable machine code, ``message`` a human sentence, ``fields`` maps a field
    name to its messages (for forms and the API's ``fields`` object).
    """

    status_code = 400

    def __init__(self, message, *, code="invalid", fields=None, status_code=None):
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.fields = fields or {}
        if status_code:
            self.status_code = status_code


class PermissionDeniedError(ApplicationError):
    status_code = 403

    def __init__(self, message=FORBIDDEN_MESSAGE, *, code="forbidden"):
        super().__init__(message, code=code)
