"""Bounds of integers that come from outside (S7): the one home of the ranges of database
columns and of the bounded integer fields and filters built on them.

An unbounded integer reaches the database as an overflow (SQLite: ``OverflowError``;
PostgreSQL: ``NumericValueOutOfRange``), a 500 instead of a clear 400. Every integer a caller
may send — a list filter, a form field, a serializer field, an id in a bulk action — is bounded
here by the range of the column it lands in. The ranges are PostgreSQL's, whatever the
backend, so a value refused in production is refused in tests on SQLite too."""

import json
import re

import django_filters
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext
from rest_framework import serializers

SMALLINT_MAX = 32_767
INT_MAX = 2_147_483_647
BIGINT_MAX = 9_223_372_036_854_775_807
# Primary keys are BigAutoField (settings.DEFAULT_AUTO_FIELD).
ID_MAX = BIGINT_MAX

# The column of each integer model field: its (lowest, highest) value.
COLUMN_RANGES = {
    "SmallIntegerField": (-SMALLINT_MAX - 1, SMALLINT_MAX),
    "PositiveSmallIntegerField": (0, SMALLINT_MAX),
    "IntegerField": (-INT_MAX - 1, INT_MAX),
    "PositiveIntegerField": (0, INT_MAX),
    "BigIntegerField": (-BIGINT_MAX - 1, BIGINT_MAX),
    "PositiveBigIntegerField": (0, BIGINT_MAX),
    "AutoField": (1, INT_MAX),
    "BigAutoField": (1, BIGINT_MAX),
    "SmallAutoField": (1, SMALLINT_MAX),
}


def column_range(model_field) -> tuple[int, int]:
    return COLUMN_RANGES[model_field.get_internal_type()]


def column_validators(column: str, *, low=None, high=None) -> list:
    """Min/max validators for a model field of the given column type, narrowed by ``low`` and
    ``high`` (a domain bound, e.g. a year)."""
    lowest, highest = COLUMN_RANGES[column]
    return [
        MinValueValidator(lowest if low is None else max(low, lowest)),
        MaxValueValidator(highest if high is None else min(high, highest)),
    ]


# --- Forms and filters ----------------------------------------------------------------------


class IdFormField(forms.IntegerField):
    """An id: a whole number from 1 to the largest key (a decimal, a sign or 40 digits are
    refused by the form, not by the database)."""

    def __init__(self, *, min_value=1, max_value=ID_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A list filter by id (``?building=``, ``?topic=``, …) bounded like the key it compares."""

    field_class = IdFormField


class BoundedIntegerFilter(django_filters.NumberFilter):
    """A list filter by a plain integer column (``column`` names the model field type)."""

    field_class = forms.IntegerField

    def __init__(self, *args, column="IntegerField", **kwargs):
        low, high = COLUMN_RANGES[column]
        kwargs.setdefault("min_value", low)
        kwargs.setdefault("max_value", high)
        super().__init__(*args, **kwargs)


def form_integer(column="IntegerField", *, min_value=None, max_value=None, **kwargs):
    """A form IntegerField bounded by its column (narrowed by ``min_value``/``max_value``)."""
    low, high = COLUMN_RANGES[column]
    return forms.IntegerField(
        min_value=low if min_value is None else max(min_value, low),
        max_value=high if max_value is None else min(max_value, high),
        **kwargs,
    )


def parse_id(value) -> int | None:
    """``value`` as an id, or None if it is not a whole number in the range of a key."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(ID_MAX)):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


# --- API serializers ------------------------------------------------------------------------


def api_integer(column="IntegerField", *, min_value=None, max_value=None, **kwargs):
    """A serializer IntegerField bounded by its column (narrowed by ``min_value``/``max_value``)."""
    low, high = COLUMN_RANGES[column]
    return serializers.IntegerField(
        min_value=low if min_value is None else max(min_value, low),
        max_value=high if max_value is None else min(max_value, high),
        **kwargs,
    )


def api_id(**kwargs):
    """A serializer field for an id sent by a caller."""
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


# --- JSON -----------------------------------------------------------------------------------

# A JSON string (with its escapes): brackets inside it do not nest anything.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")


class JSONTooDeep(ValueError):
    pass


def json_max_depth() -> int:
    return settings.API_JSON_MAX_DEPTH


def json_max_bytes() -> int:
    return settings.API_JSON_MAX_BYTES


def json_depth(text: str, limit: int) -> int:
    """The deepest nesting of arrays and objects in ``text`` (a linear scan, no recursion),
    counted up to ``limit`` + 1."""
    depth = deepest = 0
    for match in _JSON_BRACKETS.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def _refuse_constant(name):
    # NaN and Infinity are not JSON (RFC 8259).
    raise ValueError(f"{name} is not valid JSON")


def json_loads(text):
    """``json.loads`` that refuses, with a ``ValueError``, what would exhaust the stack (Python's
    parser recurses once per level: 50,000 levels are a ``RecursionError``) or the memory.
    Every JSON a caller sends — the API's bodies, form fields holding JSON, webhooks — is read
    by this function."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    if len(text) > json_max_bytes():
        raise ValueError(gettext("JSON больше %(n)d байт") % {"n": json_max_bytes()})
    limit = json_max_depth()
    if json_depth(text, limit) > limit:
        raise JSONTooDeep(
            gettext("Слишком глубокая вложенность JSON (больше %(n)d уровней)") % {"n": limit}
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONTooDeep(gettext("Слишком глубокая вложенность JSON")) from None
