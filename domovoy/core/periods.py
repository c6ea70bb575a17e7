"""The one home of "valid from … to …" rows (issue 10): management periods, service links,
integration agreements. A period is [start, end], both days inclusive; an empty end is open.

``PeriodQuerySet`` gives every such model ``.active_on(day)`` and ``.overlapping(start, end)``;
a model whose fields are not ``start``/``end`` takes ``PeriodQuerySet.on_fields("valid_from",
"valid_to")``. ``active_on_q`` / ``overlapping_q`` build the same conditions for a lookup through
a relation (``prefix="management__"``)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone


def active_on_q(on: dt.date | None = None, *, start="start", end="end", prefix="") -> Q:
    """Rows whose period contains day ``on`` (today by default)."""
    on = on or timezone.localdate()
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    )


def overlapping_q(start_on, end_on=None, *, start="start", end="end", prefix="") -> Q:
    """Rows whose period meets [``start_on``, ``end_on``] (``end_on`` None: open-ended)."""
    cond = Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": start_on})
    if end_on is not None:
        cond &= Q(**{f"{prefix}{start}__lte": end_on})
    return cond


class PeriodQuerySet(models.QuerySet):
    start_field = "start"
    end_field = "end"

    @classmethod
    def on_fields(cls, start: str, end: str) -> type[PeriodQuerySet]:
        """The queryset class of a model whose period fields have other names."""
        return type(
            f"PeriodQuerySet_{start}_{end}", (cls,), {"start_field": start, "end_field": end}
        )

    def active_on(self, on: dt.date | None = None):
        """The rows in force on day ``on`` (today by default)."""
        return self.filter(active_on_q(on, start=self.start_field, end=self.end_field))

    def overlapping(self, start_on, end_on=None):
        """The rows whose period meets [``start_on``, ``end_on``] (None: open-ended)."""
        return self.filter(
            overlapping_q(start_on, end_on, start=self.start_field, end=self.end_field)
        )
