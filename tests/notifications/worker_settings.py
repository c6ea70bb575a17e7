"""Settings of the worker processes started by ``test_reliability``: the project's, with the
SMS gateway pointed at the test's fake server (settings.py may not read it from the
environment yet)."""

import os

from domovoy.settings import *  # noqa: F403

NOTIFICATIONS_SMS_URL = os.environ["TEST_SMS_URL"]
NOTIFICATIONS_SMS_TOKEN = "sms-secret"
NOTIFICATIONS_SMS_SENDER = "DOMOVOY"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
