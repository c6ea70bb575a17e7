"""The cast of the workflow tests (tests/servicedesk/conftest.py) plus API clients, files and a
private media root per test."""

import io

import pytest
from PIL import Image
from rest_framework.test import APIClient

from tests.api.conftest import make_agreement, make_token  # noqa: F401
from tests.servicedesk.conftest import (  # noqa: F401
    anna,
    boris,
    call_centre,
    call_operator,
    classifier,
    contractor,
    contractor_dispatcher,
    file_request,
    links,
    other_uo_dispatcher,
    rso_dispatcher,
    sr,
    uo_accountant,
    uo_engineer,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, _private_files):
    """Uploads are private (S5): a private root of this test only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def stored_files(_media):
    """The files on disk under the private root, as relative paths."""

    def _list():
        if not _media.exists():
            return []
        return sorted(str(p.relative_to(_media)) for p in _media.rglob("*") if p.is_file())

    return _list


@pytest.fixture
def client_of():
    """An API client logged in as ``user`` (a person's session)."""

    def _client(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _client


def jpeg_bytes(size=(800, 600), color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png_bytes(size=(50, 40)):
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 0, 128)).save(out, "PNG")
    return out.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
