"""A small fixed-window rate limit on the cache (Redis at scale), for login and public intake."""

import functools

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .client_address import client_address


def client_ip(request):
    """The client's address behind the trusted proxies (one function for every limit)."""
    return client_address(request) or "unknown"


def ratelimit(*, key, rate):
    """``rate`` = (requests, seconds) per client IP; over it the view answers 429."""
    limit, window = rate

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            bucket = f"rl:{key}:{client_ip(request)}"
            cache.add(bucket, 0, window)
            try:
                count = cache.incr(bucket)
            except ValueError:
                cache.set(bucket, 1, window)
                count = 1
            if count > limit:
                return HttpResponse(
                    _("Слишком много запросов. Повторите позже."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
