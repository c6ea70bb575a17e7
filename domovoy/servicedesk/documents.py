"""Confirming documents attached to workflow actions (the works-done document, the UO's
verification evidence, the resident's signed act; R9, R10): one rule for pages, the API and the
transition service, which enforces it."""

import os

from django.conf import settings
from django.utils.translation import gettext as _

# Confirming documents of a transition (works-done document, verification evidence): the kinds a
# scan or an exported document comes in, and a size limit (settings may narrow or widen them).
DEFAULT_DOCUMENT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "heic", "tif", "tiff", "doc", "docx")
DEFAULT_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# Leading bytes of the binary formats above; a file whose bytes do not match its extension
# is refused (a renamed executable is not a «скан акта»).
MAGIC = {
    "pdf": (b"%PDF",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "docx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
}


def document_extensions():
    return tuple(getattr(settings, "SERVICEDESK_DOCUMENT_EXTENSIONS", DEFAULT_DOCUMENT_EXTENSIONS))


def document_max_bytes():
    return getattr(settings, "SERVICEDESK_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES)


def check_document(upload):
    """Type (by extension and by the file's first bytes) and size of a confirming document;
    raises ``ValueError`` with the message a person reads. Leaves the file at its start."""
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    allowed = document_extensions()
    if ext not in allowed:
        raise ValueError(
            _("«%(name)s»: допустимые типы файлов: %(types)s")
            % {"name": name, "types": ", ".join(allowed)}
        )
    limit = document_max_bytes()
    if upload.size > limit:
        raise ValueError(
            _("«%(name)s»: файл больше %(mb)s МБ")
            % {"name": name, "mb": round(limit / 1024 / 1024, 1)}
        )
    signatures = MAGIC.get(ext)
    if signatures:
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(sig) for sig in signatures):
            raise ValueError(
                _("«%(name)s»: содержимое файла не соответствует расширению .%(ext)s")
                % {"name": name, "ext": ext}
            )
    return upload
