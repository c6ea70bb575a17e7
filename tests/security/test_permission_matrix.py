"""The permission matrix (S2, S3, S5; issue 9): role × object kind × action, through the pages
AND the API, against ONE declarative expectation table (``ALLOWED``).

The world: a building of the district managed by «УК» (``uo``) and served for cold water by
an RSO (``rso``); the resident «Анна» lives there and filed a request the UO executes, with
her photo, an internal note with a file and an internal reason in the history; the RSO
published an outage on the building (and cancelled another). A stranger UO and a stranger RSO
work in the same district; the control body and the call centre serve the city, the
operators the region.

A cell is allowed when any probe of its channel says so: a page or endpoint answers 200/201
and shows the marker of the object (a list that answers 200 without the object is not a
read), or a change leaves its trace in the database. Refusals are 302 to the login page, 401,
403, 404 — or 200 without the object. Anything else (400, 409, 500) fails the test: a probe
that errors proves nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from domovoy.audit.models import AuditEntry
from domovoy.directory.models import Department, Organization, ServiceLink
from domovoy.outages import services as outage_services
from domovoy.outages.models import Outage
from domovoy.outages.zones import zone_spec
from domovoy.servicedesk import conversation, services
from domovoy.servicedesk.models import Channel, Comment, ServiceRequest, Topic
from tests import factories as f

ROLES = (
    "anonymous",
    "resident",
    "other_resident",
    "media",
    "call_operator",
    "uo_dispatcher_own",
    "uo_dispatcher_foreign",
    "uo_engineer",
    "uo_admin_own",
    "supplier_dispatcher_own",
    "supplier_dispatcher_foreign",
    "controller",
    "functional_operator",
    "technical_operator",
)

EVERYONE = frozenset(ROLES)
PUBLIC_ONLY = frozenset({"anonymous", "resident", "other_resident", "media"})
WORKING_STAFF = EVERYONE - PUBLIC_ONLY
OWN_UO = frozenset({"uo_dispatcher_own", "uo_engineer", "uo_admin_own"})
TERRITORIAL = frozenset({"controller", "functional_operator", "technical_operator"})
OPERATORS = frozenset({"functional_operator", "technical_operator"})
EXECUTORS = frozenset({"uo_dispatcher_own", "uo_engineer"})
QUEUE_USERS = EXECUTORS | {
    "uo_dispatcher_foreign",
    "supplier_dispatcher_own",
    "supplier_dispatcher_foreign",
}

# --- THE TABLE: (object kind, action) → the roles allowed. Every other role is refused. ----
ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    # S2: the author, the parties, the call centre (finds any request), the territorial
    # readers by role. Not the media role, not a stranger organisation.
    ("request", "list"): {"resident", "call_operator"} | OWN_UO | TERRITORIAL,
    ("request", "read"): {"resident", "call_operator"} | OWN_UO | TERRITORIAL,
    ("request", "change"): EXECUTORS,
    # S5: the applicant's name and phone: the author, the parties, the call centre.
    ("request personal data", "read"): {"resident", "call_operator"} | OWN_UO,
    # S2: internal notes, reasons, the executors' history: parties and territorial readers;
    # never the call centre or the author.
    ("internal note/history", "read"): OWN_UO | TERRITORIAL,
    ("internal note/history", "change"): EXECUTORS | {"functional_operator"},
    ("attachment", "read"): {"resident", "call_operator"} | OWN_UO | TERRITORIAL,
    ("internal attachment", "read"): OWN_UO | TERRITORIAL,
    # S5: owners' names: the managing UO and the people readers (operators, controller).
    ("building people/owners", "read"): OWN_UO | TERRITORIAL,
    # The registry of accounts (owners masked for most): working staff only.
    ("account", "list"): WORKING_STAFF,
    ("account", "read"): WORKING_STAFF,
    ("organisation card", "list"): WORKING_STAFF,
    ("organisation card", "read"): OWN_UO | TERRITORIAL,
    ("organisation card", "change"): {"uo_admin_own"} | OPERATORS,
    ("staff list", "list"): WORKING_STAFF,
    ("staff list", "read"): OWN_UO | OPERATORS,  # the logins (12c)
    ("staff list", "change"): {"uo_admin_own"},
    # O7: published outages are public; a cancelled one is for the parties and readers.
    ("outage", "list"): EVERYONE,
    ("outage", "read"): EVERYONE,
    ("outage", "change"): {"supplier_dispatcher_own"},
    ("cancelled outage", "read"): OWN_UO | {"supplier_dispatcher_own"} | TERRITORIAL,
    # O5: durations per building / account (billing data): working staff.
    ("outage durations", "list"): WORKING_STAFF,
    # S3: operators, the control roles of the territory.
    ("audit log", "list"): TERRITORIAL,
    ("audit log", "read"): TERRITORIAL,
    # R18: the published statistics: the executors of their own, readers and the media.
    ("statistics", "read"): QUEUE_USERS | TERRITORIAL | {"media"},
}

# Where one channel deliberately differs from the table: (role, kind, action, channel) → the
# answer. Keep it short and say why.
CHANNEL_EXCEPTIONS = {
    # An organisation's administrator without a workflow role has no request list page (no
    # queue, no control lists) but reads its organisation's requests through the API.
    ("uo_admin_own", "request", "list", "page"): False,
}


NOTE = "Позвонить в РСО насчёт стояка"
REASON = "Ждём подрядчика по лифтам"
OWNER = "Сидоренко"
CALLER_PHONE = "+79101234567"
OUTAGE_REASON = "Замена задвижки на вводе"
CANCELLED_REASON = "Промывка системы по графику"


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    users: dict = field(default_factory=dict)
    uo: Organization | None = None
    building: object = None
    account: object = None
    sr: ServiceRequest | None = None
    sr_page: ServiceRequest | None = None  # accepted through the page
    sr_api: ServiceRequest | None = None  # accepted through the API
    photo: object = None
    note_file: object = None
    outage: Outage | None = None
    outage_page: Outage | None = None  # cancelled through the page
    outage_api: Outage | None = None  # cancelled through the API
    cancelled: Outage | None = None


@pytest.fixture
def world(db, settings, tmp_path, territory):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_classifier", verbosity=0)
    w = World()
    district = territory["district"]
    w.uo = f.OrganizationFactory(kinds=["uo"], territory=district)
    other_uo = f.OrganizationFactory(kinds=["uo"], territory=district)
    rso = f.OrganizationFactory(kinds=["rso"], territory=district)
    other_rso = f.OrganizationFactory(kinds=["rso"], territory=district)
    control = f.OrganizationFactory(kinds=["control"], territory=territory["city"])
    call_centre = f.OrganizationFactory(kinds=["call_centre"], territory=territory["city"])
    operators = f.OrganizationFactory(
        kinds=["functional_operator", "technical_operator"], territory=territory["region"]
    )
    w.building = f.BuildingFactory(territory=district)
    f.manage(w.building, w.uo)
    f.manage(f.BuildingFactory(territory=district, street="ул. Ленина"), other_uo)
    start = dt.date(2020, 1, 1)
    for resource in ("cold_water", "hot_water"):
        ServiceLink.objects.create(uo=w.uo, provider=rso, resource=resource, start=start)
    _premises, w.account = f.premises_with_account(w.building, "7", owner=OWNER)

    u = w.users
    u["resident"] = f.UserFactory(
        username="anna", first_name="Анна", last_name="Смирнова", is_resident=True,
        phone=CALLER_PHONE,
    )  # fmt: skip
    w.account.residents.add(u["resident"])
    u["other_resident"] = f.UserFactory(username="boris", is_resident=True)
    u["media"] = f.employee(control, roles=["media"], username="press").user
    u["call_operator"] = f.employee(call_centre, roles=["call_operator"], username="callop").user
    u["uo_dispatcher_own"] = f.employee(w.uo, roles=["uo_dispatcher"], username="uodisp").user
    u["uo_dispatcher_foreign"] = f.employee(
        other_uo, roles=["uo_dispatcher"], username="otherdisp"
    ).user
    u["uo_engineer"] = f.employee(w.uo, roles=["uo_engineer"], username="uoeng").user
    u["uo_admin_own"] = f.employee(w.uo, roles=["org_admin"], username="uoadmin").user
    u["supplier_dispatcher_own"] = f.employee(
        rso, roles=["supplier_dispatcher"], username="rsodisp"
    ).user
    u["supplier_dispatcher_foreign"] = f.employee(
        other_rso, roles=["supplier_dispatcher"], username="otherrso"
    ).user
    u["controller"] = f.employee(control, roles=["controller"], username="gzhi").user
    u["functional_operator"] = f.employee(
        operators, roles=["functional_operator"], username="fop"
    ).user
    u["technical_operator"] = f.employee(
        operators, roles=["technical_operator"], username="top"
    ).user

    topic = Topic.objects.get(code="entrance-door")

    def file(text):
        return services.service_request_create(
            building=w.building, premises=_premises, topic=topic, text=text,
            channel=Channel.WEB, author=u["resident"], actor=u["resident"],
        )  # fmt: skip

    w.sr = file("Сломан доводчик входной двери")
    w.sr_page = file("Не закрывается дверь в подвал")
    w.sr_api = file("Разбито стекло в тамбуре")
    photo = conversation.comment_add(
        request=w.sr, author=u["resident"], text="Фото двери", is_public=True,
        files=[SimpleUploadedFile("door.jpg", _jpeg(), content_type="image/jpeg")],
    )  # fmt: skip
    w.photo = photo.attachments.get()
    note = conversation.comment_add(
        request=w.sr, author=u["uo_dispatcher_own"], text=NOTE, is_public=False,
        files=[SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")],
    )  # fmt: skip
    w.note_file = note.attachments.get()
    services.service_request_transition(
        request=w.sr, action="accept", actor=u["uo_dispatcher_own"], comment="Принята"
    )
    services.service_request_transition(
        request=w.sr, action="extend_deadline", actor=u["uo_dispatcher_own"], reason=REASON,
        deadline=w.sr.deadline_at + dt.timedelta(days=3),
    )  # fmt: skip

    def publish(reason):
        return outage_services.outage_publish(
            actor=u["supplier_dispatcher_own"], kind="emergency", resource="cold_water",
            network="supplier", zone=zone_spec(building_ids=[w.building.pk]), reason=reason,
            accident_at=timezone.now() - dt.timedelta(hours=1),
            planned_end=timezone.now() + dt.timedelta(hours=5),
        )  # fmt: skip

    w.outage = publish(OUTAGE_REASON)
    w.outage_page = publish("Авария на сети: страница")
    w.outage_api = publish("Авария на сети: API")
    w.cancelled = publish(CANCELLED_REASON)
    outage_services.outage_cancel(
        actor=u["supplier_dispatcher_own"], outage=w.cancelled, reason="Перенесено"
    )
    # The audit trail has rows of the district (the writes above record theirs).
    assert AuditEntry.objects.exists()
    return w


# --- Clients ---------------------------------------------------------------------------------


def page_client(w, role):
    client = Client()
    if role != "anonymous":
        client.force_login(w.users[role])
    return client


def api_client(w, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(w.users[role])
    return client


class ProbeError(AssertionError):
    pass


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code == 302:
        return "/login/" in response.headers.get("Location", "")
    return False


def _ok(response) -> bool:
    """200/201 (or a redirect that is not the login page, after a form post)."""
    if _refused(response):
        return False
    if response.status_code in (200, 201, 204, 302):
        return True
    raise ProbeError(f"{response.request['PATH_INFO']} answered {response.status_code}")


def _body(response) -> str:
    if response.get("Content-Type", "").startswith(("text/", "application/json")):
        return response.content.decode()
    return ""


def _shows(response, marker: str) -> bool:
    return _ok(response) and marker in _body(response)


def _any(*results) -> bool:
    return any(results)


# --- Probes: (kind, action) → {"page": fn(client, w), "api": fn(client, w)} ---------------


def _request_pages(w, sr):
    return (
        f"/requests/my/{sr.number}/",
        f"/requests/work/{sr.number}/",
        f"/requests/call/r/{sr.number}/",
    )


def _pages_show(client, urls, marker):
    return _any(*(_shows(client.get(url), marker) for url in urls))


def _request_list_page(client, w):
    urls = (
        "/requests/my/",
        "/requests/queue/",
        "/requests/control/new/",
        "/requests/control/postponed/",
        f"/requests/call/search/?q={w.sr_page.number}",
    )
    # Every list of the request shows its number; only ``w.sr`` is accepted (the others are
    # new), so the «new» list shows ``sr_page``.
    return _any(*(_shows(client.get(u), w.sr_page.number) for u in urls))


def _request_list_api(client, w):
    r = client.get("/api/v1/requests/")
    return _ok(r) and w.sr.pk in [row["id"] for row in r.json().get("results", [])]


def _request_read_page(client, w):
    return _pages_show(client, _request_pages(w, w.sr), w.sr.number)


def _request_read_api(client, w):
    return _shows(client.get(f"/api/v1/requests/{w.sr.pk}/"), w.sr.number)


def _accepted(sr) -> bool:
    return ServiceRequest.objects.get(pk=sr.pk).status == "accepted"


def _request_change_page(client, w):
    sr = w.sr_page
    r = client.post(
        f"/requests/work/{sr.number}/act/accept/",
        {"accept-version": sr.version, "accept-comment": "Принята"},
    )
    if _refused(r):
        return False
    return _accepted(sr)


def _request_change_api(client, w):
    sr = w.sr_api
    r = client.post(f"/api/v1/requests/{sr.pk}/accept/", {"comment": "Принята"}, format="json")
    if _refused(r):
        return False
    _ok(r)
    return _accepted(sr)


def _personal_page(client, w):
    return _pages_show(client, _request_pages(w, w.sr), CALLER_PHONE)


def _personal_api(client, w):
    r = client.get(f"/api/v1/requests/{w.sr.pk}/")
    return _ok(r) and r.json().get("phone") == CALLER_PHONE


def _internal_page(client, w):
    pages = _request_pages(w, w.sr)
    return _pages_show(client, pages, NOTE) or _pages_show(client, pages, REASON)


def _internal_api(client, w):
    detail = client.get(f"/api/v1/requests/{w.sr.pk}/")
    comments = client.get(f"/api/v1/requests/{w.sr.pk}/comments/")
    return _shows(detail, REASON) or _shows(detail, NOTE) or _shows(comments, NOTE)


def _notes():
    return Comment.objects.filter(is_public=False).count()


def _internal_change_page(client, w):
    before = _notes()
    r = client.post(f"/requests/work/{w.sr.number}/comment/", {"text": "Заметка", "is_public": "0"})
    if _refused(r):
        return False
    return _notes() > before


def _internal_change_api(client, w):
    before = _notes()
    r = client.post(
        f"/api/v1/requests/{w.sr.pk}/comments/",
        {"text": "Заметка", "is_public": False},
        format="json",
    )
    if _refused(r):
        return False
    _ok(r)
    return _notes() > before


def _file_pages(w, attachment):
    n = w.sr.number
    return (
        f"/requests/my/{n}/file/{attachment.pk}/",
        f"/requests/work/{n}/file/{attachment.pk}/",
        f"/requests/call/r/{n}/file/{attachment.pk}/",
    )


def _file_page(attachment_attr):
    def probe(client, w):
        urls = _file_pages(w, getattr(w, attachment_attr))
        return _any(*(_ok(client.get(u)) for u in urls))

    return probe


def _file_api(attachment_attr):
    def probe(client, w):
        attachment = getattr(w, attachment_attr)
        return _ok(client.get(f"/api/v1/requests/{w.sr.pk}/attachments/{attachment.pk}/"))

    return probe


def _owners_page(client, w):
    return _shows(client.get(f"/directory/buildings/{w.building.pk}/"), OWNER)


def _owners_api(client, w):
    r = client.get("/api/v1/accounts/", {"building": w.building.pk})
    return _ok(r) and any(a["owner_name"].startswith(OWNER) for a in r.json()["results"])


def _accounts_list_api(client, w):
    r = client.get("/api/v1/accounts/")
    return _ok(r) and w.account.number in [a["number"] for a in r.json()["results"]]


def _account_read_page(client, w):
    return _shows(client.get(f"/directory/buildings/{w.building.pk}/"), w.account.number)


def _account_read_api(client, w):
    return _shows(client.get(f"/api/v1/accounts/{w.account.pk}/"), w.account.number)


def _orgs_list_page(client, w):
    return _shows(client.get("/directory/organizations/"), w.uo.short_name)


def _orgs_list_api(client, w):
    r = client.get("/api/v1/organizations/", {"page_size": 100})
    return _ok(r) and w.uo.pk in [o["id"] for o in r.json()["results"]]


def _card_page(client, w):
    return _shows(client.get(f"/directory/organizations/{w.uo.pk}/"), w.uo.inn)


def _card_api(client, w):
    r = client.get(f"/api/v1/organizations/{w.uo.pk}/")
    return _ok(r) and r.json().get("inn") == w.uo.inn


def _card_change_page(client, w):
    return _ok(client.get(f"/directory/organizations/{w.uo.pk}/edit/"))


def _card_change_api(client, w):
    r = client.patch(
        f"/api/v1/organizations/{w.uo.pk}/", {"working_hours": "пн–пт 8–20"}, format="json"
    )
    if _refused(r):
        return False
    _ok(r)
    return Organization.objects.get(pk=w.uo.pk).working_hours == "пн–пт 8–20"


def _staff_names_page(client, w):
    return _shows(client.get(f"/directory/organizations/{w.uo.pk}/staff/"), "Петров")


def _staff_names_api(client, w):
    r = client.get("/api/v1/employees/", {"organization": w.uo.pk})
    return _ok(r) and bool(r.json().get("results"))


def _staff_logins_page(client, w):
    # The login as a word of its own (the e-mail «uodisp@…» is a contact, not the login).
    return _shows(client.get(f"/directory/organizations/{w.uo.pk}/staff/"), ">uodisp<")


def _staff_logins_api(client, w):
    r = client.get("/api/v1/employees/", {"organization": w.uo.pk})
    return _ok(r) and "uodisp" in [e["username"] for e in r.json().get("results", [])]


def _staff_change_page(client, w):
    r = client.post(f"/directory/organizations/{w.uo.pk}/departments/", {"name": "Аварийная"})
    return not _refused(r) and Department.objects.filter(name="Аварийная").exists()


def _staff_change_api(client, w):
    r = client.post(
        "/api/v1/departments/", {"organization": w.uo.pk, "name": "Сантехники"}, format="json"
    )
    return not _refused(r) and Department.objects.filter(name="Сантехники").exists()


def _outage_list_page(client, w):
    return _any(
        _shows(client.get("/outages/public/"), OUTAGE_REASON),
        _shows(client.get("/outages/"), OUTAGE_REASON),
    )


def _outage_list_api(client, w):
    return _any(
        _shows(client.get("/api/v1/outages/public/"), OUTAGE_REASON),
        _shows(client.get("/api/v1/outages/"), OUTAGE_REASON),
    )


def _outage_read_page(outage_attr, marker):
    def probe(client, w):
        return _shows(client.get(f"/outages/{getattr(w, outage_attr).pk}/"), marker)

    return probe


def _outage_read_api(outage_attr, marker):
    def probe(client, w):
        # The detail needs a login; the public endpoint carries a published outage's card.
        return _any(
            _shows(client.get(f"/api/v1/outages/{getattr(w, outage_attr).pk}/"), marker),
            _shows(client.get("/api/v1/outages/public/"), marker),
        )

    return probe


def _cancelled(outage) -> bool:
    return Outage.objects.get(pk=outage.pk).status == "cancelled"


def _outage_change_page(client, w):
    r = client.post(f"/outages/{w.outage_page.pk}/cancel/", {"reason": "Сеть восстановлена"})
    return not _refused(r) and _cancelled(w.outage_page)


def _outage_change_api(client, w):
    r = client.post(
        f"/api/v1/outages/{w.outage_api.pk}/cancel/",
        {"reason": "Сеть восстановлена"},
        format="json",
    )
    return not _refused(r) and _cancelled(w.outage_api)


def _durations_page(client, w):
    return _ok(client.get("/outages/durations/"))


def _durations_api(client, w):
    today = timezone.localdate().isoformat()
    r = client.get("/api/v1/outages/durations/", {"date_from": today, "date_to": today})
    return _ok(r)


def _audit_list_page(client, w):
    return _ok(client.get("/audit/"))


def _audit_list_api(client, w):
    r = client.get("/api/v1/audit/")
    return _ok(r) and bool(r.json().get("results"))


def _audit_export_page(client, w):
    return _ok(client.get("/audit/export.xlsx"))


def _audit_export_api(client, w):
    return _ok(client.get("/api/v1/audit/export.xlsx"))


def _stats_page(client, w):
    return _ok(client.get("/requests/stats/"))


PROBES = {
    ("request", "list"): {"page": _request_list_page, "api": _request_list_api},
    ("request", "read"): {"page": _request_read_page, "api": _request_read_api},
    ("request", "change"): {"page": _request_change_page, "api": _request_change_api},
    ("request personal data", "read"): {"page": _personal_page, "api": _personal_api},
    ("internal note/history", "read"): {"page": _internal_page, "api": _internal_api},
    ("internal note/history", "change"): {
        "page": _internal_change_page,
        "api": _internal_change_api,
    },
    ("attachment", "read"): {"page": _file_page("photo"), "api": _file_api("photo")},
    ("internal attachment", "read"): {
        "page": _file_page("note_file"),
        "api": _file_api("note_file"),
    },
    ("building people/owners", "read"): {"page": _owners_page, "api": _owners_api},
    ("account", "list"): {"api": _accounts_list_api},
    ("account", "read"): {"page": _account_read_page, "api": _account_read_api},
    ("organisation card", "list"): {"page": _orgs_list_page, "api": _orgs_list_api},
    ("organisation card", "read"): {"page": _card_page, "api": _card_api},
    ("organisation card", "change"): {"page": _card_change_page, "api": _card_change_api},
    ("staff list", "list"): {"page": _staff_names_page, "api": _staff_names_api},
    ("staff list", "read"): {"page": _staff_logins_page, "api": _staff_logins_api},
    ("staff list", "change"): {"page": _staff_change_page, "api": _staff_change_api},
    ("outage", "list"): {"page": _outage_list_page, "api": _outage_list_api},
    ("outage", "read"): {
        "page": _outage_read_page("outage", OUTAGE_REASON),
        "api": _outage_read_api("outage", OUTAGE_REASON),
    },
    ("outage", "change"): {"page": _outage_change_page, "api": _outage_change_api},
    ("cancelled outage", "read"): {
        "page": _outage_read_page("cancelled", CANCELLED_REASON),
        "api": _outage_read_api("cancelled", CANCELLED_REASON),
    },
    ("outage durations", "list"): {"page": _durations_page, "api": _durations_api},
    ("audit log", "list"): {"page": _audit_list_page, "api": _audit_list_api},
    ("audit log", "read"): {"page": _audit_export_page, "api": _audit_export_api},
    ("statistics", "read"): {"page": _stats_page},
}


def test_every_cell_of_the_table_has_a_probe_and_some_role_is_allowed():
    """The table and the probes describe the same cells; a cell nobody may use would not
    prove that its probe can ever say «allowed»."""
    assert set(PROBES) == set(ALLOWED)
    for cell, roles in ALLOWED.items():
        assert roles and set(roles) <= EVERYONE, cell


@pytest.mark.slow
@pytest.mark.req("S2")
@pytest.mark.req("S5")
@pytest.mark.parametrize("role", ROLES)
def test_the_permission_matrix(world, role):
    """One test per role (the world is built once for its whole row); the failure lists every
    wrong cell of the row."""
    wrong = []
    for (kind, action), allowed in ALLOWED.items():
        for channel, probe in PROBES[(kind, action)].items():
            expected = CHANNEL_EXCEPTIONS.get((role, kind, action, channel), role in allowed)
            client = page_client(world, role) if channel == "page" else api_client(world, role)
            got = probe(client, world)
            if got != expected:
                verdict = "allowed" if got else "refused"
                wrong.append(f"{role} × {kind} × {action} via {channel}: {verdict}")
    assert not wrong, "\n".join(wrong)
