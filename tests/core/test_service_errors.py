"""The ONE mapping of a service's refusal to an HTTP status (issue 10, item 4): the typed
errors of ``core.errors``, the API's exception handler and the pages' middleware agree."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.test import RequestFactory

from domovoy.api.errors import exception_handler
from domovoy.core.errors import (
    ApplicationError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PermissionDeniedError,
    ServiceError,
    Stale,
    http_status,
)
from domovoy.web.middleware import ServiceErrorMiddleware

CASES = [
    (Invalid("Неверно", fields={"comment": ["Обязательное поле"]}), 400, "invalid"),
    (Forbidden(), 403, "forbidden"),
    (NotFound(), 404, "not_found"),
    (Conflict("Статус не тот", code="invalid_status"), 409, "invalid_status"),
    (Stale(), 409, "stale"),
]


@pytest.mark.parametrize(("exc", "status", "code"), CASES)
def test_each_refusal_has_its_status_and_code(exc, status, code):
    assert isinstance(exc, ServiceError)
    assert http_status(exc) == status
    assert exc.code == code
    assert exc.message


def test_stale_is_a_conflict_and_the_old_names_are_aliases():
    assert issubclass(Stale, Conflict)
    assert ApplicationError is ServiceError and PermissionDeniedError is Forbidden
    # Unconverted apps still say their status on the instance; the mapping honours it.
    assert http_status(ApplicationError("Занято", code="busy", status_code=409)) == 409
    assert http_status(ApplicationError("Нет")) == 400


@pytest.mark.parametrize(("exc", "status", "code"), CASES)
def test_the_api_handler_answers_the_mapped_status_with_the_error_body(exc, status, code):
    response = exception_handler(exc, {})
    assert response.status_code == status
    assert response.data == {"code": code, "message": exc.message, "fields": exc.fields}


def _page_request(path):
    request = RequestFactory().post(path)
    request.user = AnonymousUser()
    request.session = SessionBase()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(("exc", "status", "code"), CASES)
def test_the_page_middleware_renders_the_refusal_with_the_same_status(exc, status, code):
    middleware = ServiceErrorMiddleware(lambda request: None)
    response = middleware.process_exception(_page_request("/requests/work/1/act/x/"), exc)
    assert response.status_code == status
    body = response.content.decode()
    assert exc.message in body and f'data-refusal-code="{code}"' in body


@pytest.mark.parametrize(("exc", "status", "code"), CASES)
def test_the_middleware_answers_json_under_the_api_prefix(exc, status, code):
    middleware = ServiceErrorMiddleware(lambda request: None)
    response = middleware.process_exception(_page_request("/api/v1/x/"), exc)
    assert response.status_code == status
    assert json.loads(response.content)["code"] == code


def test_the_middleware_leaves_other_exceptions_alone():
    middleware = ServiceErrorMiddleware(lambda request: None)
    assert middleware.process_exception(_page_request("/"), ValueError("x")) is None
