"""Open data (R17, S5): the one public projection of service requests, used by the public
page, its API and the CSV/JSON download alike.

What the public sees of a request is exactly ``FIELDS`` (an explicit list, built here and
nowhere else): its number, topic, the building's street and house (never the flat), the
executor organisation, the status, the dates filed / deadline / closed, whether it is overdue,
the public comments of the organisations (masked, see ``mask_text``) and the photos the
resident allowed (``Attachment.is_public``), served as their re-encoded thumbnail.

Never shown: the description (free text a resident may fill with anything, see
docs/decisions.md), the applicant's name, phone, e-mail, the premises and account, the
resident's own chat messages, internal notes, people's names of staff.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domovoy.core.errors import Invalid

from . import deadlines, resident_words
from .models import Attachment, Comment, RequestEvent, ServiceRequest, Topic
from .workflow import CHECK_STATUSES, FINAL_STATUSES, OPEN_STATUSES, Status

# Not public at all: deleted or withdrawn by the resident, held for moderation (obscene).
HIDDEN_STATUSES = (Status.WITHDRAWN, Status.MODERATION)
STATUS_GROUPS = {
    "open": gettext_lazy("В работе"),
    "overdue": gettext_lazy("Просрочена"),
    "check": gettext_lazy("Выполнена, на проверке"),
    "closed": gettext_lazy("Закрыта"),
}
FIELDS = (
    "number",
    "topic",
    "address",
    "latitude",
    "longitude",
    "executor",
    "status",
    "status_text",
    "filed_at",
    "deadline_at",
    "closed_at",
    "overdue",
    "comments",
    "photos",
)
MAX_PERIOD_DAYS = 366
MAP_LIMIT = 500

_MASK = "***"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A phone: 7+ digits with the usual separators, with or without +7/8.
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s()\-‒–]{5,}\d(?!\w)")
# A flat / room / account with its number: «кв. 12», «квартира 12», «комн. 3», «л/с 123».
_PLACE = re.compile(
    r"(?i)(?<!\w)(кв\.?|квартир\w*|комн\.?|комнат\w*|пом\.?|помещени\w*|л/с|лиц\w*\s+сч\w*"
    r"|сч[её]т\w*)\s*(№\s*)?[\w/-]*\d[\w/-]*"
)


def enabled() -> bool:
    """R17: open data is a setting per deployment (on in the demo)."""
    return settings.OPEN_DATA_ENABLED


def _known_words(sr: ServiceRequest) -> list[str]:
    """The names of the people of ``sr`` (applicant, caller, executor employee) as prefixes
    that also catch their declined forms («Смирнова» → «Смирнов…»)."""
    words: list[str] = []
    people = [sr.author, getattr(sr.executor_employee, "user", None)]
    for user in people:
        if user is None:
            continue
        for attr in ("first_name", "last_name", "middle_name", "patronymic"):
            words.extend(str(getattr(user, attr, "") or "").split())
    words.extend((sr.caller_name or "").split())
    for account in _accounts(sr):
        for attr in ("owner_last_name", "owner_first_name", "owner_middle_name"):
            words.extend(getattr(account, attr).split())
    stems = []
    for word in words:
        word = re.sub(r"\W", "", word)
        if len(word) >= 3:
            stems.append(word[: max(3, len(word) - 2)])
    return sorted(set(stems), key=len, reverse=True)


def _accounts(sr: ServiceRequest) -> list:
    if sr.premises_id is None:
        return []
    return list(sr.premises.accounts.all())


def _known_values(sr: ServiceRequest) -> list[str]:
    """Literal personal values of ``sr``: phones, e-mail, account numbers and owners."""
    values = [sr.phone, getattr(sr.author, "phone", ""), getattr(sr.author, "email", "")]
    for account in _accounts(sr):
        values += [account.number, account.owner_organization, account.owner_inn]
    return sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True)


def mask_text(text: str, sr: ServiceRequest) -> str:
    """A public comment without personal data: e-mails, phones, flat/room/account numbers,
    the request's own phone, e-mail, accounts, and the names of its people (S5)."""
    text = text or ""
    for value in _known_values(sr):
        text = re.sub(re.escape(value), _MASK, text, flags=re.IGNORECASE)
    text = _EMAIL.sub(_MASK, text)
    text = _PLACE.sub(_MASK, text)
    text = _PHONE.sub(_MASK, text)
    for stem in _known_words(sr):
        text = re.sub(rf"(?i)(?<!\w){re.escape(stem)}\w*", _MASK, text)
    return text


# --- Filters -------------------------------------------------------------------------------


@dataclass
class Filters:
    topic: Topic | None = None
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    street: str = ""


def _date(value: str, field: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise Invalid(
        _("Дата «%(v)s» не распознана: укажите её как ДД.ММ.ГГГГ") % {"v": value[:20]},
        fields={field: [_("Неверная дата")]},
    )


def parse_filters(params, *, require_period=False) -> Filters:
    """Filters from query parameters ``topic`` (code), ``status`` (a ``STATUS_GROUPS`` key),
    ``from``/``to`` (dates of filing) and ``street``; a bad value raises ``Invalid`` naming
    it."""
    result = Filters()
    code = (params.get("topic") or "").strip()
    if code:
        result.topic = Topic.objects.filter(code=code[:60]).first()
        if result.topic is None:
            raise Invalid(
                _("Тема «%(v)s» не найдена в классификаторе") % {"v": code[:60]},
                fields={"topic": [_("Неизвестная тема")]},
            )
    status = (params.get("status") or "").strip()
    if status and status not in STATUS_GROUPS:
        raise Invalid(
            _("Статус «%(v)s» неизвестен; допустимо: %(all)s")
            % {"v": status[:30], "all": ", ".join(STATUS_GROUPS)},
            fields={"status": [_("Неизвестный статус")]},
        )
    result.status = status
    result.date_from = _date(params.get("from"), "from")
    result.date_to = _date(params.get("to"), "to")
    if result.date_from and result.date_to and result.date_from > result.date_to:
        raise Invalid(_("Начало периода позже его конца"), fields={"from": [_("Позже даты «по»")]})
    if require_period:
        if not (result.date_from and result.date_to):
            raise Invalid(
                _("Укажите период выгрузки: даты «с» и «по»"),
                fields={"from": [_("Обязательное поле")]},
            )
        if (result.date_to - result.date_from).days > MAX_PERIOD_DAYS:
            raise Invalid(
                _("Период выгрузки не длиннее %(n)s дней") % {"n": MAX_PERIOD_DAYS},
                fields={"to": [_("Слишком длинный период")]},
            )
    result.street = (params.get("street") or "").strip()[:200]
    return result


# --- Reads ---------------------------------------------------------------------------------


def public_requests(filters: Filters | None = None, *, now: dt.datetime | None = None) -> QuerySet:
    """The requests the public may see, newest first, filtered."""
    now = now or timezone.now()
    filters = filters or Filters()
    qs = ServiceRequest.objects.filter(is_deleted=False, number__isnull=False).exclude(
        status__in=HIDDEN_STATUSES
    )
    if filters.topic is not None:
        qs = qs.filter(Q(topic=filters.topic) | Q(topic__parent=filters.topic))
    if filters.status == "open":
        qs = qs.filter(status__in=sorted(OPEN_STATUSES))
    elif filters.status == "overdue":
        qs = qs.filter(deadlines.overdue_q(now))
    elif filters.status == "check":
        qs = qs.filter(status__in=sorted(CHECK_STATUSES - {Status.MODERATION}))
    elif filters.status == "closed":
        qs = qs.filter(status__in=sorted(FINAL_STATUSES))
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__gte=start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    if filters.street:
        # search_text is lower-cased street, house, block: case-blind on SQLite too.
        qs = qs.filter(building__search_text__contains=filters.street.lower())
    return qs.select_related(
        "topic__parent", "building", "executor_org", "author", "executor_employee__user"
    ).order_by("-created_at", "-id")


def _with_public_parts(requests) -> list[ServiceRequest]:
    """Prefetch what the projection shows: organisations' public comments, public event
    comments, allowed photos (three queries whatever the number of requests)."""
    from django.db.models import prefetch_related_objects

    requests = list(requests)
    prefetch_related_objects(
        requests,
        "premises__accounts",
        Prefetch(
            "comments",
            queryset=Comment.objects.filter(is_public=True, author_org__isnull=False)
            .exclude(text="")
            .select_related("author_org")
            .order_by("created_at", "id"),
            to_attr="public_comments",
        ),
        Prefetch(
            "events",
            queryset=RequestEvent.objects.exclude(comment="")
            .select_related("actor_org")
            .order_by("at", "id"),
            to_attr="public_events",
        ),
        Prefetch(
            "attachments",
            queryset=public_photos().order_by("id"),
            to_attr="public_photos",
        ),
    )
    return requests


def public_photos() -> QuerySet:
    """Photos the resident allowed: images with a thumbnail of a public comment."""
    return Attachment.objects.filter(
        is_public=True, comment__is_public=True, content_type__startswith="image/"
    ).exclude(thumbnail="")


def public_photo_get(*, number: str, pk: int) -> Attachment | None:
    """A photo the public may download, or None (not public, or its request is not)."""
    if not enabled():
        return None
    sr = public_requests().filter(number=number).first()
    if sr is None:
        return None
    return public_photos().filter(request=sr, pk=pk).first()


def _org_name(org) -> str:
    if org is None:
        return ""
    return org.short_name or org.name


def _address(building) -> str:
    text = f"{building.street}, д. {building.house}"
    return text + (f", корп. {building.block}" if building.block else "")


def _iso(value) -> str:
    return timezone.localtime(value).isoformat(timespec="minutes") if value else ""


def project(requests, *, now: dt.datetime | None = None) -> list[dict]:
    """The public projection of ``requests``: one dict with exactly ``FIELDS`` each."""
    now = now or timezone.now()
    rows = []
    for sr in _with_public_parts(requests):
        comments = [
            {"at": _iso(c.created_at), "author": _org_name(c.author_org), "text": c.text}
            for c in sr.public_comments
        ] + [
            {"at": _iso(e.at), "author": _org_name(e.actor_org), "text": e.comment}
            for e in sr.public_events
        ]
        comments.sort(key=lambda c: c["at"])
        for comment in comments:
            comment["text"] = mask_text(comment["text"], sr)
        topic = sr.topic
        row = {
            "number": sr.number,
            "topic": str(topic) if topic else "",
            "address": _address(sr.building),
            "latitude": sr.building.latitude,
            "longitude": sr.building.longitude,
            "executor": _org_name(sr.executor_org),
            "status": sr.status,
            "status_text": str(resident_words.status_word(sr.status)),
            "filed_at": _iso(sr.created_at),
            "deadline_at": _iso(sr.deadline_at),
            "closed_at": _iso(sr.closed_at),
            "overdue": deadlines.is_overdue(sr, now),
            "comments": comments,
            "photos": [
                reverse("servicedesk:public_photo", args=[sr.number, a.pk])
                for a in sr.public_photos
            ],
        }
        assert tuple(row) == FIELDS
        rows.append(row)
    return rows


def map_points(filters: Filters, *, now: dt.datetime | None = None) -> list[dict]:
    """The newest ``MAP_LIMIT`` matching requests with coordinates, for the map (no comments
    or photos: the list and the API carry those)."""
    now = now or timezone.now()
    qs = public_requests(filters, now=now).filter(
        building__latitude__isnull=False, building__longitude__isnull=False
    )[:MAP_LIMIT]
    return [
        {
            "number": sr.number,
            "topic": str(sr.topic) if sr.topic_id else "",
            "address": _address(sr.building),
            "status": str(resident_words.status_word(sr.status)),
            "overdue": deadlines.is_overdue(sr, now),
            "lat": sr.building.latitude,
            "lon": sr.building.longitude,
        }
        for sr in qs
    ]


# --- The download --------------------------------------------------------------------------

CSV_HEADER = (
    "number",
    "topic",
    "address",
    "latitude",
    "longitude",
    "executor",
    "status",
    "status_text",
    "filed_at",
    "deadline_at",
    "closed_at",
    "overdue",
    "comments",
    "photos",
)


def csv_rows(rows: list[dict]):
    for row in rows:
        yield [
            *(row[k] for k in CSV_HEADER[:11]),
            "да" if row["overdue"] else "нет",
            " | ".join(f"{c['at']} {c['author']}: {c['text']}" for c in row["comments"]),
            " ".join(row["photos"]),
        ]


DOWNLOAD_LIMIT = 50_000


def project_all(qs, *, now: dt.datetime | None = None, chunk: int = 500) -> list[dict]:
    """``project`` over a whole period, ``chunk`` requests at a time (bounded queries), at
    most ``DOWNLOAD_LIMIT`` rows."""
    now = now or timezone.now()
    rows: list[dict] = []
    ids = list(qs.values_list("pk", flat=True)[:DOWNLOAD_LIMIT])
    for start in range(0, len(ids), chunk):
        part = public_requests(now=now).filter(pk__in=ids[start : start + chunk])
        rows.extend(project(part, now=now))
    return rows
