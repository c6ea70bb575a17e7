"""The text a person reads on a page, and the Latin identifiers that leaked into it (issue 12).

``visible_text(html)`` keeps the text nodes of an HTML page and drops what nobody reads as text:
``<script>``, ``<style>``, ``<template>``, ``<noscript>``, ``<svg>``, attributes (hidden inputs
included, they have no text), and every element marked ``translate="no"`` — the standard HTML
mark of content that is not in the page's language: a login, an e-mail, the exact URL a probe
asked for. ``latin_identifiers(text)`` returns what a Russian page should not show: snake_case
words, dotted codes (``directory.organization``), ``None``/``True`` and any other word of three
or more Latin letters (two in lowercase: ``uo``) outside a short allowlist. E-mail addresses
and web addresses are user data by nature and are skipped by the check itself, so a browser
walk that reads
``page.inner_text("body")`` (or ``BROWSER_VISIBLE_TEXT_JS``, which also drops ``translate="no"``)
gets the same answer."""

import re
from html.parser import HTMLParser

# Elements whose content is never read as text.
_SKIPPED_TAGS = {"script", "style", "template", "noscript", "svg", "head"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip

# Words shown on purpose. Keep it short: every entry is a name people know in Latin letters.
ALLOWED = {
    # File formats offered for download («Выгрузить в XLSX») or accepted for upload (the hints
    # «jpg, png, pdf, до 10 МБ»), and the text encodings a CSV upload accepts («UTF-8»).
    "pdf", "xlsx", "xls", "csv", "json", "geojson", "xml", "html", "doc", "docx", "odt", "ods",
    "rtf", "txt", "jpg", "jpeg", "png", "webp", "gif", "heic", "utf", "windows",
    # Names of protocols, standards and channels as people know them.
    "api", "sms", "email", "e-mail", "telegram", "push", "open311", "georeport", "rest",
    "openapi", "http", "https", "url", "vapid", "ip",
    # «call-центр»: the Russian professional word for the centre, in the names of an
    # organisation kind and a role («Call-центр (ЦОЗ / ЕДДС)», «Оператор call-центра»).
    "call",
    # Units and ID formats.
    "utc", "msk", "gmt", "id",
    # The product and brand names shown in the footer and the help pages.
    "domovoy", "django", "leaflet", "openstreetmap", "osm", "bootstrap", "htmx",
}  # fmt: skip

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
# A run of Latin letters, digits, dots, hyphens and underscores that starts with a letter.
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9_]|[A-Za-z]")
_SNAKE = re.compile(r"[A-Za-z0-9]+_[A-Za-z0-9_]*")
_DOTTED = re.compile(r"[A-Za-z]+\.[A-Za-z]")


class _Extractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped) of the open elements

    @property
    def skipping(self):
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        attrs = dict(attrs)
        skipped = (
            tag in _SKIPPED_TAGS
            or (attrs.get("translate") or "").lower() == "no"
            or "hidden" in attrs
        )
        self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        # Close up to the matching open tag (browsers forgive unclosed <p>, <li>, <td>).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text nodes of ``html`` a reader sees, joined by spaces."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def latin_identifiers(text: str) -> list[str]:
    """The Latin identifiers in ``text`` (visible text of a page), in order, each once."""
    text = _URL.sub(" ", _EMAIL.sub(" ", text))
    found: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group().strip(".-")
        if not token:
            continue
        bad = bool(_SNAKE.fullmatch(token) or _SNAKE.search(token) or _DOTTED.search(token))
        if not bad:
            words = [w for w in re.split(r"[-.0-9]+", token) if w]
            # Three letters or more; two lowercase letters too (``uo``, ``pk``: codes, while
            # «IP», «ID» in capitals are abbreviations).
            bad = any(
                (len(w) >= 3 or (len(w) == 2 and w.islower())) and w.lower() not in ALLOWED
                for w in words
            )
            if token.lower() in ALLOWED:
                bad = False
        if bad and token not in found:
            found.append(token)
    return found


# For a Playwright walk: the body's text without the elements marked translate="no".
BROWSER_VISIBLE_TEXT_JS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[translate="no"], script, style, template, noscript')
      .forEach((el) => el.remove());
  document.documentElement.appendChild(body);
  body.style.position = 'absolute'; body.style.left = '-99999px';
  const text = body.innerText;
  body.remove();
  return text;
}"""
