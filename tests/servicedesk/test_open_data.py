"""Open data (R17, S5): the public map, list, API and download of requests show the topic,
the building's street and house, status, dates, organisations' public comments and the photos
the resident allowed — and no personal data, whatever field it was planted in."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from domovoy.directory.models import Account, Premises
from domovoy.servicedesk import open_data
from domovoy.servicedesk.conversation import comment_add
from domovoy.servicedesk.models import Attachment, ServiceRequest
from tests import factories as f

from .helpers import act

pytestmark = [pytest.mark.django_db]

PAGE = reverse("servicedesk:public_requests")
API = reverse("sd-public-requests")
DOWNLOAD = reverse("servicedesk:public_download")

# Every piece of personal data planted below; none may appear in any public answer.
SECRETS = (
    "Смирнов",  # anna's last name (any case form)
    "Анна",
    "Анне",
    "Кузьмичёв",  # the account owner
    "Ефросинья",
    "Парамонов",
    "Пантелеймон",  # a caller's name
    "Евлампиев",
    "anna.secret",
    "example.ru",
    "9101234567",
    "910 123-45-67",
    "8 (915) 000-11-22",
    "9150001122",
    "4455667788",
    "кв. 917",
    "квартира 917",
    "917",
)


def png(name="photo.png"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def planted_text(where):
    return (
        f"{where}: Смирнова Анна Петровна, кв. 917, тел. +7 910 123-45-67, "
        f"anna.secret@example.ru, л/с 4455667788, собственник Кузьмичёва Ефросинья "
        f"Парамоновна, звонил Пантелеймон Евлампиев 8 (915) 000-11-22, квартира 917"
    )


@pytest.fixture
def planted(sr, anna, uo_dispatcher, building):
    """Anna's request with personal data in every text field it has."""
    anna.email = "anna.secret@example.ru"
    anna.middle_name = "Петровна"
    anna.save()
    premises = Premises.objects.create(building=building, number="917")
    Account.objects.create(
        premises=premises,
        number="4455667788",
        owner_last_name="Кузьмичёва",
        owner_first_name="Ефросинья",
        owner_middle_name="Парамоновна",
    )
    ServiceRequest.objects.filter(pk=sr.pk).update(
        text=planted_text("Описание"),
        caller_name="Евлампиев Пантелеймон",
        phone="+79101234567",
        premises=premises,
        external_id="4455667788",
        deadline_reason=planted_text("Основание"),
        completion_report=planted_text("Отчёт"),
        final_answer=planted_text("Ответ"),
    )
    sr.refresh_from_db()
    comment_add(request=sr, author=anna, text=planted_text("Жительница"), is_public=True)
    comment_add(
        request=sr, author=uo_dispatcher, text=planted_text("Уважаемая Анне"), is_public=True
    )
    comment_add(request=sr, author=uo_dispatcher, text=planted_text("Заметка"), is_public=False)
    act(sr, "accept", uo_dispatcher, comment=planted_text("Принято, Смирновой сообщим"))
    return ServiceRequest.objects.get(pk=sr.pk)


def answers(client, sr):
    """Every public answer that may show ``sr``: page, filtered page, API, CSV, JSON."""
    day = sr.created_at.date().isoformat()
    period = {"from": day, "to": day}
    return {
        "page": client.get(PAGE),
        "page filtered": client.get(PAGE, {"street": sr.building.street, **period}),
        "api": client.get(API),
        "csv": client.get(DOWNLOAD, {**period, "format": "csv"}),
        "json": client.get(DOWNLOAD, {**period, "format": "json"}),
    }


@pytest.mark.req("R17")
@pytest.mark.req("S5")
def test_personal_data_planted_everywhere_appears_in_no_public_answer(client, planted):
    for name, response in answers(client, planted).items():
        assert response.status_code == 200, name
        body = response.content.decode()
        if name == "api":
            body = json.dumps(response.json(), ensure_ascii=False)
        assert planted.number in body, name  # the request is there …
        assert planted.building.street in body, name
        for secret in SECRETS:  # … without anything personal
            assert secret.lower() not in body.lower(), (name, secret)
        for field in ("Описание", "Жительница", "Заметка", "Основание", "Отчёт"):
            assert field not in body, (name, field)


@pytest.mark.req("R17")
@pytest.mark.req("S5")
def test_the_projection_is_the_explicit_field_list(client, planted):
    row = client.get(API).json()["results"][0]
    assert tuple(row) == open_data.FIELDS
    assert row["topic"] and row["status"] == "accepted" and row["filed_at"] and row["deadline_at"]
    assert row["address"] == f"{planted.building.street}, д. {planted.building.house}"
    # The organisations' public words are shown (masked); the resident's own are not.
    texts = [c["text"] for c in row["comments"]]
    assert len(texts) == 2 and all("***" in t for t in texts)
    assert any("собственник" in t for t in texts)
    assert {c["author"] for c in row["comments"]} == {planted.executor_org.short_name}


@pytest.mark.req("R17")
def test_anonymous_visitors_see_the_map_with_overdue_requests_marked(client, sr, frozen):
    frozen.move_to(sr.deadline_at + __import__("datetime").timedelta(hours=1))
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "public-requests-map" in page and "public-request-points" in page
    assert "просрочена" in page
    assert "<script>" not in page.split("public-request-points")[0][-200:]  # data, not script
    overdue = client.get(PAGE, {"status": "overdue"}).content.decode()
    assert sr.number in overdue
    assert sr.number not in client.get(PAGE, {"status": "closed"}).content.decode()


@pytest.mark.req("R17")
def test_filters_narrow_the_list_and_bad_input_is_named(client, sr, file_request, uo, territory):
    lenina = f.BuildingFactory(street="ул. Ленина", house="7", territory=territory["district"])
    f.manage(lenina, uo)
    other = file_request(building=lenina)
    by_street = client.get(PAGE, {"street": "ленина"}).content.decode()
    assert other.number in by_street and sr.number not in by_street
    api = client.get(API, {"street": "Ленина"}).json()
    assert [r["number"] for r in api["results"]] == [other.number]
    bad = client.get(PAGE, {"from": "31.02.2026x"})
    assert bad.status_code == 400 and "не распознана" in bad.content.decode()
    bad_api = client.get(API, {"status": "lost"})
    assert bad_api.status_code == 400 and "неизвестен" in bad_api.json()["message"]
    assert client.get(API, {"topic": "no-such"}).status_code == 400
    no_period = client.get(DOWNLOAD, {"format": "csv"})
    assert no_period.status_code == 400 and "период" in no_period.content.decode()
    backwards = client.get(DOWNLOAD, {"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 400


@pytest.mark.req("R17")
def test_withdrawn_and_deleted_requests_are_not_public(client, sr, anna):
    act(sr, "withdraw", anna, withdraw_reason="no_longer_relevant")
    assert sr.number not in client.get(PAGE).content.decode()
    assert client.get(API).json()["count"] == 0


@pytest.mark.req("R17")
def test_open_data_is_a_setting_per_deployment(client, sr, settings):
    settings.OPEN_DATA_ENABLED = False
    assert client.get(PAGE).status_code == 404
    assert client.get(API).status_code == 404
    assert client.get(DOWNLOAD, {"from": "2026-01-01", "to": "2026-01-02"}).status_code == 404


@pytest.mark.req("R17")
@pytest.mark.req("S5")
def test_only_photos_the_resident_allowed_are_served_to_the_public(client, sr, anna, uo_dispatcher):
    allowed = comment_add(
        request=sr, author=anna, text="", is_public=True, files=[png()], photos_public=True
    ).attachments.get()
    kept = comment_add(request=sr, author=anna, text="", is_public=True, files=[png()])
    kept = kept.attachments.get()
    # Staff cannot make a photo public for the resident.
    staff = comment_add(
        request=sr, author=uo_dispatcher, text="", is_public=True, files=[png()], photos_public=True
    ).attachments.get()
    assert (allowed.is_public, kept.is_public, staff.is_public) == (True, False, False)
    row = client.get(API).json()["results"][0]
    url = reverse("servicedesk:public_photo", args=[sr.number, allowed.pk])
    assert row["photos"] == [url]
    photo = client.get(url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    for hidden in (kept, staff):
        assert (
            client.get(reverse("servicedesk:public_photo", args=[sr.number, hidden.pk])).status_code
            == 404
        )
    # The public flag opens only the public view: the private download views still refuse.
    private = client.get(reverse("servicedesk:resident_attachment", args=[sr.number, kept.pk]))
    assert private.status_code in (302, 403, 404)
    api_file = client.get(reverse("sd-attachment", args=[sr.pk, allowed.pk]))
    assert api_file.status_code in (401, 403, 404)
    # Another request's number does not open it either.
    assert (
        client.get(reverse("servicedesk:public_photo", args=["X-1", allowed.pk])).status_code == 404
    )
    # Nor once the request left the public list.
    act(sr, "withdraw", anna, withdraw_reason="no_longer_relevant")
    assert client.get(url).status_code == 404


@pytest.mark.req("R17")
def test_the_resident_allows_photos_with_a_checkbox_when_attaching(client, sr, anna):
    client.force_login(anna)
    url = reverse("servicedesk:resident_comment", args=[sr.number])
    assert (
        client.post(url, {"text": "Вот фото", "files": [png()], "photos_public": "on"}).status_code
        == 302
    )
    assert client.post(url, {"text": "И ещё", "files": [png()]}).status_code == 302
    assert list(Attachment.objects.order_by("id").values_list("is_public", flat=True)) == [
        True,
        False,
    ]
    page = client.get(reverse("servicedesk:resident_new")).content.decode()
    assert 'name="photos_public"' in page


@pytest.mark.req("R17")
def test_the_landing_links_the_public_map(client):
    page = client.get("/").content.decode()
    assert PAGE in page and reverse("outages:public") in page
