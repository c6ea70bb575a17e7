"""The resident pages as an installable web app (N1: «the resident pages install as a mobile
web app», M; issue 11): the web manifest, the site's one service worker and its offline page.

- The manifest (``application/manifest+json``) opens the resident cabinet, standalone, with
  the icons drawn by scripts/make_pwa_icons.py.
- The worker is served here rather than from /static/ so that, with the
  ``Service-Worker-Allowed: /`` header, its scope is the whole site: it answers a page the
  network cannot fetch with the offline page. It caches only that page and the static shell
  (no personal data: the offline page is fetched without cookies and names nobody; pages and
  API answers are never stored). It also shows web pushes (the channel of ``adapters``).
- Every URL is same-origin, so django-csp's ``default-src 'self'`` covers the manifest and
  the worker (``manifest-src`` and ``worker-src`` fall back to it) and the offline page has no
  inline script.
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

THEME_COLOR = "#0d6efd"  # Bootstrap's primary, the navbar's colour
BACKGROUND_COLOR = "#f6f7f9"  # web/domovoy.css body
ICONS = (("notifications/icons/icon-192.png", 192), ("notifications/icons/icon-512.png", 512))
# What the worker keeps for offline use, beside the offline page: the look of it, no data.
SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "web/domovoy.css",
    "notifications/icons/icon-192.png",
)
# Change to make every installed worker drop its cache and fetch the shell again.
SHELL_VERSION = "1"


def start_url() -> str:
    return reverse("servicedesk:resident_list")


def manifest_data() -> dict:
    icons = []
    for path, size in ICONS:
        for purpose in ("any", "maskable"):  # the icons are full bleed with a safe zone
            icons.append(
                {
                    "src": static(path),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": purpose,
                }
            )
    return {
        "id": start_url(),
        "name": _("Домовой — кабинет жителя"),
        "short_name": _("Домовой"),
        "description": _("Заявки в управляющую компанию, отключения и уведомления"),
        "lang": "ru",
        "dir": "ltr",
        "start_url": start_url(),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }


@require_safe
@cache_control(max_age=3600, public=True)
def manifest(request):
    return JsonResponse(
        manifest_data(),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def shell_urls() -> list[str]:
    return [reverse("notifications:offline"), *(static(path) for path in SHELL_STATIC)]


@require_safe
@cache_control(no_cache=True)
def service_worker(request):
    shell = shell_urls()
    version = hashlib.sha256(json.dumps([SHELL_VERSION, shell]).encode()).hexdigest()[:12]
    body = render_to_string(
        "notifications/sw.js",
        {
            "cache_name": f"domovoy-shell-{version}",
            "offline_url": json.dumps(reverse("notifications:offline")),
            "shell": json.dumps(shell),
            "inbox_url": json.dumps(reverse("notifications:inbox")),
        },
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request):
    """What an installed app shows when the network is down; the same for everyone (it is
    stored by the worker, so it must name nobody: no menu, no user)."""
    return HttpResponse(render_to_string("notifications/offline.html", {"start_url": start_url()}))
