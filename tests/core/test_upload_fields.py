"""One upload checker (core.uploads) behind every file field (issue 10, item 6): every model
FileField has its policy, every form field that takes a file asks the checker, and each path
refuses an oversized file, a file of the wrong type and a decompression bomb."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from domovoy.announcements.forms import GuideCreateForm, GuideEditForm
from domovoy.core import uploads
from domovoy.core.private_files import file_fields
from domovoy.directory.forms import OrganizationCardForm
from domovoy.onboarding.api import OnboardingSubmitSerializer
from domovoy.onboarding.forms import ApplicationForm
from domovoy.servicedesk.forms_resident import CommentForm, ResidentRequestForm

pytestmark = pytest.mark.req("S7")


def png(width, height):
    """A real PNG of ``width``×``height`` grey pixels (a huge one is a few dozen KB)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def zip_bomb(main_part):
    """An OOXML-looking zip whose main part inflates 8 MB of zeros from a few KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, b"\x00" * (8 * 1024 * 1024))
    return out.getvalue()


def bomb_for(policy):
    """A decompression bomb this policy would otherwise accept: an image if it takes PNG,
    else an OOXML zip."""
    if "png" in policy.extensions:
        return "bomb.png", png(8000, 8000), "мегапикселей"
    if "xlsx" in policy.extensions:
        return "bomb.xlsx", zip_bomb("xl/workbook.xml"), "сжат подозрительно сильно"
    return "bomb.docx", zip_bomb("word/document.xml"), "сжат подозрительно сильно"


# The setting that bounds the size of each policy's files.
SIZE_SETTING = {
    uploads.ATTACHMENT: "SERVICEDESK_UPLOAD_MAX_BYTES",
    uploads.DOCUMENT: "SERVICEDESK_DOCUMENT_MAX_BYTES",
    uploads.SPREADSHEET: "UPLOAD_MAX_BYTES",
    uploads.LICENSE_SCAN: "UPLOAD_MAX_BYTES",
    uploads.HELP_FILE: "UPLOAD_MAX_BYTES",
}
POLICIES = [p for p in SIZE_SETTING if p in set(uploads.FIELD_POLICIES.values())]


def _id(policy):
    return next(
        name
        for name in ("ATTACHMENT", "DOCUMENT", "SPREADSHEET", "LICENSE_SCAN", "HELP_FILE")
        if getattr(uploads, name) is policy
    )


def test_every_policy_of_a_field_is_listed_here():
    assert {p for p in uploads.FIELD_POLICIES.values() if p is not None} == set(SIZE_SETTING)


# --- every model FileField has its policy ------------------------------------------------------


def test_every_file_field_of_every_model_has_a_policy():
    fields = {f"{model._meta.label}.{field.name}" for model, field in file_fields()}
    assert fields == set(uploads.FIELD_POLICIES)


# --- each policy refuses the three kinds of bad file ------------------------------------------


@pytest.fixture
def check(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 40_000_000

    def run(policy, name, data):
        return uploads.check_upload(SimpleUploadedFile(name, data), policy)

    return run


@pytest.mark.parametrize("policy", POLICIES, ids=_id)
def test_an_oversized_file_is_refused_by_the_setting(settings, check, policy):
    setattr(settings, SIZE_SETTING[policy], 1024 * 1024)
    ext = policy.extensions[0]
    with pytest.raises(uploads.UploadError) as refused:
        check(policy, f"big.{ext}", b"x" * (1024 * 1024 + 1))
    assert "файл больше 1 МБ" in refused.value.messages[0]


@pytest.mark.parametrize("policy", POLICIES, ids=_id)
def test_a_file_of_the_wrong_type_is_refused(check, policy):
    with pytest.raises(uploads.UploadError) as refused:
        check(policy, "virus.exe", b"MZ\x90\x00")
    assert "тип файла не принимается" in refused.value.messages[0]
    fake = policy.extensions[0]
    with pytest.raises(uploads.UploadError) as refused:
        check(policy, f"fake.{fake}", b"\x7fELF" + b"\x00" * 64)
    assert f"не соответствует расширению .{fake}" in refused.value.messages[0]


@pytest.mark.parametrize("policy", POLICIES, ids=_id)
def test_a_decompression_bomb_is_refused(check, policy):
    name, data, reason = bomb_for(policy)
    with pytest.raises(uploads.UploadError) as refused:
        check(policy, name, data)
    assert reason in refused.value.messages[0]


# --- the form fields ask the same checker ------------------------------------------------------


def _form_fields():
    return [
        ("help file", GuideCreateForm.base_fields["file"], uploads.HELP_FILE),
        ("help file (edit)", GuideEditForm.base_fields["file"], uploads.HELP_FILE),
        ("onboarding licence", ApplicationForm.base_fields["license_scan"], uploads.LICENSE_SCAN),
        (
            "onboarding employees",
            ApplicationForm.base_fields["employees_file"],
            uploads.SPREADSHEET,
        ),
        ("onboarding served", ApplicationForm.base_fields["served_file"], uploads.SPREADSHEET),
        ("onboarding accounts", ApplicationForm.base_fields["accounts_file"], uploads.SPREADSHEET),
        ("request files", ResidentRequestForm.base_fields["files"], uploads.ATTACHMENT),
        ("comment files", CommentForm.base_fields["files"], uploads.ATTACHMENT),
    ]


@pytest.mark.parametrize(("label", "field", "policy"), _form_fields(), ids=lambda x: str(x)[:30])
def test_every_form_file_field_refuses_oversized_wrong_type_and_bombs(
    settings, label, field, policy
):
    setattr(settings, SIZE_SETTING[policy], 1024 * 1024)
    cases = [
        (f"big.{policy.extensions[0]}", b"x" * (2 * 1024 * 1024)),
        ("virus.exe", b"MZ\x90\x00"),
        bomb_for(policy)[:2],
    ]
    for name, data in cases:
        upload = SimpleUploadedFile(name, data)
        with pytest.raises(ValidationError):
            field.clean([upload] if "files" in label else upload)


@pytest.mark.django_db
def test_the_organisation_card_licence_scan_asks_the_checker(settings):
    field = OrganizationCardForm().fields["license_scan"]
    with pytest.raises(ValidationError):
        field.clean(SimpleUploadedFile("scan.pdf", png(10, 10)))
    with pytest.raises(ValidationError):
        field.clean(SimpleUploadedFile("bomb.png", png(8000, 8000)))


@pytest.mark.parametrize(
    ("name", "policy"),
    [
        ("license_scan", uploads.LICENSE_SCAN),
        ("employees_file", uploads.SPREADSHEET),
        ("served_file", uploads.SPREADSHEET),
        ("accounts_file", uploads.SPREADSHEET),
    ],
)
def test_the_onboarding_api_fields_ask_the_checker(settings, name, policy):
    from rest_framework.exceptions import ValidationError as ApiValidationError

    setattr(settings, SIZE_SETTING[policy], 1024 * 1024)
    field = OnboardingSubmitSerializer().fields[name]
    cases = [
        (f"big.{policy.extensions[0]}", b"x" * (2 * 1024 * 1024)),
        ("virus.exe", b"MZ\x90\x00"),
        bomb_for(policy)[:2],
    ]
    for filename, data in cases:
        with pytest.raises(ApiValidationError):
            field.run_validation(SimpleUploadedFile(filename, data))
