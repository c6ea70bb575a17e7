"""API throttles (item 9 of issue 9): the rate of a scope comes from settings
(``API_THROTTLE_*``), or from the integration agreement of the calling token when it sets its
own; anonymous callers are counted by their address behind the trusted proxies."""

from rest_framework import throttling
from rest_framework.settings import api_settings

from domovoy.core.client_address import client_address

from .auth import integration_of


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle with the project's client address and per-agreement rates."""

    def get_ident(self, request):
        return client_address(request) or "unknown"

    def get_rate(self):
        # DRF reads the rates once, at import; read the settings per request instead, unless a
        # class (or a test) set its own THROTTLE_RATES, which DRF documents as the override.
        rates = self.THROTTLE_RATES
        if rates is throttling.SimpleRateThrottle.THROTTLE_RATES:
            rates = api_settings.DEFAULT_THROTTLE_RATES
        return rates.get(self.scope)

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        agreement = integration_of(request)
        self.rate = (getattr(agreement, "throttle_rate", "") or "") or self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return throttling.SimpleRateThrottle.allow_request(self, request, view)
