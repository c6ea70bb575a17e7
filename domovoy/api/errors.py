"""Every API error is JSON ``{"code": ..., "message": ..., "fields": {...}}``."""

from django.core.exceptions import (
    DisallowedRedirect,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from domovoy.core.errors import ServiceError, http_status


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal, for the schema: a machine code, a sentence, the messages per
    field."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(x) for x in detail]}
    return {}


def bad_input_body(exc) -> dict:
    """The JSON error body of a request Django refuses before any view reads it."""
    if isinstance(exc, TooManyFieldsSent):
        return {"code": "too_many_fields", "message": _("Слишком много параметров"), "fields": {}}
    if isinstance(exc, RequestDataTooBig):
        return {"code": "body_too_large", "message": _("Тело запроса слишком велико"), "fields": {}}
    if isinstance(exc, DisallowedRedirect):
        return {"code": "url_too_long", "message": _("Слишком длинный адрес"), "fields": {}}
    return {"code": "bad_request", "message": _("Неверный запрос"), "fields": {}}


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        body = {"code": exc.code, "message": exc.message, "fields": exc.fields}
        return Response(body, status=http_status(exc))
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        return Response(
            {"code": "invalid", "message": "; ".join(exc.messages), "fields": fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, SuspiciousOperation):
        # Thousands of query or form parameters, an oversized body (S7): a 400 like any
        # other bad input, never a 500 or an HTML page.
        return Response(bad_input_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("Проверьте поля запроса"),
            "fields": _flatten(exc.detail),
        }
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": str(code), "message": str(detail), "fields": {}}
    response.data = body
    return response
