"""Settings with the demo app installed, until the lead adds "domovoy.demo" to INSTALLED_APPS.

Use with DJANGO_SETTINGS_MODULE=domovoy.demo.test_settings."""

from domovoy.settings import *  # noqa: F403

if "domovoy.demo" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "domovoy.demo"]  # noqa: F405
