"""The one home of the rules for files people upload (S7, DESIGN.md §7).

Every place that accepts a file asks ``check_upload`` / ``check_uploads`` with a ``Policy``
(which extensions, how large). The content rules are the same for all of them:

- the type by extension AND by content (magic bytes; images are opened by Pillow, which reads
  only the header; OOXML / ODF documents must be zips holding their main part);
- the size, from the upload's declared size before a byte is read;
- images: at most ``UPLOAD_IMAGE_MAX_PIXELS`` pixels (default 40 Mpx), checked from the header
  before any decoding; Pillow's own ``MAX_IMAGE_PIXELS`` is set to the same bound;
- zips (XLSX, DOCX, ODT): from the central directory only, before any parser sees the file —
  member count (``UPLOAD_ZIP_MAX_MEMBERS``), each member's and the total uncompressed size
  (``UPLOAD_ZIP_MAX_MEMBER_BYTES``, ``UPLOAD_ZIP_MAX_TOTAL_BYTES``), the compression ratio of
  large members (``UPLOAD_ZIP_MAX_RATIO``) and nested archives. ``zipfile`` never inflates a
  member past its declared size (the CRC check fails), so the declared sizes bound the parser.

Parsing a spreadsheet is the worker's job; ``check_xlsx_cells`` streams the workbook's XML in
bounded chunks before openpyxl opens it and refuses any text run longer than a cell may be
(``UPLOAD_XLSX_MAX_CELL_CHARS``), so openpyxl never builds a huge string. Messages are Russian
and name the file and the limit.
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from domovoy.core.errors import ApplicationError

MB = 1024 * 1024
# Members smaller than this are not judged by their ratio (tiny XML parts compress a lot).
RATIO_FLOOR_BYTES = 1 * MB
CHUNK = 1 * MB

# What each extension must be inside: (MIME type, content check).
KNOWN_TYPES: dict[str, tuple[str, str]] = {
    "jpg": ("image/jpeg", "image:JPEG"),
    "jpeg": ("image/jpeg", "image:JPEG"),
    "png": ("image/png", "image:PNG"),
    "webp": ("image/webp", "image:WEBP"),
    "tif": ("image/tiff", "image:TIFF"),
    "tiff": ("image/tiff", "image:TIFF"),
    "heic": ("image/heic", "heic"),
    "pdf": ("application/pdf", "pdf"),
    "doc": ("application/msword", "ole"),
    "xls": ("application/vnd.ms-excel", "ole"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip:word/document.xml",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip:xl/workbook.xml",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", "odt"),
    "rtf": ("application/rtf", "rtf"),
    "txt": ("text/plain", "text"),
    "csv": ("text/csv", "text"),
}
IMAGE_EXTENSIONS = frozenset(ext for ext, (_m, c) in KNOWN_TYPES.items() if c.startswith("image:"))
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")


@dataclass(frozen=True)
class Policy:
    """Which files one place accepts: extensions and a size limit, each read from a setting of
    settings.py (env-driven) when asked, so that a changed setting applies at once."""

    configured_extensions: Callable[[], Iterable[str]]
    configured_max_bytes: Callable[[], int]

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(
            e
            for e in (str(x).lower().lstrip(".") for x in self.configured_extensions())
            if e in KNOWN_TYPES
        )

    @property
    def max_bytes(self) -> int:
        return int(self.configured_max_bytes())

    def rules_text(self) -> str:
        return _("%(types)s, не больше %(mb)s МБ") % {
            "types": ", ".join(self.extensions),
            "mb": f"{self.max_bytes / MB:g}",
        }


# The places that accept files.
ATTACHMENT = Policy(  # comments and intake of requests (R7)
    lambda: settings.SERVICEDESK_UPLOAD_TYPES, lambda: settings.SERVICEDESK_UPLOAD_MAX_BYTES
)
DOCUMENT = Policy(  # confirming documents of workflow actions (R9, R10)
    lambda: settings.SERVICEDESK_DOCUMENT_EXTENSIONS,
    lambda: settings.SERVICEDESK_DOCUMENT_MAX_BYTES,
)
SPREADSHEET = Policy(  # the files of appendix 2 of onboarding (D5)
    lambda: settings.ONBOARDING_FILE_TYPES, lambda: settings.UPLOAD_MAX_BYTES
)
LICENSE_SCAN = Policy(  # licence scans of management companies (D1, D5)
    lambda: settings.LICENSE_SCAN_TYPES, lambda: settings.UPLOAD_MAX_BYTES
)
HELP_FILE = Policy(  # files of help articles and regulations
    lambda: settings.HELP_FILE_TYPES, lambda: settings.UPLOAD_MAX_BYTES
)


# Every FileField of the project and the policy its uploads pass (``None``: the file is made
# by the code, never uploaded — the thumbnail of an attached image). A test enumerates every
# FileField and fails on one missing here, so a new upload field cannot skip the checker.
FIELD_POLICIES: dict[str, Policy | None] = {
    "servicedesk.Attachment.file": ATTACHMENT,
    "servicedesk.Attachment.thumbnail": None,
    "servicedesk.RequestEvent.document": DOCUMENT,
    "directory.Organization.license_scan": LICENSE_SCAN,
    "onboarding.OnboardingRequest.license_scan": LICENSE_SCAN,
    "onboarding.OnboardingFile.file": SPREADSHEET,
    "announcements.GuideVersion.file": HELP_FILE,
}


def policy_for(model, field_name: str) -> Policy | None:
    """The policy of a model's FileField (``KeyError`` for a field nobody registered)."""
    return FIELD_POLICIES[f"{model._meta.label}.{field_name}"]


class UploadError(ApplicationError):
    def __init__(self, messages, *, field="file", code="invalid_file"):
        messages = list(messages)
        super().__init__(
            _("Файлы не приняты: %(errors)s") % {"errors": "; ".join(messages)},
            code=code,
            fields={field: messages},
        )
        self.messages = messages


@dataclass
class Checked:
    """A file that passed every rule."""

    upload: object
    name: str
    ext: str
    content_type: str
    size: int
    is_image: bool


class _Refused(Exception):
    pass


# --- entry points ----------------------------------------------------------------------------


def display_name(upload) -> str:
    name = str(getattr(upload, "name", "") or "файл").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:255] or "файл"


def check_upload(upload, policy: Policy, *, field="file") -> Checked:
    """One file against ``policy`` and the content rules; raises ``UploadError`` (field
    ``field``) naming the file and the reason. Reads only headers and the zip directory;
    leaves the file at its start."""
    try:
        return _check(upload, policy)
    except _Refused as exc:
        raise UploadError([str(exc)], field=field) from None


def check_uploads(files, policy: Policy, *, field="files", max_files=None) -> list[Checked]:
    """Several files; every refused file is listed in one ``UploadError``."""
    files = [f for f in (files or ()) if f is not None]
    if max_files is not None and len(files) > max_files:
        message = _("Можно приложить не больше %(n)s файлов, выбрано %(k)s") % {
            "n": max_files,
            "k": len(files),
        }
        raise UploadError([message], field=field, code="too_many_files")
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(_check(upload, policy))
        except _Refused as exc:
            errors.append(str(exc))
    if errors:
        raise UploadError(errors, field=field)
    return checked


def validator(policy: Policy):
    """A field validator for Django forms and DRF serializers (both accept Django's
    ``ValidationError``)."""

    def validate(upload):
        if not upload:
            return
        try:
            _check(upload, policy)
        except _Refused as exc:
            raise ValidationError(str(exc), code="invalid_file") from None

    validate.policy = policy
    return validate


# --- the rules -------------------------------------------------------------------------------


def _check(upload, policy: Policy) -> Checked:
    name = display_name(upload)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = policy.extensions
    if ext not in allowed:
        raise _Refused(
            _("«%(name)s»: такой тип файла не принимается; можно: %(types)s")
            % {"name": name, "types": ", ".join(allowed)}
        )
    limit = policy.max_bytes
    size = _size(upload)
    if size > limit:
        raise _Refused(
            _("«%(name)s»: файл больше %(mb)s МБ") % {"name": name, "mb": f"{limit / MB:g}"}
        )
    if size == 0:
        raise _Refused(_("«%(name)s»: файл пустой") % {"name": name})
    content_type, rule = KNOWN_TYPES[ext]
    try:
        problem = _content_problem(upload, rule)
    finally:
        _rewind(upload)
    if problem is None:
        return Checked(upload, name, ext, content_type, size, rule.startswith("image:"))
    if problem == "mismatch":
        problem = _("содержимое файла не соответствует расширению .%(ext)s") % {"ext": ext}
    raise _Refused(f"«{name}»: {problem}")


def _size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is not None:
        return int(size)
    pos = upload.tell()
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(pos)
    return size


def _rewind(upload):
    if hasattr(upload, "seek"):
        upload.seek(0)


def _head(upload, n=16) -> bytes:
    _rewind(upload)
    head = upload.read(n)
    _rewind(upload)
    return head if isinstance(head, bytes) else bytes(head)


def _content_problem(upload, rule: str) -> str | None:
    """None when the content fits ``rule``; "mismatch" or a sentence otherwise."""
    head = _head(upload, 16)
    if rule.startswith("image:"):
        return image_problem(upload, rule[6:])
    if rule == "heic":
        return None if head[4:8] == b"ftyp" else "mismatch"
    if rule == "pdf":
        return None if head.startswith(b"%PDF-") else "mismatch"
    if rule == "ole":  # legacy Word / Excel: an OLE2 compound document
        return None if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") else "mismatch"
    if rule == "rtf":
        return None if head.startswith(b"{\\rtf") else "mismatch"
    if rule == "text":
        _rewind(upload)
        sample = upload.read(64 * 1024)
        return "mismatch" if b"\x00" in sample else None
    if rule.startswith("zip:") or rule == "odt":
        if not head.startswith(b"PK\x03\x04"):
            return "mismatch"
        return zip_problem(upload, required=None if rule == "odt" else rule[4:], odt=rule == "odt")
    raise AssertionError(f"unknown content rule {rule}")


# --- images ----------------------------------------------------------------------------------


def pillow():
    """Pillow's Image module with its decompression-bomb bound set from the setting."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = int(settings.UPLOAD_IMAGE_MAX_PIXELS)
    return Image


def image_problem(upload, expected_format: str) -> str | None:
    """Open the image header only (no pixel is decoded) and check format and pixel count."""
    Image = pillow()
    limit = int(settings.UPLOAD_IMAGE_MAX_PIXELS)
    _rewind(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                fmt, (width, height) = image.format, image.size
    except Image.DecompressionBombError:
        return _too_many_pixels(None, None, limit)
    except Exception:  # noqa: BLE001 - an unreadable header means "not this image type"
        return "mismatch"
    if fmt != expected_format:
        return "mismatch"
    if width * height > limit:
        return _too_many_pixels(width, height, limit)
    return None


def _too_many_pixels(width, height, limit):
    mpx = f"{limit / 1_000_000:g}"
    if width is None:
        return _("изображение больше %(mpx)s мегапикселей") % {"mpx": mpx}
    return _(
        "изображение %(w)s×%(h)s пикселей больше допустимых %(mpx)s мегапикселей; "
        "уменьшите его и приложите снова"
    ) % {"w": width, "h": height, "mpx": mpx}


# --- zips ------------------------------------------------------------------------------------


def zip_problem(upload, *, required=None, odt=False) -> str | None:
    """Bounds of a zip from its central directory (see the module docstring)."""
    _rewind(upload)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return "mismatch"
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if required and required not in names:
            return "mismatch"
        max_members = int(settings.UPLOAD_ZIP_MAX_MEMBERS)
        if len(infos) > max_members:
            return _("в архиве больше %(n)s частей") % {"n": max_members}
        member_limit = int(settings.UPLOAD_ZIP_MAX_MEMBER_BYTES)
        total_limit = int(settings.UPLOAD_ZIP_MAX_TOTAL_BYTES)
        ratio_limit = float(settings.UPLOAD_ZIP_MAX_RATIO)
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > member_limit or total > total_limit:
                return _("после распаковки файл больше %(mb)s МБ; разделите его на несколько") % {
                    "mb": f"{min(member_limit, total_limit) / MB:g}"
                }
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > ratio_limit * max(
                1, info.compress_size
            ):
                return _(
                    "файл сжат подозрительно сильно (более чем в %(ratio)s раз) и не принимается"
                ) % {"ratio": f"{ratio_limit:g}"}
            if info.flag_bits & 0x1:
                return _("файл зашифрован")
        for info in infos:
            if info.is_dir() or not info.file_size:
                continue
            try:
                with archive.open(info) as member:
                    head = member.read(8)
            except Exception:  # noqa: BLE001 - a broken member is a broken file
                return "mismatch"
            if head.startswith(_ARCHIVE_MAGIC):
                return _("внутри файла вложенный архив (%(name)s); такие файлы не принимаются") % {
                    "name": info.filename.rsplit("/", 1)[-1]
                }
        if odt:
            try:
                mime = archive.read("mimetype").strip()
            except KeyError:
                return "mismatch"
            if mime != b"application/vnd.oasis.opendocument.text":
                return "mismatch"
    return None


def check_xlsx_cells(fileobj, *, name="") -> None:
    """Stream every XML part of a workbook (bounded chunks) and refuse a text run longer than
    a cell may be, before openpyxl builds it. Raises ``UploadError``."""
    max_chars = int(settings.UPLOAD_XLSX_MAX_CELL_CHARS)
    # A character takes at most 4 bytes in UTF-8, an escaped one (&quot;) 6.
    max_run = max_chars * 6
    label = name or display_name(fileobj)
    _rewind(fileobj)
    problem = zip_problem(fileobj, required="xl/workbook.xml")
    if problem == "mismatch":
        problem = _("файл XLSX не удалось прочитать")
    if problem is None:
        with zipfile.ZipFile(fileobj) as archive:
            for info in archive.infolist():
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                if _longest_run_exceeds(archive, info, max_run):
                    problem = _("в файле есть ячейка длиннее %(n)s символов") % {"n": max_chars}
                    break
    _rewind(fileobj)
    if problem:
        raise UploadError([f"«{label}»: {problem}"])


def _longest_run_exceeds(archive, info, max_run) -> bool:
    # A run is anchored at a delimiter (or the start), so each run is scanned once: linear.
    too_long = re.compile(rb"(?:\A|[<>])[^<>]{%d}" % (max_run + 1))
    carry = b""  # the text after the last delimiter of the previous chunk (< max_run bytes)
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            data = carry + chunk
            if too_long.search(data):
                return True
            cut = max(data.rfind(b"<"), data.rfind(b">"))
            carry = data[cut + 1 :] if cut >= 0 else data
    return False
