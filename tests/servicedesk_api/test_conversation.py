"""The conversation inside a request (R7, R12): public comments and internal notes with files;
the limits of the settings enforced with a clear error naming the file, and a refused comment
leaves no row and no file (S7); internal notes never reach the resident; files are served
only through the permission-checked endpoint."""

import io
import zipfile

import pytest
from PIL import Image

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.notifications.models import Notice
from domovoy.servicedesk import conversation
from domovoy.servicedesk.models import Attachment, Comment, ServiceRequest

from .files import PDF_BYTES, jpeg_bytes, png_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7")]


def nothing_stored(stored_files):
    return Comment.objects.count() == 0 and Attachment.objects.count() == 0 and not stored_files()


def docx_bytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


# --- Files ---------------------------------------------------------------------------------


@pytest.mark.req("S7")
def test_a_jpg_that_is_not_an_image_is_refused_and_nothing_is_stored(anna, sr, stored_files):
    fake = upload("фото.jpg", b"MZ\x90\x00 this is an executable, not a photo" * 20)
    with pytest.raises(ApplicationError) as refused:
        conversation.comment_add(
            request=sr, author=anna, text="Вот фото", is_public=True, files=[fake]
        )
    assert refused.value.code == "invalid_file"
    [message] = refused.value.fields["files"]
    assert "фото.jpg" in message and "не соответствует" in message
    assert nothing_stored(stored_files)


@pytest.mark.req("S7")
def test_a_png_renamed_to_pdf_and_a_zip_renamed_to_docx_are_refused(anna, sr, stored_files):
    files = [
        upload("акт.pdf", png_bytes()),
        upload("смета.docx", b"PK\x03\x04" + b"\x00" * 40),
        upload("схема.png", jpeg_bytes()),  # a JPEG is not a PNG either
    ]
    with pytest.raises(ApplicationError) as refused:
        conversation.comment_add(request=sr, author=anna, text="", is_public=True, files=files)
    messages = refused.value.fields["files"]
    assert [m.split("»")[0] for m in messages] == ["«акт.pdf", "«смета.docx", "«схема.png"]
    assert nothing_stored(stored_files)


@pytest.mark.req("S7")
def test_one_bad_file_among_good_ones_stores_none_of_them(anna, sr, stored_files):
    files = [upload("a.jpg", jpeg_bytes()), upload("b.exe", b"MZ" * 10)]
    with pytest.raises(ApplicationError) as refused:
        conversation.comment_add(request=sr, author=anna, text="Два", is_public=True, files=files)
    [message] = refused.value.fields["files"]
    assert "b.exe" in message and "тип файла не принимается" in message
    assert nothing_stored(stored_files)


@pytest.mark.req("S7")
def test_an_oversize_file_is_refused_with_the_limit_named(settings, anna, sr, stored_files):
    settings.SERVICEDESK_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    big = upload("скан.pdf", PDF_BYTES + b"0" * (2 * 1024 * 1024))
    with pytest.raises(ApplicationError) as refused:
        conversation.comment_add(request=sr, author=anna, text="Скан", is_public=True, files=[big])
    [message] = refused.value.fields["files"]
    assert "скан.pdf" in message and "2 МБ" in message
    assert nothing_stored(stored_files)


@pytest.mark.req("S7")
def test_more_files_than_allowed_are_refused(settings, anna, sr, stored_files):
    settings.SERVICEDESK_UPLOAD_MAX_FILES = 2
    files = [upload(f"{n}.pdf", PDF_BYTES) for n in range(3)]
    with pytest.raises(ApplicationError) as refused:
        conversation.comment_add(request=sr, author=anna, text="", is_public=True, files=files)
    assert refused.value.code == "too_many_files"
    assert nothing_stored(stored_files)


def test_a_type_removed_from_the_settings_is_refused(settings, anna, sr, stored_files):
    settings.SERVICEDESK_UPLOAD_TYPES = ["pdf"]
    with pytest.raises(ApplicationError) as refused:
        conversation.comment_add(
            request=sr, author=anna, text="", is_public=True, files=[upload("a.png", png_bytes())]
        )
    assert "можно: pdf" in refused.value.fields["files"][0]
    assert nothing_stored(stored_files)


def test_an_empty_comment_without_files_is_refused(anna, sr):
    with pytest.raises(ApplicationError) as refused:
        conversation.comment_add(request=sr, author=anna, text="   ", is_public=True)
    assert set(refused.value.fields) == {"text"}
    assert Comment.objects.count() == 0


def test_documents_of_the_allowed_types_are_stored_and_images_get_a_320px_thumbnail(
    uo_dispatcher, sr, stored_files
):
    files = [
        upload("photo.jpg", jpeg_bytes((1600, 1200))),
        upload("схема.png", png_bytes((300, 200))),
        upload("акт.pdf", PDF_BYTES),
        upload("смета.docx", docx_bytes()),
    ]
    comment = conversation.comment_add(
        request=sr, author=uo_dispatcher, text="Материалы", is_public=False, files=files
    )
    photo, scheme, act, estimate = comment.attachments.order_by("id")
    with photo.thumbnail.open("rb") as fh:
        thumb = Image.open(io.BytesIO(fh.read()))
    assert thumb.format == "JPEG" and max(thumb.size) == 320 and thumb.size == (320, 240)
    assert scheme.thumbnail and not act.thumbnail and not estimate.thumbnail
    assert (act.content_type, estimate.original_name) == ("application/pdf", "смета.docx")
    assert len(stored_files()) == 6
    # Stored under random names, not the uploader's.
    assert not any("photo" in path or "акт" in path for path in stored_files())


@pytest.mark.req("S7")
def test_an_intake_with_a_disguised_photo_files_no_request(
    api_of, anna, building, classifier, links, stored_files
):
    response = api_of(anna).post(
        "/api/v1/requests/",
        {
            "building": building.pk,
            "topic": classifier["roof-leak"].pk,
            "text": "Течёт крыша",
            "files": [upload("крыша.jpg", b"<?php echo 1; ?>" * 50, "image/jpeg")],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_file"
    assert "крыша.jpg" in response.json()["fields"]["files"][0]
    assert ServiceRequest.objects.count() == 0
    assert nothing_stored(stored_files)


@pytest.mark.req("S7")
def test_an_oversize_file_through_the_api_is_400_and_nothing_is_stored(
    settings, api_of, anna, sr, stored_files
):
    settings.SERVICEDESK_UPLOAD_MAX_BYTES = 1024 * 1024
    response = api_of(anna).post(
        f"/api/v1/requests/{sr.pk}/comments/",
        {"text": "Скан", "files": [upload("скан.pdf", PDF_BYTES + b"0" * 1024 * 1024)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "скан.pdf" in response.json()["fields"]["files"][0]
    assert nothing_stored(stored_files)


@pytest.mark.req("S7")
@pytest.mark.req("R9")
def test_a_disguised_document_of_a_completion_is_refused_and_nothing_changes(
    api_of, uo_dispatcher, sr, stored_files
):
    from tests.servicedesk.helpers import act, footprint

    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    before = footprint(sr)
    response = api_of(uo_dispatcher).post(
        f"/api/v1/requests/{sr.pk}/complete/",
        {
            "report": "Заменён доводчик",
            "comment": "Готово",
            "document": upload("наряд.pdf", b"not a pdf at all"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "наряд.pdf" in response.json()["fields"]["document"][0]
    assert footprint(sr) == before
    assert not stored_files()


# --- Who writes, who reads -------------------------------------------------------------------


def test_internal_notes_are_invisible_to_the_resident_in_the_api_and_in_comments_for(
    api_of, anna, uo_dispatcher, sr
):
    conversation.comment_add(request=sr, author=anna, text="Когда?", is_public=True)
    note = conversation.comment_add(
        request=sr,
        author=uo_dispatcher,
        text="Жилец конфликтный, идти вдвоём",
        is_public=False,
        files=[upload("план.pdf", PDF_BYTES)],
    )
    conversation.comment_add(request=sr, author=uo_dispatcher, text="Завтра", is_public=True)

    assert [c.text for c in conversation.comments_for(request=sr, user=anna)] == [
        "Когда?",
        "Завтра",
    ]
    assert len(conversation.comments_for(request=sr, user=uo_dispatcher)) == 3

    resident = api_of(anna)
    listed = resident.get(f"/api/v1/requests/{sr.pk}/comments/").json()
    detail = resident.get(f"/api/v1/requests/{sr.pk}/").json()
    for comments in (listed, detail["comments"]):
        assert [c["text"] for c in comments] == ["Когда?", "Завтра"]
    [attachment] = note.attachments.all()
    url = f"/api/v1/requests/{sr.pk}/attachments/{attachment.pk}/"
    assert resident.get(url).status_code == 404
    staff = api_of(uo_dispatcher).get(url)
    assert staff.status_code == 200 and b"".join(staff.streaming_content) == PDF_BYTES
    # The note told the resident nothing; the public answer did.
    texts = list(Notice.objects.filter(channel="inbox").values_list("body", flat=True))
    assert not any("конфликтный" in t for t in texts)
    assert any("Завтра" in t for t in texts)


@pytest.mark.req("R12")
def test_the_resident_cannot_write_an_internal_note(api_of, anna, sr):
    with pytest.raises(PermissionDeniedError):
        conversation.comment_add(request=sr, author=anna, text="Секрет", is_public=False)
    response = api_of(anna).post(
        f"/api/v1/requests/{sr.pk}/comments/",
        {"text": "Секрет", "is_public": False},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "internal_forbidden"
    assert Comment.objects.count() == 0


@pytest.mark.req("S2")
def test_the_call_centre_writes_in_the_requests_it_filed_for_callers_only(
    call_operator, building, classifier, links, sr
):
    phoned = conversation.service_request_create_with_files(
        building=building,
        topic=classifier["entrance-door"],
        text="Не закрывается дверь",
        channel="call_centre",
        caller_name="Иван",
        phone="+79105554433",
        actor=call_operator,
        files=[upload("фото.png", png_bytes())],
    )
    [first] = conversation.comments_for(request=phoned, user=call_operator)
    assert first.author == call_operator and first.attachments.count() == 1
    with pytest.raises(PermissionDeniedError):
        conversation.comment_add(request=sr, author=call_operator, text="Алло", is_public=True)


@pytest.mark.req("S2")
def test_a_thumbnail_and_a_file_are_served_only_to_those_who_read_the_request(
    api_of, anna, boris, other_uo_dispatcher, sr
):
    comment = conversation.comment_add(
        request=sr, author=anna, text="", is_public=True, files=[upload("a.jpg", jpeg_bytes())]
    )
    attachment = comment.attachments.get()
    base = f"/api/v1/requests/{sr.pk}/attachments/{attachment.pk}/"
    for user in (boris, other_uo_dispatcher):
        assert api_of(user).get(base).status_code == 404
        assert api_of(user).get(base + "thumbnail/").status_code == 404
    response = api_of(anna).get(base, HTTP_ACCEPT="image/*")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    # Under another request's id the attachment is not found either.
    other = f"/api/v1/requests/{sr.pk + 1000}/attachments/{attachment.pk}/"
    assert api_of(anna).get(other).status_code == 404
