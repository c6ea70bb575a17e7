"""core.exports: the one XLSX writer (XlsxWriter) of every export (issue 10, item 6); the
produced workbooks are read back with openpyxl, the library kept for reading imports only."""

import ast
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from domovoy.core import exports

ROOT = Path(__file__).resolve().parents[2] / "domovoy"


def read(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_helper_writes_cells_that_openpyxl_reads_back():
    sheet = exports.Sheet(
        title="Отключения",
        preamble=[["Отчёт за декабрь"]],
        header=["Дом", "Часы", "Дата", "Итого"],
        rows=[
            ["ул. Мира, 1", 12, dt.date(2026, 12, 20), Decimal("1.5")],
            ['=HYPERLINK("http://x")', -3.25, dt.datetime(2026, 12, 20, 10, 30), None],
        ],
        freeze_header=True,
    )
    book = read(exports.xlsx_bytes([sheet]))
    ws = book["Отключения"]
    assert ws["A1"].value == "Отчёт за декабрь"
    assert [c.value for c in ws[2]] == ["Дом", "Часы", "Дата", "Итого"]
    assert ws["A2"].font.bold
    assert ws["A3"].value == "ул. Мира, 1"
    assert ws["B3"].value == 12 and ws["B3"].data_type == "n"
    assert ws["C3"].value == dt.datetime(2026, 12, 20) and ws["C3"].number_format == "dd.mm.yyyy"
    assert ws["D3"].value == 1.5
    assert ws["A4"].value == '\'=HYPERLINK("http://x")' and ws["A4"].data_type == "s"
    assert ws["B4"].value == -3.25
    assert ws["C4"].value == dt.datetime(2026, 12, 20, 10, 30)
    assert ws["D4"].value is None
    assert ws.freeze_panes == "A3"


def test_several_sheets_and_the_large_streamed_response():
    sheets = [
        exports.Sheet(title="a", header=["n"], rows=[[i] for i in range(3)]),
        exports.Sheet(title="b" * 40, header=["x"], rows=[["y"]]),
    ]
    response = exports.xlsx_response(sheets, filename="t.xlsx", large=True)
    assert response["Content-Type"] == exports.XLSX_TYPE
    book = read(b"".join(response.streaming_content))
    assert book.sheetnames == ["a", "b" * 31]
    assert [r[0].value for r in book["a"].iter_rows(min_row=2)] == [0, 1, 2]


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize(
    ("library", "allowed"),
    [("xlsxwriter", {"core/exports.py"}), ("openpyxl", {"onboarding/importers.py"})],
)
def test_one_library_writes_xlsx_and_openpyxl_only_reads_imports(library, allowed):
    users = {
        str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py") if library in set(_imports(path))
    }
    assert users <= allowed
