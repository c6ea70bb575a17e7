"""Settings of a benchmark run: the project's, with the demo app, DEBUG off (as in
production) and tasks run inline (no consumer is running)."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "x" * 50)  # DEBUG off needs a key

from domovoy.settings import *  # noqa: E402, F403

if "domovoy.demo" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "domovoy.demo"]  # noqa: F405
DEBUG = False
HUEY = {**HUEY, "immediate": True}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
