"""The connection form helps the applicant (D5, issue 12 item 9): required fields are marked
(an asterisk, a legend, aria-required), errors are summarised on top with links to the fields,
and the XLSX blanks carry an example row the importer skips and drop-down lists of the roles
and resources the importer accepts; a filled blank goes through the importer as it is."""

import io
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from domovoy.directory.models import Resource, Role
from domovoy.onboarding import blanks, checks, importers
from domovoy.onboarding.forms import ApplicationForm
from domovoy.onboarding.models import OnboardingRequest

from .files import uo_post_data

pytestmark = [pytest.mark.req("D5"), pytest.mark.django_db]
APPLY = "/onboarding/"
APPLICANT_ROLES = [
    "Диспетчер УО",
    "Инженер УО",
    "Диспетчер РСО / подрядчика",
    "Администратор организации",
]
RESOURCES = ["Холодная вода", "Горячая вода", "Отопление", "Электроэнергия", "Газ", "Водоотведение"]


def blank(client, kind):
    response = client.get(f"/onboarding/template/{kind}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def column_of(ws, label):
    header = [c.value for c in ws[1]]
    return get_column_letter(header.index(label) + 1)


def drop_down(ws, column):
    """The values of the list validation on ``column`` (and the range it covers)."""
    for dv in ws.data_validations.dataValidation:
        ranges = str(dv.sqref).split()
        if dv.type == "list" and any(r.startswith(f"{column}2:") for r in ranges):
            return dv.formula1.strip('"').split(","), ranges
    raise AssertionError(f"no drop-down list on column {column}")


def as_file(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    return buffer


def test_the_employees_blank_lists_the_roles_the_importer_accepts(client):
    ws = blank(client, "employees").worksheets[0]
    values, ranges = drop_down(ws, column_of(ws, "Роль"))
    assert values == APPLICANT_ROLES == blanks.role_labels()
    assert ranges == ["F2:F10001"]
    # each one, as written in the list, is a role the importer reads (for a kind allowing it)
    assert importers.parse_roles("Диспетчер УО", ["uo"]) == {Role.UO_DISPATCHER}
    assert importers.parse_roles("Инженер УО", ["uo"]) == {Role.UO_ENGINEER}
    assert importers.parse_roles("Диспетчер РСО / подрядчика", ["rso"]) == {
        Role.SUPPLIER_DISPATCHER
    }
    assert importers.parse_roles("Администратор организации", ["rso"]) == {Role.ORG_ADMIN}
    # several roles through commas, and the old slash-separated shorthand still work
    assert importers.parse_roles("Диспетчер УО, Администратор организации", ["uo"]) == {
        Role.UO_DISPATCHER,
        Role.ORG_ADMIN,
    }
    assert importers.parse_roles("Диспетчер/администратор", ["uo"]) == {
        Role.UO_DISPATCHER,
        Role.ORG_ADMIN,
    }


def test_the_served_blank_lists_the_resources_the_importer_accepts(client):
    ws = blank(client, "served").worksheets[0]
    values, _ranges = drop_down(ws, column_of(ws, "Ресурс"))
    assert values == RESOURCES == [str(label) for _c, label in Resource.choices]
    for label, code in zip(values, Resource.values, strict=True):
        assert importers._split_resources(label) == [code]


def test_the_accounts_blank_has_both_sheets_and_no_lists(client):
    book = blank(client, "accounts")
    assert [ws.title for ws in book.worksheets] == ["Лицевые счета", "Дома"]
    for ws in book.worksheets:
        assert list(ws.data_validations.dataValidation) == []


@pytest.mark.parametrize("kind", ["employees", "served", "accounts"])
def test_every_blank_has_one_example_row_marked_in_the_number_column(client, kind):
    for ws in blank(client, kind).worksheets:
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][0] == "№ п/п" and len(rows) == 2
        assert rows[1][0] == "Пример"
        assert ws["B2"].font.i  # in italics: not a row of data
        assert ws["A1"].comment and "не загружается" in ws["A1"].comment.text


def fill(book, sheet_rows):
    """Type rows under the example, as an applicant does (the example stays)."""
    for ws, rows in zip(book.worksheets, sheet_rows, strict=False):
        for row in rows:
            ws.append(row)
    return as_file(book)


def test_a_filled_employees_blank_round_trips_and_its_example_is_skipped(client):
    filled = fill(
        blank(client, "employees"),
        [
            [
                [1, "Смирнова Анна Петровна", "Диспетчер", "smirnova@uk.ru", "", "Диспетчер УО"],
                [
                    2,
                    "Кузнецов Олег Игоревич",
                    "Инженер",
                    "k@uk.ru",
                    "",
                    "Инженер УО, Администратор организации",
                ],
            ]
        ],
    )
    parsed, report = checks.validate_sources(
        kinds=["uo"], sources={"employees": filled}, applicant_inn="4401000005"
    )
    assert report.errors == []
    assert [(r["line"], r["full_name"], r["roles"]) for r in parsed["employees"]] == [
        (3, "Смирнова Анна Петровна", ["uo_dispatcher"]),
        (4, "Кузнецов Олег Игоревич", ["org_admin", "uo_engineer"]),
    ]
    assert [(w["line"], w["reason"]) for w in report.warnings] == [(2, "строка-пример пропущена")]


def test_a_filled_served_blank_round_trips(client, uo, rso):
    filled = fill(blank(client, "served"), [[[1, rso.short_name, rso.inn, "Холодная вода"]]])
    parsed, report = checks.validate_sources(
        kinds=["uo"], sources={"served": filled}, applicant_inn=uo.inn
    )
    assert report.errors == []
    assert [(r["inn"], r["resource"], r["direction"]) for r in parsed["served"]] == [
        (rso.inn, "cold_water", "provider")
    ]


def test_a_filled_accounts_blank_round_trips(client):
    book = blank(client, "accounts")
    accounts, buildings = book.worksheets
    building = ["г. Кострома", "Центральный", "ул. Новая", "5", "", 2, 5, 57.76, 40.93, None]
    filled = fill(
        book,
        [
            [
                [1, "г. Кострома", "Центральный", "ул. Новая", "5", "", "1", "7700000001"],
                [2, "г. Кострома", "Центральный", "ул. Новая", "5", "", "2", "7700000002"],
            ],
            [[1, *building]],
        ],
    )
    assert accounts.title == "Лицевые счета" and buildings.title == "Дома"
    parsed, report = checks.validate_sources(
        kinds=["uo"], sources={"accounts": filled}, applicant_inn="4401000005"
    )
    assert report.errors == []
    assert [(r["street"], r["house"], r["account"]) for r in parsed["accounts"]] == [
        ("ул. Новая", "5", "7700000001"),
        ("ул. Новая", "5", "7700000002"),
    ]
    assert len(report.warnings) == 2  # the example row of each sheet


@pytest.mark.parametrize("kind", ["employees", "served", "accounts"])
def test_the_example_rows_are_valid_data_once_unmarked(client, kind, uo):
    """An applicant writing rows like the example gets them accepted."""
    book = blank(client, kind)
    for ws in book.worksheets:
        ws["A2"] = 1
    parsed, report = checks.validate_sources(
        kinds=["uo"], sources={kind: as_file(book)}, applicant_inn=uo.inn
    )
    assert report.errors == []
    if kind == "served":  # an unknown INN: a warning, linked when it connects
        assert "ещё не подключена" in report.warnings[0]["reason"]
    else:
        assert len(parsed[kind]) == 1 and report.warnings == []


def test_the_form_marks_required_fields(client):
    body = client.get(APPLY).content.decode()
    assert 'id="required-legend"' in body and "— обязательное поле" in body
    for name in ("inn", "full_name", "email", "working_hours", "employees_file"):
        tag = re.search(rf'<(input|textarea|select)[^>]*name="{name}"[^>]*>', body).group(0)
        assert 'aria-required="true"' in tag, name
    for name in ("kpp", "okpo", "license_number", "accounts_file", "management_start"):
        tag = re.search(rf'<(input|textarea|select)[^>]*name="{name}"[^>]*>', body).group(0)
        assert "aria-required" not in tag, name
    label = re.search(r'<label[^>]*for="id_inn"[^>]*>(.*?)</label>', body, re.S).group(1)
    assert label.startswith("ИНН") and 'aria-hidden="true">*</span>' in label
    label = re.search(r'<label[^>]*for="id_license_number"[^>]*>(.*?)</label>', body, re.S).group(1)
    assert "(для УО)" in label
    assert "обязательное поле" in re.search(r"<legend.*?</legend>", body, re.S).group(0)
    # the blanks are offered on the form
    for kind in ("employees", "served", "accounts"):
        assert f'href="/onboarding/template/{kind}/" download' in body


@pytest.mark.django_db(transaction=True)
def test_errors_are_summarised_on_top_with_links_to_the_fields(client):
    data = uo_post_data(inn="1234567890", email="")
    del data["license_scan"]
    data["kinds"] = []
    response = client.post(APPLY, data)
    assert response.status_code == 400 and not OnboardingRequest.objects.exists()
    body = response.content.decode()
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', body, re.S).group(0)
    assert "autofocus" in summary and 'role="alert"' in summary
    links = re.findall(r'<a class="alert-link" href="#([^"]+)">([^<]*)</a>', summary)
    anchors = [a for a, _t in links]
    assert anchors[:1] == ["id_kinds_0"]
    assert "id_inn" in anchors and "id_email" in anchors
    assert "ИНН: неверная контрольная цифра" in [text for _a, text in links]
    assert any(text == "E-mail: Обязательное поле" for _a, text in links)
    for anchor in anchors:  # every link leads somewhere on the page
        assert f'id="{anchor}"' in body, anchor
    inn = re.search(r'<input[^>]*name="inn"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in inn and 'aria-describedby="id_inn-errors"' in inn
    assert 'id="id_inn-errors"' in body


def test_file_row_errors_are_linked_from_the_summary(rf):
    """Rows refused while the form is sent (``ImportRowsError``) are listed under the summary,
    which links to them."""
    form = ApplicationForm({"kinds": ["uo"]})
    form.is_valid()
    request = rf.get(APPLY)
    request.user = AnonymousUser()
    rows = [{"sheet": "Сотрудники", "line": 3, "column": "E-mail", "reason": "<b>плохо</b>"}]
    body = render_to_string(
        "onboarding/apply.html",
        {"form": form, "title": "t", "row_errors": rows, "row_error_total": 1},
        request=request,
    )
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', body, re.S).group(0)
    assert '<a class="alert-link" href="#row-errors">Ошибка в строках файлов: 1</a>' in summary
    assert 'id="row-errors"' in body and "&lt;b&gt;плохо&lt;/b&gt;" in body
