"""Files the API tests upload: images, a PDF, and an upload of any bytes."""

import io

from PIL import Image


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
