"""The format of an API rate ("30/min"), as DRF's throttles parse it."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RATE_RE = re.compile(r"^[1-9][0-9]{0,6}/(s|sec|second|m|min|minute|h|hour|d|day)$")


def validate_rate(value):
    """«число/период»: 30/min, 1000/hour, 5/s."""
    if value and not RATE_RE.match(value):
        raise ValidationError(
            _("Укажите частоту в виде «число/период», например 60/min или 1000/hour"),
            code="invalid_rate",
        )
