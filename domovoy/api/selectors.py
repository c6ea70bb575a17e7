"""Reads of integration agreements, their tokens and the log of their use."""

from django.db.models import Count, OuterRef, Subquery
from knox.models import AuthToken

from .auth import token_use_flush
from .models import IntegrationAgreement, TokenUse


def agreement_list():
    return (
        IntegrationAgreement.objects.select_related("territory", "organization", "user")
        .annotate(token_count=Count("user__auth_token_set", distinct=True))
        .order_by("-created_at", "-id")
    )


def agreement_tokens(*, agreement):
    """The live tokens of an agreement with the time of their last use (one query)."""
    token_use_flush()
    last_use = (
        TokenUse.objects.filter(token_key=OuterRef("token_key")).order_by("-at").values("at")[:1]
    )
    return (
        AuthToken.objects.filter(user_id=agreement.user_id)
        .annotate(last_used=Subquery(last_use))
        .order_by("-created")
    )


def agreement_uses(*, agreement):
    """The use log, newest first; calls this process counted are added first."""
    token_use_flush()
    return TokenUse.objects.filter(agreement=agreement).order_by("-at", "-id")
