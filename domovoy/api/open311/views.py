"""The GeoReport v2 endpoints (S6). Thin views: reads through ``selectors``, intake through the
one intake service (``conversation.service_request_create_with_files``, as the REST API's
POST /api/v1/requests/). Every refusal answers the specification's error list
``[{code, description}]`` in the format the path asks for, with 400, 403, 404 or 429.

- ``api_key`` (a parameter, as the specification has it) is an integration token; filing a
  request needs its agreement's ``requests:write`` and is throttled like the REST intake.
- Reads need no key: they carry no personal data (no names, phones or flat numbers; free text
  masked by ``privacy.scrub``)."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from domovoy.api.auth import LoggedTokenAuthentication, integration_of, token_territory
from domovoy.api.auth import token_use_log as _token_use_log
from domovoy.api.errors import exception_handler
from domovoy.api.parsers import BoundedJSONParser
from domovoy.api.throttles import ScopedRateThrottle
from domovoy.core.errors import Invalid, NotFound, ServiceError
from domovoy.servicedesk import conversation
from domovoy.servicedesk.models import Channel

from . import privacy, selectors
from .renderers import FORMATS, render, render_errors

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-05T00:00:00Z"
# The specification's defaults for GET requests: the last 90 days, at most 1000 requests.
DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
MAX_IDS = 100
# The REST intake's bounds (``RequestCreateSerializer``): longer input is refused, not cut.
TEXT_MAX = 5000
NAME_MAX = 200
DEVICE_ID_MAX = 100  # kept as the request's external_id


class ApiKeyAuthentication(LoggedTokenAuthentication):
    """The integration token sent as the ``api_key`` parameter (query or form), checked and
    logged as the ``Authorization: Token`` header is (``LoggedTokenAuthentication``)."""

    def authenticate(self, request):
        key = request.query_params.get("api_key")
        if not key and request.method == "POST":
            data = request.data
            key = data.get("api_key") if hasattr(data, "get") else None
        if not key:
            return None
        if not isinstance(key, str) or len(key) > 200:
            raise exceptions.AuthenticationFailed()
        user, token = self.authenticate_credentials(key.strip().encode("utf-8"))
        agreement = getattr(user, "integration", None)
        if agreement is not None and not agreement.is_valid_on():
            raise exceptions.AuthenticationFailed(_("Срок действия соглашения об интеграции истёк"))
        _token_use_log(token=token, agreement=agreement, request=_WithoutKey(request))
        return user, token


class _WithoutKey:
    """The request as the use log sees it: its path without the ``api_key`` parameter (the log
    must not keep the secret; ``TokenUse.path``)."""

    def __init__(self, request):
        self.method = request.method
        self._request = request

    def get_full_path(self):
        params = self._request.query_params.copy()
        params.pop("api_key", None)
        query = params.urlencode()
        return self._request.path + (f"?{query}" if query else "")


class Negotiation(DefaultContentNegotiation):
    """Parsers by the body's content type; the answer's format is the path's, whatever the
    client's Accept header."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _error_status(exc) -> int:
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return 403
    if isinstance(exc, ServiceError):
        return exc.status_code
    return getattr(exc, "status_code", 400)


def _describe(body: dict) -> str:
    message = str(body.get("message") or "")
    fields = body.get("fields") or {}
    parts = [f"{name}: {'; '.join(msgs)}" for name, msgs in fields.items() if msgs]
    if parts:
        return f"{message} ({'; '.join(parts)})" if message else "; ".join(parts)
    return message


class Open311View(APIView):
    # ``api_key`` as the specification has it, or the REST API's ``Authorization: Token``.
    authentication_classes = [ApiKeyAuthentication, LoggedTokenAuthentication]
    permission_classes = [permissions.AllowAny]
    parser_classes = [FormParser, MultiPartParser, BoundedJSONParser]
    content_negotiation_class = Negotiation
    schema = None  # documented by the GeoReport v2 specification, not in our OpenAPI
    fmt = "json"

    def initial(self, request, *args, **kwargs):
        self.fmt = kwargs.get("fmt", "json")
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        """Every refusal in the specification's format, with our messages."""
        if isinstance(exc, Http404):
            exc = NotFound()
        status = _error_status(exc)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            description = _("Нет api_key, или он неверен, или отозван")
            if isinstance(exc, exceptions.AuthenticationFailed) and "соглашения" in str(exc.detail):
                description = str(exc.detail)
        else:
            response = exception_handler(exc, self.get_exception_handler_context())
            if response is None:
                raise exc
            status = response.status_code
            description = _describe(response.data)
        errors = [{"code": status, "description": description}]
        rendered = render_errors(errors, fmt=self.fmt, status=status)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            rendered["Retry-After"] = str(math.ceil(exc.wait))
        return rendered


# --- Discovery and services ------------------------------------------------------------------


class DiscoveryView(Open311View):
    def get(self, request, fmt):
        base = request.build_absolute_uri(reverse("open311:root"))
        data = {
            "changeset": CHANGESET,
            "contact": settings.DEFAULT_FROM_EMAIL,
            "key_service": _(
                "Ключ (api_key) выдаёт технический оператор по соглашению об интеграции"
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": list(FORMATS.values()),
                }
            ],
        }
        return render(data, fmt=fmt, root="discovery")


def _keywords(topic) -> str:
    words = []
    if topic.is_emergency:
        words.append(_("аварийная"))
    if topic.resource:
        words.append(str(topic.get_resource_display()))
    words.append(str(topic.get_handler_kind_display()))
    return ", ".join(words)


def _service(topic) -> dict:
    return {
        "service_code": topic.code,
        "service_name": topic.name,
        "description": _("Срок исполнения: %(deadline)s") % {"deadline": topic.deadline_text},
        "metadata": False,  # no topic needs attributes beyond the request's own fields
        "type": "realtime",
        "keywords": _keywords(topic),
        "group": topic.parent.name if topic.parent_id else "",
    }


class ServiceListView(Open311View):
    def get(self, request, fmt):
        return render([_service(t) for t in selectors.services()], fmt=fmt, root="services")


class ServiceDefinitionView(Open311View):
    def get(self, request, code, fmt):
        topic = selectors.service(code)
        if topic is None:
            raise NotFound(_("Нет услуги с кодом «%(code)s»") % {"code": code[:60]})
        data = {"service_code": topic.code, "attributes": []}
        return render(data, fmt=fmt, root="service_definition")


# --- Requests --------------------------------------------------------------------------------


def _request(sr) -> dict:
    """A request as the public may read it: no names, phones or flat numbers."""
    building = sr.building
    return {
        "service_request_id": sr.number,
        "status": selectors.open311_status(sr.status),
        "status_notes": _status_notes(sr),
        "service_name": sr.topic.name,
        "service_code": sr.topic.code,
        "description": privacy.scrub(sr.text, known=privacy.known_personal(sr)),
        "agency_responsible": sr.executor_org.short_name if sr.executor_org_id else "",
        "service_notice": "",
        "requested_datetime": timezone.localtime(sr.created_at),
        "updated_datetime": timezone.localtime(sr.updated_at),
        "expected_datetime": timezone.localtime(sr.deadline_at) if sr.deadline_at else None,
        "address": building.address,
        "address_id": building.pk,
        "zipcode": building.postal_code,
        "lat": building.latitude,
        "long": building.longitude,
        "media_url": "",
    }


def _status_notes(sr) -> str:
    from domovoy.servicedesk.resident_words import status_word

    return status_word(sr.status)


def _date_param(request, name, *, end=False) -> dt.datetime | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    if value is None and "T" not in raw:
        day = _safe(parse_date, raw)
        if day is not None:
            value = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    if value is None:
        raise Invalid(
            _("%(name)s: дата не распознана; нужен формат ISO 8601 (2026-12-01T00:00:00+03:00)")
            % {"name": name},
            fields={name: [raw[:40]]},
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _safe(parse, raw):
    try:
        return parse(raw)
    except ValueError:
        return None


def _list_param(request, name) -> list[str]:
    """A comma-separated parameter; more than ``MAX_IDS`` values are refused."""
    raw = request.query_params.get(name, "")
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if len(values) > MAX_IDS:
        raise Invalid(
            _("Слишком много значений %(name)s: не больше %(n)s") % {"name": name, "n": MAX_IDS}
        )
    return values


class RequestListView(Open311View):
    throttle_scope = "intake"

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get(self, request, fmt):
        qs = selectors.public_requests()
        ids = _list_param(request, "service_request_id")
        if ids:
            # The specification: with ids, the other parameters are ignored.
            qs = qs.filter(number__in=ids)
        else:
            qs = self.filtered(request, qs)
        rows = [_request(sr) for sr in qs[:MAX_REQUESTS]]
        return render(rows, fmt=fmt, root="service_requests")

    def filtered(self, request, qs):
        start = _date_param(request, "start_date")
        end = _date_param(request, "end_date", end=True)
        if start and end and start > end:
            raise Invalid(
                _("start_date позже end_date"),
                fields={"start_date": [request.query_params["start_date"][:40]]},
            )
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lte=end)
        codes = _list_param(request, "service_code")
        if codes:
            known = selectors.existing_codes(codes)
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise Invalid(
                    _("Неизвестный service_code: %(codes)s")
                    % {"codes": ", ".join(c[:60] for c in unknown[:5])}
                )
            qs = qs.filter(topic__code__in=codes)
        statuses = _list_param(request, "status")
        if statuses:
            wrong = [s for s in statuses if s not in ("open", "closed")]
            if wrong:
                raise Invalid(_("status: допустимы значения open и closed"))
            allowed = set()
            for s in statuses:
                allowed |= selectors.statuses_of(s)
            qs = qs.filter(status__in=allowed)
        return qs

    def post(self, request, fmt):
        agreement = integration_of(request)
        if agreement is None:
            raise exceptions.NotAuthenticated()
        if "requests:write" not in agreement.scopes:
            raise exceptions.PermissionDenied(
                _("Соглашение об интеграции не разрешает подавать заявки (requests:write)")
            )
        data = request.data
        get = data.get if hasattr(data, "get") else (lambda _k, _d=None: None)
        code = str(get("service_code") or "").strip()
        if not code:
            raise Invalid(_("Не указан service_code"), fields={"service_code": [""]})
        topic = selectors.service(code)
        if topic is None:
            raise Invalid(
                _("Нет услуги с кодом «%(code)s»") % {"code": code[:60]},
                fields={"service_code": [code[:60]]},
            )
        building = _building(get)
        territory = token_territory(request)
        if territory is not None and not (
            building.territory_id and building.territory.path.startswith(territory.path)
        ):
            raise Invalid(
                _("Дом вне территории соглашения об интеграции"),
                fields={"address": [building.address]},
            )
        text = str(get("description") or "")
        if len(text) > TEXT_MAX:
            raise Invalid(
                _("description длиннее %(n)s символов") % {"n": TEXT_MAX},
                fields={"description": [str(len(text))]},
            )
        name = " ".join(
            str(get(k) or "").strip() for k in ("last_name", "first_name") if get(k)
        ).strip()
        if len(name) > NAME_MAX:
            raise Invalid(
                _("first_name и last_name вместе длиннее %(n)s символов") % {"n": NAME_MAX},
                fields={"last_name": [str(len(name))]},
            )
        device_id = str(get("device_id") or "").strip()
        if len(device_id) > DEVICE_ID_MAX:
            raise Invalid(
                _("device_id длиннее %(n)s символов") % {"n": DEVICE_ID_MAX},
                fields={"device_id": [str(len(device_id))]},
            )
        sr = conversation.service_request_create_with_files(
            files=(),
            building=building,
            premises=None,
            topic=topic,
            text=text,
            channel=Channel.API,
            author=request.user,
            caller_name=name,
            phone=str(get("phone") or ""),
            actor=request.user,
            external_system=agreement.system_name[:50],
            external_id=device_id,
        )
        notice = _("Заявка принята; срок исполнения — %(deadline)s") % {
            "deadline": timezone.localtime(sr.deadline_at).strftime("%d.%m.%Y %H:%M")
        }
        body = [
            {
                "service_request_id": sr.number,
                "token": sr.number,
                "service_notice": notice,
                "account_id": None,
            }
        ]
        return render(body, fmt=fmt, root="service_requests")


def _float(get, name) -> float:
    raw = get(name)
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError):
        raise Invalid(
            _("%(name)s: нужно число в градусах") % {"name": name}, fields={name: [str(raw)[:40]]}
        ) from None
    if not math.isfinite(value):
        raise Invalid(_("%(name)s: нужно число в градусах") % {"name": name})
    return value


def _building(get):
    """The building of the request: ``address_id``, else ``lat``+``long`` (the nearest building
    within ``selectors.MATCH_METRES``), else ``address_string`` (exactly one building)."""
    address_id = str(get("address_id") or "").strip()
    if address_id:
        building = selectors.building_by_id(address_id) if address_id.isdigit() else None
        if building is None:
            raise Invalid(
                _("Нет дома с address_id «%(id)s»") % {"id": address_id[:20]},
                fields={"address_id": [address_id[:20]]},
            )
        return building
    if get("lat") not in (None, "") or get("long") not in (None, ""):
        lat, lon = _float(get, "lat"), _float(get, "long")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Invalid(_("lat/long вне допустимых значений"), fields={"lat": [str(lat)]})
        match = selectors.building_at(lat, lon)
        if not match.in_city:
            raise Invalid(
                _("Точка %(lat)s, %(long)s вне города: заявки принимаются по домам реестра")
                % {"lat": lat, "long": lon},
                fields={"lat": [str(lat)], "long": [str(lon)]},
            )
        if match.building is None:
            raise Invalid(
                _("В %(m)s м от точки нет дома из реестра; укажите address_string или address_id")
                % {"m": selectors.MATCH_METRES},
                fields={"lat": [str(lat)], "long": [str(lon)]},
            )
        return match.building
    text = str(get("address_string") or "").strip()[:300]
    if text:
        found = selectors.buildings_of_address(text)
        if not found:
            raise Invalid(
                _("Дом по адресу «%(a)s» не найден в реестре") % {"a": text[:100]},
                fields={"address_string": [text[:100]]},
            )
        if len(found) > 1:
            raise Invalid(
                _("Адрес «%(a)s» подходит к нескольким домам; уточните его или укажите address_id")
                % {"a": text[:100]},
                fields={"address_string": [text[:100]]},
            )
        return selectors.building_by_id(found[0].pk)
    raise Invalid(
        _("Укажите место: lat и long, address_string или address_id"),
        fields={"address_string": [""]},
    )


def _one_request(sr_id: str):
    sr = selectors.public_requests().filter(number=sr_id).first()
    if sr is None:
        raise NotFound(_("Нет заявки «%(id)s»") % {"id": sr_id[:40]})
    return sr


class RequestDetailView(Open311View):
    def get(self, request, sr_id, fmt):
        return render([_request(_one_request(sr_id))], fmt=fmt, root="service_requests")


class TokenView(Open311View):
    """Intake is synchronous: the token a POST returns is the request's id itself."""

    def get(self, request, token, fmt):
        sr = _one_request(token)
        body = [{"service_request_id": sr.number, "token": token}]
        return render(body, fmt=fmt, root="service_requests")


class UpdateListView(Open311View):
    """The ``servicerequestupdates`` extension: public comments of requests (never internal
    notes), with ``service_request_id`` (comma-separated) or else over the dates."""

    def get(self, request, fmt):
        ids = _list_param(request, "service_request_id")
        start = _date_param(request, "start_date")
        end = _date_param(request, "end_date", end=True)
        if start and end and start > end:
            raise Invalid(_("start_date позже end_date"))
        qs = selectors.public_requests()
        if ids:
            qs = qs.filter(number__in=ids)
        elif start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        request_ids = qs.order_by().values("pk")
        comments = selectors.public_updates(request_ids=request_ids, start=start, end=end)
        rows = []
        for c in comments[:MAX_REQUESTS]:
            sr = c.request
            rows.append(
                {
                    "update_id": c.pk,
                    "service_request_id": sr.number,
                    "status": selectors.open311_status(sr.status),
                    "updated_datetime": timezone.localtime(c.created_at),
                    "description": privacy.scrub(c.text, known=privacy.known_personal(sr)),
                    "media_url": "",
                }
            )
        return render(rows, fmt=fmt, root="service_request_updates")


class UnknownFormatView(Open311View):
    def get(self, request, *args, **kwargs):
        raise NotFound(_("Формат не поддерживается: нужен .json или .xml"))

    post = get
