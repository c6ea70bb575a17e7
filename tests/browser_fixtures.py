"""Browser fixtures for every test folder: one session-wide Chromium (Playwright's sync API
allows one instance per thread), a fresh context per test, and full-page screenshots at desktop
and phone width under var/screenshots/. Loaded by tests/conftest.py."""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
OUTSIDE = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost|\[::1\])[:/])[a-z]+://", re.I)
SHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # The site's service worker (N1) is blocked here: it answers navigations itself, and
    # Playwright's wait for the navigation a submit starts then intermittently times out under
    # load. The worker has its own browser test (tests/notifications/test_pwa.py).
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="ru-RU", service_workers="block"
    )
    # Nothing leaves the machine (map tiles of the default tile server included): an outside
    # request is refused at once instead of holding the page's load event until it times out.
    context.route(OUTSIDE, lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot under var/screenshots/ (desktop and phone width)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
        size = page.viewport_size
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
        page.set_viewport_size(size)

    return take


def pytest_collection_modifyitems(items):
    """A test that drives Chromium (the ``browser`` fixture or the ``browser`` mark) is a browser
    test and a slow one, a page load taking seconds on a loaded machine: ``-m "not slow"`` and
    ``-m "not browser"`` leave it out."""
    for item in items:
        drives = "browser" in getattr(item, "fixturenames", ())
        if drives and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        if (drives or item.get_closest_marker("browser")) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
