"""Small helpers every app's pages share: a page of a list, the query string without the page,
the map's settings, an ApplicationError shown on a Django form, and the safe ``next`` target."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

PAGE_SIZE = 25


def page(request, queryset, per_page=PAGE_SIZE):
    """The page of ``queryset`` the ``page`` parameter asks for (the last one when it is past
    the end, the first when it is not a number). Every list page uses this and renders the
    pager with ``{% include "web/_pager.html" %}``."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def querystring(request, drop=("page",)):
    """The current filters, for the pager's links."""
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def map_settings():
    """Tile source and centre of every Leaflet map (a city intranet may run its own tiles)."""
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": list(settings.MAP_CENTER),
    }


def apply_errors(form, error, *, rename=None):
    """Put an ApplicationError on the form: its sentence on top, its per-field messages next
    to the fields (messages of fields the form lacks go on top too). ``rename`` maps a
    service's field name to the form's (``{"premises": "flat"}``). The one helper of every
    page that shows a service's refusal on a form."""
    rename = rename or {}
    form.add_error(None, error.message)
    for field, messages in (error.fields or {}).items():
        name = rename.get(field, field)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def next_url(request, default: str) -> str:
    """The ``next`` parameter of ``request`` (POST, then GET) if it points into this site, else
    ``default`` (a URL name or path). The one check of every page that returns to a caller's
    address: ``//evil.example``, ``/\\evil.example``, ``https://evil.example`` and
    ``javascript:`` fall back (S7)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default if default.startswith("/") else reverse(default)


def redirect_next(request, default: str):
    return redirect(next_url(request, default))
