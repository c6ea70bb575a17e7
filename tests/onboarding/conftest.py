"""The onboarding tests send the applicant's mail through the outbox (N1)."""

import pytest


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    """Without quiet hours the applicant's mail leaves at once, whatever the hour the tests run
    at."""
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"
