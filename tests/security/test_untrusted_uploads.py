"""Untrusted files (issue 9, item 2): zip bombs and image bombs are refused from their headers,
before any parser or decoder sees them, with a clear error naming the limit; nothing is stored
and the memory of the check stays bounded. Spreadsheets are parsed only by the worker, which
refuses a cell over its bound before openpyxl builds it."""

import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from domovoy.core import uploads
from domovoy.core.errors import ApplicationError
from domovoy.onboarding.models import OnboardingFile, OnboardingRequest
from domovoy.servicedesk import conversation
from domovoy.servicedesk.models import Attachment, Comment, ServiceRequest
from tests.onboarding.files import (
    ACCOUNT_HEADER,
    account_rows,
    after_commit,
    uo_post_data,
    xlsx,
)

pytestmark = [pytest.mark.req("S7"), pytest.mark.django_db]

BOMB_CELL_BYTES = 300 * 1024 * 1024  # one cell of 300 MB, about 300 KB on disk
MEMORY_BOUND = 50 * 1024 * 1024


# --- building the bombs (small on disk, never inflated in the test) ---------------------------


def bomb_xlsx(cell_bytes=BOMB_CELL_BYTES):
    """A valid workbook whose first sheet holds one inline-string cell of ``cell_bytes``
    letters, written to the zip in chunks (the test never holds it in memory)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx(ACCOUNT_HEADER, account_rows(1))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in base.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info.filename, base.read(info.filename))
                continue
            with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                    b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
                    b'<c r="A1" t="inlineStr"><is><t>'
                )
                chunk = b"A" * (1024 * 1024)
                for _ in range(cell_bytes // len(chunk)):
                    sheet.write(chunk)
                sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return out.getvalue()


def xlsx_with_cell(text):
    """A small workbook with one more row whose cell holds ``text`` as written (openpyxl
    itself would cut it to 32767 characters)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx(ACCOUNT_HEADER, account_rows(2))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as workbook:
        for info in base.infolist():
            data = base.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                cell = b'<row r="9"><c r="J9" t="inlineStr"><is><t>' + text.encode() + b"</t>"
                data = data.replace(b"</sheetData>", cell + b"</is></c></row></sheetData>")
            workbook.writestr(info.filename, data)
    return out.getvalue()


def big_png(width=8000, height=8000):
    """A real PNG of ``width``×``height`` grey pixels, compressed to a few dozen KB."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width  # filter byte + one grey byte per pixel
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def peak_memory(call):
    tracemalloc.start()
    try:
        try:
            call()
        except ApplicationError:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def bomb():
    return bomb_xlsx()


@pytest.fixture(scope="module")
def png_bomb():
    return big_png()


def stored(media):
    """Files on disk under the media roots (public and, where configured, private)."""
    from django.conf import settings

    roots = {Path(r) for r in (media, getattr(settings, "PRIVATE_MEDIA_ROOT", None)) if r}
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


# --- the bombs are small on disk --------------------------------------------------------------


def test_the_bombs_are_small_on_disk(bomb, png_bomb):
    assert len(bomb) < 1024 * 1024 and len(png_bomb) < 200 * 1024
    assert zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/worksheets/sheet1.xml").file_size > (
        BOMB_CELL_BYTES
    )


# --- XLSX bomb: anonymous form, API --------------------------------------------------------


def test_a_zip_bomb_on_the_anonymous_form_is_refused_before_parsing_and_nothing_is_stored(
    client, bomb, _media
):
    data = uo_post_data(910)
    data["accounts_file"] = SimpleUploadedFile("accounts.xlsx", bomb)
    with after_commit():
        response = client.post("/onboarding/", data)
    assert response.status_code == 400
    [message] = response.context["form"].errors["accounts_file"]
    assert "accounts.xlsx" in message and "после распаковки файл больше 200 МБ" in message
    assert OnboardingRequest.objects.count() == 0 and OnboardingFile.objects.count() == 0
    assert stored(_media) == []


def test_a_zip_bomb_through_the_api_is_a_clear_400_and_nothing_is_stored(bomb, _media):
    data = uo_post_data(911)
    data["employees_file"] = SimpleUploadedFile("employees.xlsx", bomb)
    with after_commit():
        response = APIClient().post("/api/v1/onboarding-requests/", data, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert "employees.xlsx" in body["fields"]["employees_file"][0]
    assert OnboardingRequest.objects.count() == 0 and stored(_media) == []


def test_a_smaller_bomb_is_refused_by_its_compression_ratio():
    upload = SimpleUploadedFile("accounts.xlsx", bomb_xlsx(20 * 1024 * 1024))
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check_upload(upload, uploads.SPREADSHEET, field="accounts_file")
    assert "сжат подозрительно сильно (более чем в 100 раз)" in refused.value.messages[0]
    assert refused.value.fields == {"accounts_file": refused.value.messages}


@pytest.mark.slow
def test_the_uncompressed_size_is_bounded_even_at_an_ordinary_ratio(settings):
    settings.UPLOAD_ZIP_MAX_MEMBER_BYTES = 1024 * 1024
    big = xlsx(ACCOUNT_HEADER, account_rows(6000))
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check_upload(SimpleUploadedFile("a.xlsx", big), uploads.SPREADSHEET)
    assert "после распаковки файл больше 1 МБ" in refused.value.messages[0]


def test_a_nested_archive_and_too_many_members_are_refused(settings):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("x.txt", "x")
    outer = io.BytesIO(xlsx(ACCOUNT_HEADER, account_rows(1)))
    with zipfile.ZipFile(outer, "a") as archive:
        archive.writestr("xl/embeddings/inner.bin", inner.getvalue())
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check_upload(SimpleUploadedFile("a.xlsx", outer.getvalue()), uploads.SPREADSHEET)
    assert "вложенный архив" in refused.value.messages[0]
    settings.UPLOAD_ZIP_MAX_MEMBERS = 3
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check_upload(
            SimpleUploadedFile("a.xlsx", xlsx(ACCOUNT_HEADER, [])), uploads.SPREADSHEET
        )
    assert "больше 3 частей" in refused.value.messages[0]


def test_checking_the_bomb_keeps_memory_bounded(bomb):
    upload = SimpleUploadedFile("accounts.xlsx", bomb)
    peak = peak_memory(lambda: uploads.check_upload(upload, uploads.SPREADSHEET))
    assert peak < MEMORY_BOUND
    # The worker's streaming scan of the cells is bounded too (it reads 1 MB at a time).
    peak = peak_memory(lambda: uploads.check_xlsx_cells(io.BytesIO(bomb), name="accounts.xlsx"))
    assert peak < MEMORY_BOUND


def test_a_long_cell_that_passes_the_cheap_check_is_refused_by_the_worker(client, _media):
    # 250 000 characters: the zip is small and its ratio unremarkable, the cell too long.
    data = uo_post_data(912)
    data["accounts_file"] = SimpleUploadedFile("accounts.xlsx", xlsx_with_cell("Я" * 250_000))
    with after_commit():
        response = client.post("/onboarding/", data)
    assert response.status_code == 302  # stored and queued: the worker parses it
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.status == "invalid"
    assert "ячейка длиннее 32767 символов" in onboarding.errors[0]["reason"]
    assert onboarding.files.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "ячейка длиннее 32767 символов" in page


def test_a_csv_cell_over_the_bound_is_refused_by_the_worker(client):
    data = uo_post_data(913, fmt="csv")
    data["employees_file"] = SimpleUploadedFile(
        "employees.csv",
        ("ФИО;Должность;E-mail\nИванов Иван;" + "x" * 40_000 + ";a@b.ru\n").encode(),
    )
    with after_commit():
        assert client.post("/onboarding/", data).status_code == 302
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.status == "invalid" and "ячейка длиннее" in onboarding.errors[0]["reason"]


def test_a_binary_file_named_csv_is_refused_at_once(client):
    data = uo_post_data(914, fmt="csv")
    data["employees_file"] = SimpleUploadedFile("employees.csv", b"MZ\x00\x00\x90" * 100)
    response = client.post("/onboarding/", data)
    assert response.status_code == 400
    assert (
        "не соответствует расширению .csv" in response.context["form"].errors["employees_file"][0]
    )
    assert OnboardingRequest.objects.count() == 0


# --- image bomb: licence scan, request attachments, confirming documents -----------------------


def test_pillow_is_bounded_by_the_setting(settings, png_bomb):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 40_000_000
    assert uploads.pillow().MAX_IMAGE_PIXELS == 40_000_000


def test_a_huge_png_as_a_licence_scan_is_refused_naming_the_limit(client, png_bomb, _media):
    data = uo_post_data(915)
    data["license_scan"] = SimpleUploadedFile("licence.png", png_bomb)
    response = client.post("/onboarding/", data)
    assert response.status_code == 400
    [message] = response.context["form"].errors["license_scan"]
    assert "8000×8000" in message and "40 мегапикселей" in message
    assert OnboardingRequest.objects.count() == 0 and stored(_media) == []


def test_a_huge_png_attached_to_a_comment_is_refused_and_nothing_is_stored(anna, sr, _media):
    client = APIClient()
    client.force_authenticate(anna)
    response = client.post(
        f"/api/v1/requests/{sr.pk}/comments/",
        {"text": "Фото", "files": [SimpleUploadedFile("фото.png", big_png())]},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_file"
    assert "фото.png" in body["fields"]["files"][0] and "мегапикселей" in body["fields"]["files"][0]
    assert Comment.objects.count() == 0 and Attachment.objects.count() == 0
    assert stored(_media) == []


def test_a_zip_bomb_attached_to_a_comment_is_refused_and_nothing_is_stored(
    anna,
    sr,
    bomb,
    _media,
):
    client = APIClient()
    client.force_authenticate(anna)
    response = client.post(
        f"/api/v1/requests/{sr.pk}/comments/",
        {"text": "Смета", "files": [SimpleUploadedFile("смета.xlsx", bomb)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "смета.xlsx" in response.json()["fields"]["files"][0]
    assert Comment.objects.count() == 0 and Attachment.objects.count() == 0
    assert stored(_media) == []


def test_a_huge_png_in_an_intake_files_no_request(anna, building, classifier, links, _media):
    client = APIClient()
    client.force_authenticate(anna)
    response = client.post(
        "/api/v1/requests/",
        {
            "building": building.pk,
            "topic": classifier["roof-leak"].pk,
            "text": "Течёт крыша",
            "files": [SimpleUploadedFile("крыша.png", big_png())],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "крыша.png" in response.json()["fields"]["files"][0]
    assert ServiceRequest.objects.count() == 0 and stored(_media) == []


def test_checking_and_refusing_the_huge_png_keeps_memory_bounded(png_bomb, anna, sr):
    upload = SimpleUploadedFile("фото.png", png_bomb)
    peak = peak_memory(
        lambda: conversation.comment_add(
            request=sr, author=anna, text="", is_public=True, files=[upload]
        )
    )
    assert peak < MEMORY_BOUND
    assert Attachment.objects.count() == 0


def test_an_ordinary_photo_still_gets_its_thumbnail(anna, sr):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2000, 1500), (10, 120, 200)).save(out, "JPEG")
    comment = conversation.comment_add(
        request=sr,
        author=anna,
        text="",
        is_public=True,
        files=[SimpleUploadedFile("фото.jpg", out.getvalue())],
    )
    attachment = comment.attachments.get()
    assert attachment.thumbnail
    with Image.open(attachment.thumbnail.open("rb")) as thumb:
        assert max(thumb.size) == conversation.THUMBNAIL_PX


def test_a_huge_png_as_a_confirming_document_is_refused(png_bomb):
    from domovoy.servicedesk import documents

    with pytest.raises(ValueError) as refused:
        documents.check_document(SimpleUploadedFile("акт.png", png_bomb))
    assert "мегапикселей" in str(refused.value)


def test_one_checker_serves_every_place_that_accepts_files():
    """The two old checkers with different rules are one now: the same content rules for
    every policy, and a PNG renamed to PDF is refused everywhere."""
    fake = big_png(10, 10)
    for policy in (uploads.ATTACHMENT, uploads.DOCUMENT, uploads.LICENSE_SCAN, uploads.HELP_FILE):
        with pytest.raises(uploads.UploadError) as refused:
            uploads.check_upload(SimpleUploadedFile("акт.pdf", fake), policy)
        assert "не соответствует расширению .pdf" in refused.value.messages[0]
