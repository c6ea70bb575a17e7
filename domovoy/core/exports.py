"""The one home of spreadsheet exports (CSV and XLSX) for the whole project.

Every export goes through here so that one rule holds everywhere (DESIGN §7): a text cell
that starts with ``= + - @`` or a tab/carriage return is prefixed with ``'`` so that no
spreadsheet reads it as a formula (a building named ``=HYPERLINK(...)`` stays text). Real
numbers (``int``, ``float``, ``Decimal``) stay numeric cells, negative ones included.
XLSX is written with XlsxWriter only, with ``strings_to_formulas``/``strings_to_urls`` off.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse, HttpResponse
from django.utils import timezone

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd.mm.yyyy"
DATETIME_FORMAT = "dd.mm.yyyy hh:mm:ss"


def neutralise(value):
    """``value`` as a safe cell: numbers, booleans and dates as they are, ``None`` as empty,
    anything else as text with a ``'`` in front of a formula lead character."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


@dataclass
class Sheet:
    """One worksheet: optional lines above the header (a title), the header, the rows."""

    title: str
    header: Sequence = ()
    rows: Iterable[Sequence] = ()
    preamble: Sequence[Sequence] = ()
    widths: Mapping[int, int] = field(default_factory=dict)
    header_notes: Mapping[int, str] = field(default_factory=dict)
    freeze_header: bool = False
    # Blank forms (onboarding templates): example rows in grey italics under the header, and
    # per column a list of allowed values offered as a drop-down (XLSX data validation) on
    # the first ``VALIDATED_ROWS`` data rows.
    examples: Sequence[Sequence] = ()
    choices: Mapping[int, Sequence[str]] = field(default_factory=dict)
    choices_prompt: str = ""


VALIDATED_ROWS = 10_000


# --- CSV ------------------------------------------------------------------------------------


def _csv_text(value) -> str:
    value = neutralise(value)
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def csv_bytes(header: Sequence, rows: Iterable[Sequence], *, delimiter: str = ";") -> bytes:
    """UTF-8 with BOM and semicolons: what a Russian-locale spreadsheet opens as columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    if header:
        writer.writerow([_csv_text(v) for v in header])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_response(header: Sequence, rows: Iterable[Sequence], *, filename: str) -> HttpResponse:
    response = HttpResponse(csv_bytes(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- XLSX -----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, book):
        self.book = book
        self.bold = book.add_format({"bold": True})
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.stamp = book.add_format({"num_format": DATETIME_FORMAT})
        grey = {"italic": True, "font_color": "#6c757d"}
        self.example = book.add_format(grey)
        self.example_date = book.add_format({**grey, "num_format": DATE_FORMAT})
        self.example_stamp = book.add_format({**grey, "num_format": DATETIME_FORMAT})

    def cell(self, sheet, row, col, value, fmt=None):
        value = neutralise(value)
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, col, value, fmt)
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, _local(value), fmt or self.stamp)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, fmt or self.date)
        elif value == "":
            sheet.write_blank(row, col, None, fmt)
        else:
            sheet.write_string(row, col, value, fmt)

    def sheet(self, spec: Sheet) -> int:
        sheet = self.book.add_worksheet(str(spec.title)[:31])
        for col, width in spec.widths.items():
            sheet.set_column(col, col, width)
        row = 0
        for line in spec.preamble:
            for col, value in enumerate(line):
                self.cell(sheet, row, col, value)
            row += 1
        if spec.header:
            for col, value in enumerate(spec.header):
                self.cell(sheet, row, col, value, self.bold)
                if col in spec.header_notes:
                    sheet.write_comment(row, col, str(spec.header_notes[col]))
            if spec.freeze_header:
                sheet.freeze_panes(row + 1, 0)
            row += 1
        first_data_row = row
        for line in spec.examples:
            for col, value in enumerate(line):
                fmt = self.example
                if isinstance(value, dt.datetime):
                    fmt = self.example_stamp
                elif isinstance(value, dt.date):
                    fmt = self.example_date  # a date keeps its format: it must read as a date
                self.cell(sheet, row, col, value, fmt)
            row += 1
        for col, values in spec.choices.items():
            options = {
                "validate": "list",
                "source": [str(v) for v in values],
                # a warning, not a stop: a cell may name several values («роль, роль»)
                "error_type": "warning",
            }
            if spec.choices_prompt:
                options["input_message"] = str(spec.choices_prompt)[:255]
            sheet.data_validation(
                first_data_row, col, first_data_row + VALIDATED_ROWS - 1, col, options
            )
        written = 0
        for line in spec.rows:
            for col, value in enumerate(line):
                self.cell(sheet, row, col, value)
            row += 1
            written += 1
        return written


def write_xlsx(fileobj, sheets: Iterable[Sheet], *, constant_memory: bool = False) -> int:
    """Write ``sheets`` to ``fileobj``; returns the number of data rows written."""
    book = xlsxwriter.Workbook(
        fileobj,
        {
            "in_memory": not constant_memory,
            "constant_memory": constant_memory,
            # Cells are data, never formulas or links (no injection through a stored field).
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    writer = _Writer(book)
    total = sum(writer.sheet(spec) for spec in sheets)
    book.close()
    return total


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def xlsx_response(sheets: Iterable[Sheet], *, filename: str, large: bool = False):
    """An XLSX download; ``large`` writes in constant memory to a temporary file and streams
    it (the audit log), otherwise the workbook is built in memory."""
    if not large:
        response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    tmp = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(tmp, sheets, constant_memory=True)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
