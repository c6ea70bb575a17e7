"""The system failure notice on every page (S8, G 3.6.2): the portal and the cabinets. One
indexed query per page (a cache would make a page's query count depend on what was served
before it, and a posted failure must show at once)."""

from django import template
from django.utils import timezone

from domovoy.servicedesk import selectors

register = template.Library()


@register.inclusion_tag("servicedesk/_shared/failure_banner.html")
def system_failure_banner():
    return {"failures": selectors.failures_to_announce(timezone.now())}
