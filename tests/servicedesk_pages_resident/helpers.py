"""Helpers of the resident and call-centre page tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from tests.servicedesk.helpers import act  # noqa: F401 - re-exported for the tests


def png(name="leak.png", size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def queries_of(client, url):
    """How many queries a page takes (and that it answers 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def text_of(response) -> str:
    return response.content.decode()
