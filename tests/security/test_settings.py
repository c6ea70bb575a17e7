"""Item 8 of issue 9: settings safe by default, `check --deploy` clean in production, a
Content Security Policy enforced everywhere, Russian 403/404/500 pages in the site's layout."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.views import defaults

pytestmark = [pytest.mark.req("S1")]

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "domovoy").rglob("templates/**/*.html"))

# The production environment of docs/operations.md ("Production" section).
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SITE_URL": "https://domovoy.example.ru",
    "ALLOWED_HOSTS": "domovoy.example.ru",
    "CSRF_TRUSTED_ORIGINS": "https://domovoy.example.ru",
    "TRUSTED_PROXIES": "127.0.0.1",
}


def _run(code_or_args, extra_env, settings_module="domovoy.settings"):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DOMOVOY_VAR_DIR": os.environ.get("DOMOVOY_VAR_DIR", str(ROOT / "var")),
        **extra_env,
    }
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_check_deploy_prints_nothing_with_the_production_settings():
    env = {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50)}
    result = _run(["manage.py", "check", "--deploy"], env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, s.SECURE_PROXY_SSL_HEADER)"
)


def test_debug_is_off_unless_asked():
    result = _run(SHOW, {"SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def test_production_turns_on_https_cookies_hsts_and_the_proxy_header():
    result = _run(SHOW, {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "DENY",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


@pytest.mark.parametrize(
    "key", [None, "", "domovoy-embedded-insecure-key-change-me"], ids=["absent", "empty", "public"]
)
def test_without_debug_the_public_or_absent_key_refuses_to_start(key):
    env = {"DEBUG": "0"} | ({} if key is None else {"SECRET_KEY": key})
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_the_embedded_demo_asks_for_debug_and_may_use_the_public_key():
    result = _run(SHOW, {"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export DEBUG = 1" in makefile


def _csp(response):
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.django_db
def test_the_content_security_policy_is_enforced_with_a_nonce_per_request(client, uo_dispatcher):
    client.force_login(uo_dispatcher)
    first = client.get("/feedback/new/")
    assert first.status_code == 200
    assert "Content-Security-Policy-Report-Only" not in first
    policy = _csp(first)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert {"'self'", "data:", "blob:"} <= set(policy["img-src"])
    nonce = next(s for s in policy["script-src"] if s.startswith("'nonce-"))[7:-1]
    assert "'unsafe-inline'" not in policy["script-src"]
    html = first.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the page has an inline script"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline if "application/json" not in attrs)
    second = client.get("/feedback/new/")
    assert _csp(second)["script-src"] != policy["script-src"], "a fresh nonce per request"


@pytest.mark.django_db
def test_the_tile_host_of_the_setting_is_allowed_for_images(settings, client):
    # The policy is built at start-up from MAP_TILE_URL; the helper is what settings.py uses.
    from domovoy.settings import _tile_source

    assert _tile_source("https://tiles.city.local/{z}/{x}/{y}.png") == "https://tiles.city.local"
    assert _tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert _tile_source("/tiles/{z}/{x}/{y}.png") is None


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_inline_script_carries_the_nonce_and_no_inline_handlers(template):
    text = template.read_text()
    for attrs in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text):
        assert 'nonce="{{ request.csp_nonce }}"' in attrs or "application/json" in attrs, (
            f"inline <script{attrs}> without the CSP nonce"
        )
    handlers = re.findall(r"\son[a-z]+\s*=\s*[\"']", text)
    assert not handlers, f"inline event handlers {handlers}: use web/behaviours.js"


@pytest.mark.django_db
def test_the_404_page_is_russian_and_in_the_layout(client, uo_dispatcher):
    client.force_login(uo_dispatcher)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Страница не найдена" in html
    assert 'class="navbar' in html and "Выйти" in html  # the site's layout, signed in
    assert '<meta charset="utf-8">' in html


@pytest.mark.django_db
def test_the_403_page_is_russian_and_in_the_layout(client, resident):
    client.force_login(resident)
    response = client.get("/integrations/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Доступ запрещён" in html
    assert 'class="navbar' in html


def test_the_500_page_renders_without_the_request_context_or_the_database():
    # No django_db mark: any database access here raises.
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Ошибка сервера" in html
    assert 'class="navbar' in html
    # The template itself needs no context: render it with none at all.
    assert "Ошибка сервера" in get_template("500.html").render({})


@pytest.mark.django_db
def test_the_api_docs_page_works_under_the_policy(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = _csp(response)
    assert "https://cdn.jsdelivr.net" in policy["script-src"]
    html = response.content.decode()
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script"
    assert client.get("/api/docs/?script=").status_code == 200
    # Other pages keep the strict policy.
    assert "https://cdn.jsdelivr.net" not in _csp(client.get("/login/"))["script-src"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_work_in_a_browser_under_the_policy_without_violations(
    page, live_server, uo_admin, settings
):
    """The inline script with its nonce runs, the data-attribute behaviours replace the inline
    handlers (language switch, confirmation), and Chromium reports no CSP violation."""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), lambda route: route.abort())
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill("uoadmin")
    page.get_by_label("Пароль").fill("secret-pass-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r".*/$"))

    page.goto(live_server.url + "/feedback/new/")
    section = page.locator('[data-kind-section="classifier_change"]')
    page.get_by_label("Вид обращения").select_option("classifier_change")
    assert section.is_visible(), "the nonce-carrying inline script ran"
    page.get_by_label("Вид обращения").select_option("suggestion")
    assert section.is_hidden()

    with page.expect_navigation():
        page.get_by_label("Язык").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en", "data-autosubmit switched"
    with page.expect_navigation():
        page.get_by_label("Language").select_option("ru")
    assert violations == []


@pytest.mark.django_db
def test_a_csrf_refusal_is_russian_and_in_the_layout(uo_dispatcher):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(uo_dispatcher)
    response = client.post("/feedback/new/", {"title": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Запрос отклонён" in html and 'class="navbar' in html
