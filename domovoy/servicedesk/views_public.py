"""Open data pages (R17, S5), no login: the public map and list of requests, the CSV/JSON
download of a period and the photos the residents allowed. Everything shown comes from
``open_data`` (one projection); the setting ``OPEN_DATA_ENABLED`` switches it all off."""

from __future__ import annotations

import datetime as dt
import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from domovoy.core import exports
from domovoy.core.errors import Invalid
from domovoy.web import pages

from . import open_data
from .downloads import attachment_response
from .models import Topic


def _local(value: str):
    return dt.datetime.fromisoformat(value) if value else None


def _enabled():
    if not open_data.enabled():
        raise Http404


@require_GET
def public_requests(request):
    _enabled()
    now = timezone.now()
    error = ""
    try:
        filters = open_data.parse_filters(request.GET)
    except Invalid as exc:
        error = exc.message
        filters = open_data.Filters()
    page = pages.page(request, open_data.public_requests(filters, now=now), per_page=20)
    # The page shows dates the Russian way; the rows stay the one projection.
    rows = [
        {**row, "dates": {k: _local(row[k]) for k in ("filed_at", "deadline_at", "closed_at")}}
        for row in open_data.project(page.object_list, now=now)
    ]
    return render(
        request,
        "servicedesk/public/requests.html",
        {
            "page": page,
            "rows": rows,
            "error": error,
            "params": request.GET,
            "topics": Topic.objects.filter(parent__isnull=True, is_active=True),
            "status_groups": list(open_data.STATUS_GROUPS.items()),
            "points": open_data.map_points(filters, now=now),
            "map": pages.map_settings(),
            "download_query": pages.querystring(request),
        },
        status=400 if error else 200,
    )


@require_GET
def public_download(request):
    """CSV (``format=csv``, the default) or JSON of a period (``from``, ``to`` required)."""
    _enabled()
    fmt = request.GET.get("format", "csv")
    try:
        if fmt not in ("csv", "json"):
            raise Invalid(_("Формат выгрузки — csv или json"), fields={"format": [_("Неверно")]})
        filters = open_data.parse_filters(request.GET, require_period=True)
    except Invalid as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    rows = open_data.project_all(open_data.public_requests(filters))
    name = f"requests-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(rows, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    return exports.csv_response(
        open_data.CSV_HEADER, open_data.csv_rows(rows), filename=f"{name}.csv"
    )


@require_GET
def public_photo(request, number, pk):
    """A photo the resident allowed (its re-encoded thumbnail, no EXIF); 404 otherwise."""
    attachment = open_data.public_photo_get(number=number, pk=pk)
    if attachment is None:
        raise Http404
    response = attachment_response(request, attachment, thumbnail=True)
    response["Cache-Control"] = "public, max-age=300"
    return response
