"""Private files (S5, issue 9 item 3): every FileField of the project — found by enumerating
the models, so a new field is covered the day it is added — stores under a random name in
private storage, has a registered download view that asks a permission, and is never served
from /media/ (in DEBUG neither)."""

import importlib
import io
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models.fields.files import FieldFile
from django.test import RequestFactory, override_settings
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from PIL import Image

from domovoy.announcements import services as help_services
from domovoy.announcements.models import HelpSection
from domovoy.core import private_files
from domovoy.core.apps import _move_public_files
from domovoy.core.private_files import PrivateStorage, RandomUploadTo, serve_private_file
from domovoy.directory import services as directory_services
from domovoy.directory.models import Organization
from domovoy.onboarding.models import OnboardingFile, OnboardingRequest
from domovoy.servicedesk import conversation, events, services
from domovoy.servicedesk.models import Channel, RequestEvent, Topic
from domovoy.servicedesk.workflow import Action, Status
from tests import factories as f

pytestmark = [pytest.mark.req("S5"), pytest.mark.django_db]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


FIELDS = sorted(f"{m._meta.label}.{fl.name}" for m, fl in private_files.file_fields())


@dataclass
class Case:
    """A stored file of one field, the URL of its download view, who may and who may not."""

    instance: object
    field_name: str
    original: str
    content: bytes
    allowed: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    public: bool = False

    @property
    def file(self) -> FieldFile:
        return getattr(self.instance, self.field_name)

    @property
    def url(self) -> str:
        return private_files.download_url(self.instance, self.field_name)


@pytest.fixture
def cast(db, territory, uo, other_uo, building, uo_admin, uo_dispatcher, other_uo_admin):
    call_command("load_classifier", verbosity=0)
    anna = f.UserFactory(username="anna", is_resident=True)
    boris = f.UserFactory(username="boris", is_resident=True)
    other_dispatcher = f.employee(other_uo, roles=["uo_dispatcher"], username="otherdisp").user
    operator_org = f.OrganizationFactory(
        kinds=["functional_operator", "technical_operator"], territory=territory["region"]
    )
    fop = f.employee(operator_org, roles=["functional_operator"], username="fop").user
    sr = services.service_request_create(
        building=building,
        topic=Topic.objects.get(code="entrance-door"),
        text="Сломан доводчик входной двери",
        channel=Channel.WEB,
        author=anna,
        actor=anna,
    )
    return {
        "anna": anna,
        "boris": boris,
        "uo": uo,
        "uo_admin": uo_admin,
        "uo_dispatcher": uo_dispatcher,
        "other_uo_admin": other_uo_admin,
        "other_dispatcher": other_dispatcher,
        "fop": fop,
        "sr": sr,
    }


def _event_document(c):
    sr = c["sr"]
    event = events.record_event(
        request=sr,
        action=Action.VERIFY,
        actor=c["uo_dispatcher"],
        at=timezone.now(),
        from_status=sr.status,
        to_status=Status.DONE,
        document=SimpleUploadedFile("Акт выполненных работ.pdf", PDF),
    )
    return Case(
        event,
        "document",
        "Акт выполненных работ.pdf",
        PDF,
        allowed=[c["uo_dispatcher"]],
        refused=[c["other_dispatcher"], c["other_uo_admin"], c["anna"], c["boris"]],
    )


def _attachment(c, field_name):
    comment = conversation.comment_add(
        request=c["sr"],
        author=c["anna"],
        text="Фото двери",
        is_public=True,
        files=[SimpleUploadedFile("дверь.png", _png(), content_type="image/png")],
    )
    attachment = comment.attachments.get()
    content = getattr(attachment, field_name).open("rb").read()
    return Case(
        attachment,
        field_name,
        "дверь.png" if field_name == "file" else "thumbnail.jpg",
        content,
        allowed=[c["anna"], c["uo_dispatcher"]],
        refused=[c["boris"], c["other_dispatcher"], c["other_uo_admin"]],
    )


def _organization_license(c):
    org = c["uo"]
    directory_services.organization_update(
        organization=org,
        data={},
        license_scan=SimpleUploadedFile("Лицензия УК.pdf", PDF, content_type="application/pdf"),
    )
    org = Organization.objects.get(pk=org.pk)
    return Case(
        org,
        "license_scan",
        "Лицензия УК.pdf",
        PDF,
        allowed=[c["uo_admin"], c["fop"]],
        refused=[c["other_uo_admin"], c["other_dispatcher"], c["anna"]],
    )


def _onboarding_request(c):
    onboarding = OnboardingRequest.objects.create(card={"short_name": "УК Новая"}, kinds=["uo"])
    onboarding.license_scan.save("скан лицензии.pdf", ContentFile(PDF), save=False)
    onboarding.license_scan_name = "скан лицензии.pdf"
    onboarding.save()
    return onboarding


def _onboarding_license(c):
    return Case(
        _onboarding_request(c),
        "license_scan",
        "скан лицензии.pdf",
        PDF,
        allowed=[c["fop"]],
        refused=[c["other_uo_admin"], c["uo_dispatcher"], c["anna"]],
    )


def _onboarding_file(c):
    onboarding = _onboarding_request(c)
    stored = OnboardingFile(request=onboarding, kind="employees", original_name="Сотрудники.xlsx")
    stored.file.save("Сотрудники.xlsx", ContentFile(b"PK\x03\x04 staff"), save=True)
    return Case(
        stored,
        "file",
        "Сотрудники.xlsx",
        b"PK\x03\x04 staff",
        allowed=[c["fop"]],
        refused=[c["other_uo_admin"], c["uo_dispatcher"], c["anna"]],
    )


def _help_file(c):
    section = HelpSection.objects.create(title="Руководства", slug="guides")
    guide = help_services.guide_create(
        actor=c["fop"],
        section=section,
        title="Руководство диспетчера",
        slug="dispatcher",
        body="Текст",
        file=SimpleUploadedFile("Руководство.pdf", PDF, content_type="application/pdf"),
    )
    return Case(
        guide.current_version,
        "file",
        "Руководство.pdf",
        PDF,
        allowed=[None, c["anna"], c["other_uo_admin"]],  # help is public (G 3.1.5)
        public=True,
    )


# One builder per FileField of the project. A new FileField fails
# ``test_every_file_field_is_private`` until it is stored privately, has a download view and a
# case here.
CASES = {
    "servicedesk.RequestEvent.document": _event_document,
    "servicedesk.Attachment.file": lambda c: _attachment(c, "file"),
    "servicedesk.Attachment.thumbnail": lambda c: _attachment(c, "thumbnail"),
    "directory.Organization.license_scan": _organization_license,
    "onboarding.OnboardingRequest.license_scan": _onboarding_license,
    "onboarding.OnboardingFile.file": _onboarding_file,
    "announcements.GuideVersion.file": _help_file,
}


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_the_models_have_file_fields():
    """The enumeration itself works (the guard below would pass vacuously otherwise)."""
    assert "servicedesk.RequestEvent.document" in FIELDS
    assert "directory.Organization.license_scan" in FIELDS


@pytest.mark.parametrize("label", FIELDS)
def test_every_file_field_is_private(label):
    """Private storage, random names, a registered download view and a case in this file."""
    app_model, name = label.rsplit(".", 1)
    model_field = next(
        fl for m, fl in private_files.file_fields() if f"{m._meta.label}.{fl.name}" == label
    )
    assert isinstance(model_field.storage, PrivateStorage), f"{label}: not private storage"
    assert isinstance(model_field.upload_to, RandomUploadTo), f"{label}: not a random name"
    assert (app_model, name) in private_files.registered_downloads(), f"{label}: no view"
    assert label in CASES, f"{label}: add a case to tests/security/test_private_files.py"


@pytest.mark.parametrize("label", FIELDS)
def test_each_file_reaches_only_its_rightful_viewers(client, cast, label, settings):
    case = CASES[label](cast)
    stored = case.file.name
    # A random name in private storage: nothing of the original name, no date, nothing guessable.
    assert re.fullmatch(r"[a-z/]+/[0-9a-f]{32}(\.[a-z0-9]{1,10})?", stored), stored
    assert case.file.storage.exists(stored)
    assert str(settings.PRIVATE_MEDIA_ROOT) not in str(settings.MEDIA_ROOT)
    with pytest.raises(ValueError):
        case.file.url  # noqa: B018 - a private file has no URL to leak
    url = case.url
    assert url and not url.startswith("/media/")

    if not case.public:
        anonymous = _get(client, None, url)
        assert anonymous.status_code in (302, 401, 403, 404), label
        if anonymous.status_code == 302:
            assert "/login/" in anonymous["Location"]
        assert _body(anonymous) != case.content
    for user in case.refused:
        response = _get(client, user, url)
        assert response.status_code in (403, 404), (label, user.username)
        assert _body(response) != case.content
    for user in case.allowed:
        response = _get(client, user, url)
        assert response.status_code == 200, (label, getattr(user, "username", None))
        assert _body(response) == case.content
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith(("attachment", "inline"))

    # Never from /media/: not in DEBUG either, even were MEDIA_ROOT the private root itself.
    try:
        for debug in (False, True):
            with override_settings(DEBUG=debug, MEDIA_ROOT=settings.PRIVATE_MEDIA_ROOT):
                _reload_urls()
                for user in (None, *case.allowed):
                    assert _get(client, user, f"/media/{stored}").status_code == 404
    finally:
        _reload_urls()


def _reload_urls():
    import domovoy.urls

    importlib.reload(domovoy.urls)
    clear_url_caches()


def test_a_forbidden_event_document_is_not_linked(client, cast):
    """The card links the document for a party only; the API gives its URL the same way."""
    case = _event_document(cast)
    sr = cast["sr"]
    api_url = reverse("sd-event-document", args=[sr.pk, case.instance.pk])
    client.force_login(cast["uo_dispatcher"])
    detail = client.get(f"/api/v1/requests/{sr.pk}/").json()
    urls = [e["document_url"] for e in detail["history"] if e["has_document"]]
    assert urls == [api_url]
    download = client.get(api_url)
    assert download.status_code == 200 and _body(download) == PDF
    assert "filename*=utf-8''" in download["Content-Disposition"]  # RFC 5987, Cyrillic name
    client.force_login(cast["other_dispatcher"])
    assert client.get(api_url).status_code == 404


def test_the_organisation_api_links_the_licence_scan_only_for_its_readers(client, cast):
    case = _organization_license(cast)
    org = case.instance
    api_url = reverse("organization-license-scan", args=[org.pk])
    client.force_login(cast["uo_admin"])
    assert client.get(f"/api/v1/organizations/{org.pk}/").json()["license_scan"] == api_url
    assert _body(client.get(api_url)) == PDF
    client.force_login(cast["other_uo_admin"])
    assert client.get(f"/api/v1/organizations/{org.pk}/").json().get("license_scan") is None
    assert client.get(api_url).status_code == 404
    page = client.get(reverse("directory:organization", args=[org.pk])).content.decode()
    assert case.url not in page


# --- Serving modes and headers ----------------------------------------------------------------


@pytest.fixture
def stored_pdf(db):
    org = f.OrganizationFactory(kinds=["uo"])
    org.license_scan.save("scan.pdf", ContentFile(PDF), save=True)
    return org.license_scan


def test_nginx_mode_hands_the_file_to_the_web_server(settings, stored_pdf):
    settings.PRIVATE_FILES_SERVER = "nginx"
    settings.PRIVATE_FILES_NGINX_LOCATION = "/_private/"
    request = RequestFactory().get("/x/")
    response = serve_private_file(request, stored_pdf, filename="Скан лицензии.pdf", inline=True)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{stored_pdf.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''%D0%A1%D0%BA%D0%B0%D0%BD%20%D0%BB%D0%B8%D1%86%D0%B5%D0%BD"
        "%D0%B7%D0%B8%D0%B8.pdf"
    )


def test_apache_mode_answers_x_sendfile(settings, stored_pdf):
    settings.PRIVATE_FILES_SERVER = "apache"
    response = serve_private_file(RequestFactory().get("/x/"), stored_pdf, filename="a.pdf")
    assert response["X-Sendfile"] == stored_pdf.storage.path(stored_pdf.name)
    assert response.content == b""
    assert response["Content-Disposition"] == 'attachment; filename="a.pdf"'


def test_a_lost_file_is_a_404_in_every_mode(settings, stored_pdf):
    from django.http import Http404

    stored_pdf.storage.delete(stored_pdf.name)
    for server in ("django", "nginx", "apache"):
        settings.PRIVATE_FILES_SERVER = server
        with pytest.raises(Http404):
            serve_private_file(RequestFactory().get("/x/"), stored_pdf, filename="a.pdf")


def test_html_or_svg_never_runs_in_our_origin(stored_pdf):
    """Whatever the caller asks, only images and PDF are shown inline; the rest is an
    attachment in a CSP sandbox, and the browser may not sniff another type."""
    request = RequestFactory().get("/x/")
    for name, content_type in (("x.html", "text/html"), ("x.svg", "image/svg+xml")):
        stored_pdf.storage.save(name, ContentFile(b"<script>alert(1)</script>"))
        response = serve_private_file(
            request, stored_pdf, filename=name, content_type=content_type, inline=True
        )
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Security-Policy"].startswith("sandbox")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_random_names_keep_only_a_safe_extension():
    upload_to = private_files.random_upload_to("licenses")
    assert re.fullmatch(r"licenses/[0-9a-f]{32}\.pdf", upload_to(None, "../../Лицензия.PDF"))
    assert re.fullmatch(r"licenses/[0-9a-f]{32}", upload_to(None, "x.p<d>f"))
    assert re.fullmatch(r"licenses/[0-9a-f]{32}", upload_to(None, "no-extension"))
    assert upload_to(None, "a.pdf") != upload_to(None, "a.pdf")


# --- Files left under the old public MEDIA_ROOT -------------------------------------------


def test_files_under_the_public_media_root_move_into_private_storage(settings, tmp_path, cast):
    """What ``migrate`` runs after migrating (post_migrate) and ``move_private_files`` runs
    by hand: old public files move under random names, rows follow, twice is harmless."""
    settings.MEDIA_ROOT = tmp_path / "media"
    old_scan = "licenses/Лицензия УК.pdf"
    old_doc = "servicedesk/events/2026/11/act.pdf"
    for name, data in ((old_scan, PDF), (old_doc, b"act")):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    org = cast["uo"]
    org.license_scan.name = old_scan  # as the old code stored it (a history row too)
    org.save()
    # An approved onboarding request and its organisation share one scan.
    onboarding = OnboardingRequest.objects.create(card={}, kinds=["uo"])
    OnboardingRequest.objects.filter(pk=onboarding.pk).update(license_scan=old_scan)
    sr = cast["sr"]
    event = RequestEvent.objects.create(
        request=sr, at=timezone.now(), action=Action.ACCEPT, to_status=sr.status
    )
    RequestEvent.objects.filter(pk=event.pk).update(document=old_doc)

    _move_public_files(sender=None, using="default", verbosity=0)  # what migrate runs

    org.refresh_from_db()
    onboarding.refresh_from_db()
    event.refresh_from_db()
    assert re.fullmatch(r"licenses/[0-9a-f]{32}\.pdf", org.license_scan.name)
    assert org.license_scan_name == "Лицензия УК.pdf"
    assert onboarding.license_scan.name == org.license_scan.name  # moved once, shared still
    assert onboarding.license_scan_name == "Лицензия УК.pdf"
    assert org.license_scan.open("rb").read() == PDF
    assert re.fullmatch(r"servicedesk/events/[0-9a-f]{32}\.pdf", event.document.name)
    assert (event.document_name, event.document.open("rb").read()) == ("act.pdf", b"act")
    assert not (settings.MEDIA_ROOT / old_scan).exists()
    assert not (settings.MEDIA_ROOT / old_doc).exists()
    assert org.history.filter(license_scan=old_scan).count() == 0
    out = io.StringIO()
    call_command("move_private_files", stdout=out)  # by hand: nothing left to move
    assert out.getvalue().startswith("0 file(s)")
