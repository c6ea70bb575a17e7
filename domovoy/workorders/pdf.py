"""The printed work order (R9): ReportLab with the DejaVu fonts bundled in ``fonts/`` (Cyrillic
without any system font). The document follows its version's layout, section by section, and
prints the snapshot taken at generation, so a reprint years later shows the same document."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import definition
from .models import SectionKind

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DomovoyDejaVuSans"
FONT_BOLD = "DomovoyDejaVuSans-Bold"
MARGIN = 14 * mm
# The frame keeps 6 pt of padding on each side: tables span exactly the text width.
PAGE_WIDTH = A4[0] - 2 * MARGIN - 12
GRID = colors.HexColor("#9aa4ae")
SHADE = colors.HexColor("#eef1f4")


def _register_fonts():
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


def _styles():
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=11.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "muted": ParagraphStyle(
            "muted", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#555555")
        ),
        "org": ParagraphStyle("org", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=18,
            alignment=TA_CENTER,
            spaceBefore=3 * mm,
        ),
        "number": ParagraphStyle(
            "number", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16, alignment=TA_CENTER
        ),
        "section": ParagraphStyle(
            "section",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=14,
            spaceBefore=3.5 * mm,
            spaceAfter=1.2 * mm,
        ),
        "label": ParagraphStyle(
            "label", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#333333")
        ),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=FONT_BOLD, fontSize=8.5),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
    }


def _p(text, style):
    """A paragraph of plain text: escaped, line breaks kept."""
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _date(value) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d.%m.%Y")
    return value.strftime("%d.%m.%Y")


def _datetime(value) -> str:
    value = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%d.%m.%Y %H:%M")


def _pairs_table(rows, st):
    """Label | value rows with a light grid."""
    data = [
        [_p(label, st["label"]), _p(value if value not in ("", None) else "—", st["base"])]
        for label, value in rows
    ]
    table = Table(data, colWidths=[50 * mm, PAGE_WIDTH - 50 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def _section_title(section, default, st):
    return _p(section.get("title") or default, st["section"])


def _header(work_order, st):
    org = work_order.snapshot.get("organization", {})
    ids = f"ИНН {org.get('inn', '')}"
    if org.get("kpp"):
        ids += f"   КПП {org['kpp']}"
    if org.get("ogrn"):
        ids += f"   ОГРН {org['ogrn']}"
    lines = [
        _p(org.get("full_name") or org.get("short_name"), st["org"]),
        _p(ids, st["small"]),
        _p(f"Адрес: {org.get('address', '')}", st["small"]),
        _p(f"Телефон диспетчерской: {org.get('dispatcher_phone', '')}", st["small"]),
    ]
    rule = Table([[""]], colWidths=[PAGE_WIDTH], rowHeights=[2])
    rule.setStyle(
        TableStyle(
            [("FONTNAME", (0, 0), (-1, -1), FONT), ("LINEBELOW", (0, 0), (-1, -1), 1, colors.black)]
        )
    )
    return [
        *lines,
        Spacer(1, 2 * mm),
        rule,
        _p(work_order.version.title, st["title"]),
        _p(f"№ {work_order.number} от {_date(work_order.created_at)}", st["number"]),
    ]


def _request(section, work_order, st):
    req = work_order.snapshot.get("request", {})
    number = f"№ {req.get('number', '')} от {_datetime(req['created_at'])}"
    if req.get("is_emergency"):
        number += "  (аварийная)"
    rows = [
        ("Заявка", number),
        ("Адрес", req.get("address")),
        ("Помещение", f"кв. {req['premises']}" if req.get("premises") else ""),
        ("Заявитель", req.get("caller_name")),
        ("Контактный телефон", req.get("phone")),
        ("Тема", req.get("topic")),
        ("Текст заявки", req.get("text")),
    ]
    return [_section_title(section, "Сведения о заявке", st), _pairs_table(rows, st)]


def _fields(section, work_order, st):
    version = work_order.version
    rows = []
    for name in section["fields"]:
        field = version.field(name)
        rows.append((field["label"], definition.display_value(field, work_order.data.get(name))))
    return [_section_title(section, "", st), _pairs_table(rows, st)] if rows else []


def _works(section, work_order, st):
    field = work_order.version.field(section["field"])
    rows = work_order.data.get(section["field"]) or []
    head = ["№", "Наименование работ", "Ед. изм.", "Кол-во"]
    data = [[_p(text, st["cell_head"]) for text in head]]
    for index, row in enumerate(rows, start=1):
        data.append(
            [
                _p(index, st["base"]),
                _p(row["name"], st["base"]),
                _p(row.get("unit") or "", st["base"]),
                _p(definition.format_quantity(row["quantity"]), st["right"]),
            ]
        )
    if not rows:
        data.append([_p("", st["base"]), _p("—", st["base"]), "", ""])
    widths = [10 * mm, PAGE_WIDTH - 10 * mm - 24 * mm - 22 * mm, 24 * mm, 22 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return [_section_title(section, field["label"], st), table]


def _note(section, work_order, st):
    parts = [_section_title(section, "", st)] if section.get("title") else [Spacer(1, 3 * mm)]
    return [*parts, _p(section["text"], st["base"])]


def _signatures(section, work_order, st):
    author = work_order.snapshot.get("author", {})
    req = work_order.snapshot.get("request", {})
    executor = author.get("name", "")
    if author.get("position"):
        executor = f"{author['position']} {executor}"
    blank = "_" * 20
    date_line = "«____» ______________ 20____ г."
    resident = req.get("caller_name") or blank
    data = [
        [
            _p("Исполнитель:", st["cell_head"]),
            _p(f"Заказ-наряд составил: {executor}", st["base"]),
        ],
        ["", _p(f"Работы выполнил: {blank} (подпись)  / {blank} /", st["base"])],
        ["", _p(date_line, st["base"])],
        ["", Spacer(1, 3 * mm)],
        [
            _p("Заявитель:", st["cell_head"]),
            _p("Работы принял, претензий не имею.", st["base"]),
        ],
        ["", _p(f"{blank} (подпись)  / {resident} /", st["base"])],
        ["", _p(date_line, st["base"])],
    ]
    table = Table(data, colWidths=[30 * mm, PAGE_WIDTH - 30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    title = _section_title(section, "Подписи", st)
    return [KeepTogether([title, table])]


RENDERERS = {
    SectionKind.REQUEST: _request,
    SectionKind.FIELDS: _fields,
    SectionKind.WORKS: _works,
    SectionKind.NOTE: _note,
    SectionKind.SIGNATURES: _signatures,
}


def _footer_canvas(footer_text):
    """A canvas that prints «стр. N из M» and the form's version at the foot of each page."""

    class FooterCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - ReportLab's API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillColor(colors.HexColor("#666666"))
                self.drawString(MARGIN + 6, 9 * mm, footer_text)
                self.drawRightString(
                    A4[0] - MARGIN - 6, 9 * mm, f"стр. {self._pageNumber} из {total}"
                )
                super().showPage()
            super().save()

    return FooterCanvas


def render_work_order_pdf(work_order) -> bytes:
    """The work order as a PDF document (A4)."""
    _register_fonts()
    st = _styles()
    version = work_order.version
    story = []
    for section in version.layout:
        kind = section["kind"]
        if kind == SectionKind.HEADER:
            story.extend(_header(work_order, st))
        else:
            story.extend(RENDERERS[kind](section, work_order, st))
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"Заказ-наряд № {work_order.number}",
        author=work_order.snapshot.get("organization", {}).get("short_name", ""),
        subject=f"Заявка № {work_order.snapshot.get('request', {}).get('number', '')}",
        creator="Домовой",
        # Not ReportLab's default Helvetica: every glyph comes from the bundled font.
        initialFontName=FONT,
    )
    footer = (
        f"Заказ-наряд № {work_order.number} · форма «{version.template.title}», "
        f"версия {version.number}"
    )
    doc.build(story, canvasmaker=_footer_canvas(footer))
    return buffer.getvalue()
