import secrets

from django.db import transaction
from django.utils import timezone

from .tasks import worker_probe


def worker_probe_request():
    """Enqueue a probe task (after commit); returns the token to look its result up by."""
    token = secrets.token_hex(8)
    now = timezone.now()
    transaction.on_commit(lambda: worker_probe(token, now))
    return token
