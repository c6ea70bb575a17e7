"""The personal-data access log (S5) in words (issue 12, item 7): the one place that maps the
stored codes of a read — where it happened (``purpose``: "staff request card") and whose data
(``subject``: "service_request:1,2", "building:12") — to Russian for the page. The log keeps
the codes: they are what the writers record and what the API returns."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# purpose code (as written by personal_data_read's callers) → where the data was shown
PURPOSES = {
    "staff request card": gettext_lazy("карточка заявки (сотрудник)"),
    "call centre request card": gettext_lazy("карточка заявки (call-центр)"),
    "call centre call screen": gettext_lazy("экран звонка (call-центр)"),
    "api request detail": gettext_lazy("API: заявка"),
    "api request list": gettext_lazy("API: список заявок"),
    "staff page": gettext_lazy("страница сотрудников организации"),
    "building page: owners": gettext_lazy("карточка дома: собственники"),
}
# API paths that log reads themselves (the accounts endpoint) → what they return
API_PATHS = {
    "/api/v1/accounts/": gettext_lazy("API: лицевые счета"),
}
_API_PATH = re.compile(r"^(/api/\S*)(.*)$")


def purpose_text(purpose):
    if purpose in PURPOSES:
        return str(PURPOSES[purpose])
    match = _API_PATH.match(purpose)
    if match:
        path, rest = match.groups()
        for prefix, label in API_PATHS.items():
            if path.startswith(prefix):
                return f"{label}{rest}"
        return _("запрос к API") + rest
    return purpose


def purposes_matching(text):
    """The stored purpose codes whose words contain ``text`` (for the filter)."""
    text = text.lower()
    return [code for code, label in PURPOSES.items() if text in str(label).lower()]


_SUBJECT = re.compile(r"^(?P<kind>[a-z_ ]+?):(?P<ids>[0-9,]+)(?::(?P<part>[a-z_]+))?$")


def _ids(text):
    return [int(x) for x in text.split(",") if x]


def _names(model, ids):
    objects = model._default_manager.in_bulk(ids)
    return [str(objects[i]) if i in objects else f"№ {i}" for i in ids]


def subject_text(subject):
    """Whose data, in words: «заявка № 2026-000015», «собственники дома ул. Советская, 1»."""
    from domovoy.directory.models import Building, Organization
    from domovoy.servicedesk.models import ServiceRequest

    if subject.startswith("account:") and subject[8:].isdigit():
        return _("лицевой счёт № %(number)s") % {"number": subject[8:]}
    match = _SUBJECT.match(subject)
    if not match:
        return subject
    kind, ids, part = match["kind"], _ids(match["ids"]), match["part"]
    if kind == "service_request":
        numbers = [n.removeprefix("№ ") for n in _names(ServiceRequest, ids)]
        head = _("заявка №") if len(numbers) == 1 else _("заявки №")
        return f"{head} {', '.join(numbers)}"
    if kind == "building":
        return _("собственники дома %(address)s") % {"address": "; ".join(_names(Building, ids))}
    if kind == "accounts of building":
        return _("лицевые счета дома %(address)s") % {"address": "; ".join(_names(Building, ids))}
    if kind == "organization" and part == "staff":
        return _("сотрудники организации %(name)s") % {"name": "; ".join(_names(Organization, ids))}
    return subject
