"""Settings of the test suite (pytest's DJANGO_SETTINGS_MODULE): the project's settings, run
with DEBUG off as in production, a key that exists only here, and plain HTTP (the test client
and the live server speak http://). Production never imports this module, so nothing here can
weaken it. The values go to the environment (not just this module) so that the processes the
tests start (worker, delivery loop) load the same settings."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-key-" + "x" * 50)
os.environ.setdefault("HTTPS", "0")

from domovoy.settings import *  # noqa: E402, F403
