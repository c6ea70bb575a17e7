"""Reads of the feedback section (D6): the author's own items and the operators' queue."""

from django.db.models import Q

from . import permissions as perms
from .models import FeedbackItem

_RELATED = ("author", "author_organization", "target_organization", "target_building", "decided_by")


def _base():
    return FeedbackItem.objects.select_related(*_RELATED).order_by("-created_at", "-id")


def feedback_visible_to(user):
    """Everything ``user`` may read: own items, plus the queue kinds for operators
    (vulnerability reports only for the technical operator)."""
    if not getattr(user, "is_authenticated", False):
        return FeedbackItem.objects.none()
    cond = Q(author=user)
    kinds = perms.visible_kinds(user)
    if kinds:
        cond |= Q(kind__in=kinds)
    return _base().filter(cond)


def feedback_own(*, user):
    if not getattr(user, "is_authenticated", False):
        return FeedbackItem.objects.none()
    return _base().filter(author=user)


def feedback_queue(*, user, kind=None, status=None):
    """The operators' queue with filters; empty for anyone else."""
    kinds = perms.visible_kinds(user)
    qs = _base().filter(kind__in=kinds)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def feedback_get(*, user, pk):
    """One item if ``user`` may read it, else None (callers answer 404)."""
    return feedback_visible_to(user).filter(pk=pk).first()
