"""Bodies in the GeoReport v2 formats: JSON as the data, XML with the specification's element
names (a list becomes repeated child elements named by ``ITEM_TAGS``; ``None`` an empty
element; booleans ``true``/``false``)."""

from __future__ import annotations

import datetime as dt
import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = {"json": "application/json", "xml": "text/xml"}

# The element of each item of a list, by the list's element name.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


# Characters XML 1.0 cannot carry at all (ElementTree would write them and break the document).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item_tag), child)
    else:
        element.text = _text(value)


def to_xml(data, root: str) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _default(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_default).encode("utf-8")


def render(data, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """``data`` in ``fmt``; ``root`` names the XML document element (``services``,
    ``service_requests``, ``errors``…); JSON is the data itself."""
    body = to_xml(data, root) if fmt == "xml" else to_json(data)
    content_type = f"{FORMATS.get(fmt, FORMATS['json'])}; charset=utf-8"
    return HttpResponse(body, status=status, content_type=content_type)


def render_errors(errors: list[dict], *, fmt: str, status: int) -> HttpResponse:
    """The specification's error body: a list of ``{code, description}``."""
    return render(errors, fmt=fmt, root="errors", status=status)
