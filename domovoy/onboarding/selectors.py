"""Reads of onboarding requests for the queue, the review page and the API (D5)."""

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from .models import OnboardingRequest

OPEN = OnboardingRequest.OPEN_STATUSES


def overdue_q(today=None):
    today = today or timezone.localdate()
    return Q(is_overdue=True) | Q(status__in=OPEN, due_date__lt=today)


def onboarding_request_list(*, status=None, overdue=None, on_behalf_of=None):
    """The queue: open requests first by deadline; one query whatever the page size."""
    qs = OnboardingRequest.objects.select_related("on_behalf_of", "organization").defer(
        "credentials", "errors"
    )
    if status:
        qs = qs.filter(status=status)
    if overdue is True:
        qs = qs.filter(overdue_q())
    elif overdue is False:
        qs = qs.exclude(overdue_q())
    if on_behalf_of is not None:
        qs = qs.filter(on_behalf_of=on_behalf_of)
    return qs.order_by("due_date", "-id")


def onboarding_request_get(*, pk):
    return (
        OnboardingRequest.objects.select_related("on_behalf_of", "organization")
        .prefetch_related("files", "decisions")
        .get(pk=pk)
    )


def onboarding_request_by_token(*, token):
    return (
        OnboardingRequest.objects.select_related("on_behalf_of", "organization")
        .prefetch_related("files", "decisions")
        .get(token=token)
    )


def is_overdue(request, today=None):
    today = today or timezone.localdate()
    return request.is_overdue or (
        request.status in OPEN and request.due_date is not None and request.due_date < today
    )


def progress_of(request):
    """(done, total, percent) with the worker's latest figure (cache) when it is newer."""
    from .services import progress_cache_key

    done, total = request.progress_done, request.progress_total
    cached = cache.get(progress_cache_key(request.pk))
    if request.status == request.Status.LOADING and cached:
        done, total = max(done, cached[0]), cached[1] or total
    percent = min(100, int(done * 100 / total)) if total else 0
    return done, total, percent
