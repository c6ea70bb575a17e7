"""Confirming documents attached to workflow actions (the works-done document, the UO's
verification evidence, the resident's signed act; R9, R10): one rule for pages, the API and the
transition service, which enforces it. The rule itself is ``core.uploads`` (policy DOCUMENT:
``SERVICEDESK_DOCUMENT_EXTENSIONS``, ``SERVICEDESK_DOCUMENT_MAX_BYTES``)."""

from domovoy.core import uploads


def document_extensions():
    return uploads.DOCUMENT.extensions


def document_max_bytes():
    return uploads.DOCUMENT.max_bytes


def check_document(upload):
    """Type (by extension and by content), size, pixels of a scan, bounds of a zip; raises
    ``ValueError`` with the message a person reads. Leaves the file at its start."""
    try:
        uploads.check_upload(upload, uploads.DOCUMENT)
    except uploads.UploadError as exc:
        raise ValueError("; ".join(exc.messages)) from None
    return upload
