"""The format of an API rate ("30/min"), as DRF's throttles parse it. People type and read it
in Russian («30/мин», «30 в минуту»); ``normalise_rate`` turns the Russian period into DRF's
before validation and storage, ``rate_text`` gives the stored rate back in words."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RATE_RE = re.compile(r"^[1-9][0-9]{0,6}/(s|sec|second|m|min|minute|h|hour|d|day)$")


# Russian period words → DRF's
_RU_PERIODS = {
    "с": "s", "сек": "sec", "секунду": "second",
    "м": "m", "мин": "min", "минуту": "minute",
    "ч": "h", "час": "hour",
    "д": "d", "сут": "day", "сутки": "day", "день": "day",
}  # fmt: skip
_PERIOD_WORDS = {
    "s": _("в секунду"), "sec": _("в секунду"), "second": _("в секунду"),
    "m": _("в минуту"), "min": _("в минуту"), "minute": _("в минуту"),
    "h": _("в час"), "hour": _("в час"),
    "d": _("в сутки"), "day": _("в сутки"),
}  # fmt: skip


def normalise_rate(value):
    """«600/мин» → "600/min"; a rate already in DRF's words, or nonsense, is left as typed."""
    value = (value or "").strip()
    number, slash, period = value.partition("/")
    period = period.strip().lower().rstrip(".")
    if slash and period in _RU_PERIODS:
        return f"{number.strip()}/{_RU_PERIODS[period]}"
    return value


def rate_text(value):
    """``600/min`` → «600 в минуту» (the stored value when it is no valid rate)."""
    if not value or not RATE_RE.match(value):
        return value
    number, _slash, period = value.partition("/")
    return f"{number} {_PERIOD_WORDS[period]}"


def validate_rate(value):
    """«число/период»: 30/min, 1000/hour, 5/s."""
    if value and not RATE_RE.match(value):
        raise ValidationError(
            _("Укажите частоту в виде «число/период», например 60/мин или 1000/час"),
            code="invalid_rate",
        )
