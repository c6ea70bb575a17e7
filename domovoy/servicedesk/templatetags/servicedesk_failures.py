"""The system failure notice on every page (S8, G 3.6.2): the portal and the cabinets. Read
through the cache (half a minute; a new post clears it), so a page costs no query for it."""

from django import template
from django.core.cache import cache
from django.utils import timezone

from domovoy.servicedesk import selectors

register = template.Library()

CACHE_KEY = "servicedesk:failures_to_announce"


@register.inclusion_tag("servicedesk/_shared/failure_banner.html")
def system_failure_banner():
    failures = cache.get(CACHE_KEY)
    if failures is None:
        failures = selectors.failures_to_announce(timezone.now())
        cache.set(CACHE_KEY, failures, 30)
    return {"failures": failures}
