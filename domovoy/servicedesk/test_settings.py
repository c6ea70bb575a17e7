"""Settings with the service-desk app installed, until the lead adds "domovoy.servicedesk" to
INSTALLED_APPS. Use with DJANGO_SETTINGS_MODULE=domovoy.servicedesk.test_settings."""

from domovoy.settings import *  # noqa: F403

if "domovoy.servicedesk" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "domovoy.servicedesk"]  # noqa: F405
