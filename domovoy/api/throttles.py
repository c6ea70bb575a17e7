"""API throttles (item 9 of issue 9, issue 10): a view's ``throttle_scope`` ("intake") is
limited per channel, each channel's rate a setting of settings.py read per request:

- ``integration``: a token of an integration agreement, counted per agreement (its service
  account); the agreement's own ``throttle_rate`` replaces ``API_THROTTLE_INTAKE_INTEGRATION``;
- ``session``: a signed-in person (session or a personal token), counted per person
  (``API_THROTTLE_INTAKE_SESSION``);
- ``anonymous``: counted per client address behind the trusted proxies
  (``API_THROTTLE_INTAKE_ANONYMOUS``).

An empty rate switches the channel's limit off. The count is ``core.ratelimit``'s fixed window
(two cache operations a call), not DRF's log of every call's time, which the cache reads and
writes whole on each call (600 entries at the default integration rate)."""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling

from domovoy.core.client_address import client_address
from domovoy.core.ratelimit import count_call

from .auth import integration_of

INTEGRATION = "integration"
SESSION = "session"
ANONYMOUS = "anonymous"


def _intake_rates() -> dict[str, str]:
    return {
        INTEGRATION: settings.API_THROTTLE_INTAKE_INTEGRATION,
        SESSION: settings.API_THROTTLE_INTAKE_SESSION,
        ANONYMOUS: settings.API_THROTTLE_INTAKE_ANONYMOUS,
    }


# The throttled scopes and the settings of their channels.
SCOPE_RATES = {"intake": _intake_rates}


def channel_of(request) -> str:
    if integration_of(request) is not None:
        return INTEGRATION
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return SESSION
    return ANONYMOUS


def rate_for(scope: str, request) -> tuple[str, str]:
    """(channel, rate) of a request in a scope; the rate is "" when unlimited."""
    if scope not in SCOPE_RATES:
        raise ImproperlyConfigured(f"No API throttle rates for the scope {scope!r}")
    channel = channel_of(request)
    if channel == INTEGRATION:
        own = integration_of(request).throttle_rate
        if own:
            return channel, own
    return channel, SCOPE_RATES[scope]()[channel] or ""


class ScopedRateThrottle(throttling.SimpleRateThrottle):
    """A fixed-window throttle with the rate of the request's channel (see the module)."""

    scope_attr = "throttle_scope"

    def __init__(self):
        # DRF reads the rate here, once per class; ours depends on the request.
        pass

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.channel, self.rate = rate_for(self.scope, request)
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        self.now = time.time()
        count = count_call(self.key, self.duration)
        if count == 1:  # the window opens: when, for the wait of a refused call
            cache.set(f"{self.key}:opened", self.now, self.duration)
        return count <= self.num_requests

    def wait(self):
        """Seconds until the window ends (DRF's Retry-After)."""
        opened = cache.get(f"{self.key}:opened", self.now)
        return max(opened + self.duration - self.now, 0)

    def get_cache_key(self, request, view):
        if self.channel == ANONYMOUS:
            ident = client_address(request) or "unknown"
        else:
            ident = request.user.pk
        return self.cache_format % {"scope": f"{self.scope}:{self.channel}", "ident": ident}
