"""A small fixed-window rate limit on the cache (Redis at scale), for login and public intake.
The rates are settings (``RATE_LIMIT_*``), read per request: "number/period", the period
s, min, hour or day with an optional multiple ("20/min", "10/10min")."""

import functools
import re

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .client_address import client_address


def client_ip(request):
    """The client's address behind the trusted proxies (one function for every limit)."""
    return client_address(request) or "unknown"


RATE_RE = re.compile(
    r"^(?P<limit>[1-9][0-9]{0,6})/(?P<multiple>[1-9][0-9]{0,4})?"
    r"(?P<unit>s|sec|second|m|min|minute|h|hour|d|day)s?$"
)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """The requests and the window in seconds of a rate: "10/10min" -> (10, 600)."""
    match = RATE_RE.match(str(rate).strip())
    if match is None:
        raise ValueError(f"Not a rate (number/period, e.g. 20/min or 10/10min): {rate!r}")
    multiple = int(match["multiple"] or 1)
    return int(match["limit"]), multiple * UNIT_SECONDS[match["unit"][0]]


def count_call(bucket: str, window: int) -> int:
    """Count one call in ``bucket``'s fixed window of ``window`` seconds, opened by its first
    call: the calls of the window so far, this one included. Two cache operations whatever the
    rate (the one counter of the form limits and of the API throttles)."""
    if cache.add(bucket, 1, window):
        return 1
    try:
        return cache.incr(bucket)
    except ValueError:  # the window closed between the two
        cache.set(bucket, 1, window)
        return 1


def hit(bucket: str, rate: str) -> bool:
    """Count one use of ``bucket`` (any key: a client address, a phone, a user) against
    ``rate``; False once the window's limit is passed. Services use it directly (the
    confirmation codes of domovoy.residents count per address and per client)."""
    limit, window = parse_rate(rate)
    return count_call(f"rl:{bucket}", window) <= limit


def ratelimit(*, key, rate):
    """``rate``: a callable returning the rate string (a setting, read per request, so that
    ``override_settings`` and a changed environment apply); over it the view answers 429 for
    that client IP."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not hit(f"{key}:{client_ip(request)}", rate()):
                return HttpResponse(
                    _("Слишком много запросов. Повторите позже."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
