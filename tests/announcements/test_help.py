"""«Справка» (D7, G 3.1.5): sections with versioned user guides and the current regulation;
operators edit, everyone reads."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from domovoy.announcements import services
from domovoy.announcements.models import Guide, GuideVersion, HelpSection
from domovoy.core.errors import ApplicationError

pytestmark = [pytest.mark.django_db, pytest.mark.req("D7")]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def seeded(db):
    call_command("help_seed", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_help_is_public_and_shows_the_starter_guides_and_the_regulation(client, seeded):
    assert reverse("help:index") == "/help/"
    page = client.get("/help/").content.decode()
    for title in (
        "Руководство жителя",
        "Руководство диспетчера управляющей организации",
        "Руководство оператора системы",
        "Действующий регламент",
    ):
        assert title in page
    page = client.get("/help/guides/resident-guide/").content.decode()
    assert "Обратная связь" in page and "уязвимости" in page


def test_help_seed_adds_nothing_the_second_time(seeded):
    before = (HelpSection.objects.count(), Guide.objects.count(), GuideVersion.objects.count())
    call_command("help_seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert before == (4, 4, 4)
    assert (
        HelpSection.objects.count(),
        Guide.objects.count(),
        GuideVersion.objects.count(),
    ) == before
    assert Guide.objects.get(is_regulation=True).current_version.effective_date is not None


def test_editing_a_guide_adds_a_version_and_old_versions_stay_readable(
    client, seeded, functional_operator
):
    client.force_login(functional_operator)
    resp = client.post(
        "/help/guides/resident-guide/edit/",
        {
            "title": "Руководство жителя",
            "body": "Новый текст руководства",
            "label": "ред. 2",
            "change_note": "Обновлён раздел о входе",
        },
    )
    assert resp.status_code == 302
    guide = Guide.objects.get(slug="resident-guide")
    assert [v.number for v in guide.versions.order_by("number")] == [1, 2]
    assert guide.current_version.number == 2 and guide.current_version.author == functional_operator
    client.logout()
    current = client.get("/help/guides/resident-guide/").content.decode()
    assert "Новый текст руководства" in current and "Обновлён раздел о входе" in current
    old = client.get("/help/guides/resident-guide/versions/1/").content.decode()
    assert "Это прежняя версия" in old and "Вход в личный кабинет" in old
    assert client.get("/help/guides/resident-guide/versions/9/").status_code == 404


def test_only_operators_edit_help(client, seeded, uo_admin):
    resp = client.get("/help/guides/resident-guide/edit/")
    assert resp.status_code == 302 and reverse("login") in resp["Location"]
    client.force_login(uo_admin)
    assert (
        client.post(
            "/help/guides/resident-guide/edit/", {"title": "x", "body": "взлом"}
        ).status_code
        == 403
    )
    assert client.post("/help/guides/new/", {"title": "x", "body": "y"}).status_code == 403
    assert client.post("/help/sections/new/", {"title": "x"}).status_code == 403
    assert GuideVersion.objects.count() == 4
    with pytest.raises(ApplicationError):
        services.guide_edit(
            guide=Guide.objects.get(slug="resident-guide"), actor=uo_admin, body="взлом"
        )


def test_the_operator_uploads_a_new_regulation_edition_as_pdf(client, seeded, technical_operator):
    client.force_login(technical_operator)
    upload = SimpleUploadedFile("reglament.pdf", PDF, content_type="application/pdf")
    resp = client.post(
        "/help/guides/regulation/edit/",
        {
            "title": "Регламент информационного взаимодействия участников",
            "body": "Утверждена новая редакция",
            "label": "ред. 2",
            "effective_date": "2027-01-01",
            "file": upload,
        },
    )
    assert resp.status_code == 302
    version = Guide.objects.get(slug="regulation").current_version
    assert version.label == "ред. 2" and version.effective_date == dt.date(2027, 1, 1)
    assert version.file.name.endswith(".pdf")
    client.logout()
    page = client.get("/help/").content.decode()
    file_url = reverse("help:file", args=["regulation", version.number])
    assert "ред. 2" in page and "01.01.2027" in page and file_url in page
    # Help is public, but its file leaves only through the download view (S5).
    download = client.get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "reglament.pdf" in download["Content-Disposition"]
    # The next edition without a new file keeps the file.
    services.guide_edit(guide=version.guide, actor=technical_operator, body="Правка опечатки")
    current = Guide.objects.get(slug="regulation").current_version
    assert (current.file.name, current.file_name) == (version.file.name, "reglament.pdf")


@pytest.mark.req("S7")
def test_a_file_of_a_forbidden_type_or_a_fake_pdf_is_refused(client, seeded, technical_operator):
    client.force_login(technical_operator)
    for name, content in (("virus.exe", b"MZ..."), ("fake.pdf", b"not a pdf")):
        resp = client.post(
            "/help/guides/regulation/edit/",
            {
                "title": "Регламент",
                "body": "Текст",
                "file": SimpleUploadedFile(name, content),
            },
        )
        assert resp.status_code == 200
        assert "invalid-feedback" in resp.content.decode()
    assert Guide.objects.get(slug="regulation").versions.count() == 1


def test_the_operator_creates_a_section_and_a_guide(client, functional_operator):
    client.force_login(functional_operator)
    assert client.post("/help/sections/new/", {"title": "Call-центру"}).status_code == 302
    section = HelpSection.objects.get()
    resp = client.post(
        "/help/guides/new/",
        {
            "section": section.pk,
            "title": "Приём звонков",
            "body": "Как принять звонок",
        },
    )
    assert resp.status_code == 302
    guide = Guide.objects.get()
    assert guide.slug == "priem-zvonkov" and guide.current_version.number == 1
    assert "Приём звонков" in client.get("/help/").content.decode()


@pytest.mark.req("S7")
def test_a_guide_without_text_is_refused(functional_operator):
    section = HelpSection.objects.create(title="Раздел", slug="s")
    with pytest.raises(ApplicationError) as err:
        services.guide_create(actor=functional_operator, section=section, title="Т", body=" ")
    assert "body" in err.value.fields
    assert Guide.objects.count() == 0


def test_the_api_lists_guides_publicly_and_returns_versions(seeded, functional_operator):
    guide = Guide.objects.get(slug="operator-guide")
    services.guide_edit(guide=guide, actor=functional_operator, body="Вторая редакция")
    api = APIClient()
    listing = api.get("/api/v1/help-guides/")
    assert listing.status_code == 200
    assert {g["slug"] for g in listing.json()["results"]} >= {"operator-guide", "regulation"}
    detail = api.get(f"/api/v1/help-guides/{guide.pk}/").json()
    assert detail["current_version"]["number"] == 2
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    assert api.post("/api/v1/help-guides/", {}, format="json").status_code in (401, 405)
