"""Issue 11 (N1, «the resident pages install as a mobile web app», M): the web manifest, the
site's one service worker (offline page, web push) and what the base template links."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from domovoy.notifications import pwa
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.req("N1")]
MANIFEST = "/notifications/manifest.webmanifest"
WORKER = "/notifications/sw.js"
OFFLINE = "/notifications/offline/"


def test_the_manifest_is_valid_json_of_its_own_content_type(client):
    answer = client.get(MANIFEST)
    assert answer.status_code == 200
    assert answer["Content-Type"].split(";")[0] == "application/manifest+json"
    data = json.loads(answer.content.decode("utf-8"))
    assert re.search("[А-Яа-яЁё]", data["name"]) and re.search("[А-Яа-я]", data["short_name"])
    assert data["lang"] == "ru"
    assert data["start_url"] == reverse("servicedesk:resident_list") == "/requests/my/"
    assert data["display"] == "standalone" and data["scope"] == "/"
    assert data["theme_color"] == "#0d6efd"
    sizes = {icon["sizes"] for icon in data["icons"] if icon["purpose"] == "any"}
    assert sizes == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert icon["type"] == "image/png" and icon["src"].startswith("/static/")
        with Image.open(finders.find(icon["src"].removeprefix("/static/"))) as image:
            assert (image.format, f"{image.width}x{image.height}") == ("PNG", icon["sizes"])


@pytest.mark.parametrize("path", ["/", "/requests/my/", "/login/"])
def test_pages_link_the_manifest_the_icon_and_the_worker(client, path):
    client.force_login(f.UserFactory(username="pwa-resident", is_resident=True))
    html = client.get(path, follow=True).content.decode()
    assert f'<link rel="manifest" href="{MANIFEST}">' in html
    assert re.search(r'<link rel="apple-touch-icon" href="/static/[^"]+\.png">', html)
    assert f'data-sw="{WORKER}"' in html


def test_the_worker_is_served_for_the_whole_site(client):
    answer = client.get(WORKER)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/javascript")
    # Served below /notifications/, yet its scope may be the whole site.
    assert answer["Service-Worker-Allowed"] == "/"
    assert "no-cache" in answer["Cache-Control"]
    script = answer.content.decode()
    # It is the push worker too (one worker, not two).
    assert 'addEventListener("push"' in script and 'addEventListener("fetch"' in script
    # The registration asks for that scope (pwa.js on every page, push.js on the settings).
    for name in ("pwa.js", "push.js"):
        source = open(finders.find(f"notifications/{name}"), encoding="utf-8").read()
        assert 'scope: "/"' in source
    assert finders.find("notifications/sw.js") is None  # the old /static/ worker is gone


def test_the_worker_caches_only_the_offline_page_and_the_static_shell(client):
    script = client.get(WORKER).content.decode()
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1))
    assert shell[0] == OFFLINE and shell == pwa.shell_urls()
    assert all(url.startswith("/static/") for url in shell[1:])
    assert "cache.put" not in script and ".put(" not in script  # nothing fetched is stored
    assert 'credentials: "omit"' in script  # the shell is fetched as an anonymous visitor


def test_the_offline_page_is_reachable_by_anyone_and_names_nobody(client):
    anonymous = client.get(OFFLINE)
    assert anonymous.status_code == 200
    assert "Нет соединения с интернетом" in anonymous.content.decode()
    user = f.UserFactory(username="ivanova-a", is_resident=True)
    client.force_login(user)
    html = client.get(OFFLINE).content.decode()
    assert html == anonymous.content.decode()
    assert "ivanova-a" not in html and "csrfmiddlewaretoken" not in html


def test_the_csp_allows_the_manifest_and_the_worker(client):
    """The policy is enforced everywhere (django-csp): same-origin manifest and worker pass
    through default-src 'self'; the offline page carries no inline script."""
    for path in (MANIFEST, WORKER, OFFLINE, "/login/"):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(
            (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
        )
        assert directives["default-src"] == ["'self'"]
        for name in ("manifest-src", "worker-src", "child-src"):
            assert name not in directives or "'self'" in directives[name]
    html = client.get(OFFLINE).content.decode()
    assert "<script" not in html and not re.search(r"\son[a-z]+=", html)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_worker_takes_the_site_and_answers_offline(live_server):
    """Chromium registers the worker with the whole site as its scope; with the network down,
    a cabinet page is answered with the offline page (issue 11)."""
    from tests.notifications.test_browser import in_browser

    def scenario(page, shot):
        page.goto(live_server.url + "/login/")
        scope = page.evaluate(
            "Promise.race([navigator.serviceWorker.ready.then((r) => r.scope),"
            " new Promise((done) => setTimeout(() => done(null), 10000))])"
        )
        assert scope == live_server.url + "/"
        page.reload()  # the worker now controls the page
        assert page.evaluate("!!navigator.serviceWorker.controller")
        page.context.set_offline(True)
        try:
            page.goto(live_server.url + "/requests/my/")
            assert page.get_by_role("heading", name="Нет соединения с интернетом").is_visible()
            shot(page, "notifications-offline")
        finally:
            page.context.set_offline(False)

    in_browser(scenario)
