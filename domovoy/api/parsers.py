"""The API's JSON parser (S7): the one place that bounds a JSON body before it is parsed.

It reads at most ``API_JSON_MAX_BYTES`` (+1 to tell) and hands the text to
``core.bounds.json_loads``, which refuses a nesting deeper than ``API_JSON_MAX_DEPTH``
(Python's ``json`` recurses per level: 50,000 levels were a ``RecursionError``, a 500). Each
refusal is a ``ParseError``: a 400 in the project's JSON error format (``api.errors``). Set as
the default parser in settings.REST_FRAMEWORK; views that list parsers use it too."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from domovoy.core import bounds


class BoundedJSONParser(JSONParser):
    """``application/json`` with a cap on the body size and on the nesting depth."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = bounds.json_max_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(
                _("Тело запроса больше %(n)d байт") % {"n": limit}, code="body_too_large"
            )
        try:
            return bounds.json_loads(raw.decode(encoding))
        except bounds.JSONTooDeep as exc:
            raise ParseError(str(exc), code="json_too_deep")
        except (ValueError, LookupError) as exc:
            raise ParseError(_("Неверный JSON: %(e)s") % {"e": exc}, code="parse_error")
