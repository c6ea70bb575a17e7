"""Settings for running this app before it is registered in ``domovoy.settings``."""

from domovoy.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "domovoy.workorders"]  # noqa: F405
ROOT_URLCONF = "domovoy.workorders.test_urls"
