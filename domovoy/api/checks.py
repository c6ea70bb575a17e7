"""System checks of the rate settings: a malformed rate would otherwise fail every throttled
request with a server error instead of failing at start (``manage.py check`` runs them)."""

from django.conf import settings
from django.core import checks

from domovoy.core.ratelimit import parse_rate

from .rates import RATE_RE


@checks.register(checks.Tags.security)
def check_rates(app_configs=None, **kwargs):
    errors = []
    api_rates = {
        "API_THROTTLE_INTAKE_INTEGRATION": settings.API_THROTTLE_INTAKE_INTEGRATION,
        "API_THROTTLE_INTAKE_SESSION": settings.API_THROTTLE_INTAKE_SESSION,
        "API_THROTTLE_INTAKE_ANONYMOUS": settings.API_THROTTLE_INTAKE_ANONYMOUS,
    }
    for name, value in api_rates.items():
        if value and not RATE_RE.match(value):
            errors.append(
                checks.Error(
                    f"{name}={value!r} is not a rate: number/period, e.g. 600/min or 1000/hour "
                    "(empty = no limit)",
                    id="domovoy.E101",
                )
            )
    form_rates = {
        "RATE_LIMIT_LOGIN": settings.RATE_LIMIT_LOGIN,
        "RATE_LIMIT_ONBOARDING_INTAKE": settings.RATE_LIMIT_ONBOARDING_INTAKE,
        "RATE_LIMIT_CODE_PER_ADDRESS": settings.RATE_LIMIT_CODE_PER_ADDRESS,
        "RATE_LIMIT_CODE_PER_CLIENT": settings.RATE_LIMIT_CODE_PER_CLIENT,
        "RATE_LIMIT_ACCOUNT_LINK": settings.RATE_LIMIT_ACCOUNT_LINK,
    }
    for name, value in form_rates.items():
        try:
            parse_rate(value)
        except ValueError:
            errors.append(
                checks.Error(
                    f"{name}={value!r} is not a rate: number/period, e.g. 20/min or 10/10min",
                    id="domovoy.E102",
                )
            )
    return errors
