"""The accounts workbook of a connection request (D5): its accounts sheet is checked against the
building registry and its own buildings sheet, an owner organisation's INN against its check
digits, and every bad row of every sheet is reported at once under the sheet's own name, through
the public form, the API and the service; nothing of a refused file is kept."""

import io
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from domovoy.directory.loader import DB_CHUNK
from domovoy.directory.models import Account, Building, ManagementPeriod, Premises
from domovoy.onboarding import services
from domovoy.onboarding.models import OnboardingRequest
from tests import factories as f

from .files import (
    ACCOUNT_HEADER,
    BUILDING_HEADER,
    account_rows,
    after_commit,
    csv_bytes,
    uo_post_data,
    upload,
)

pytestmark = pytest.mark.req("D5")
API = "/api/v1/onboarding-requests/"
OWNER_HEADER = [*ACCOUNT_HEADER, "Собственник (организация)", "ИНН собственника"]
GOOD_INN = f.valid_inn10(4242)
BAD_INN = GOOD_INN[:-1] + str((int(GOOD_INN[-1]) + 1) % 10)  # a wrong check digit
STREET = "ул. Подключаемая"
UNKNOWN = "дома «г. Кострома, ул. Подключаемая, 2» нет ни в реестре домов, ни на листе «Дома»"


def workbook(*sheets):
    """An XLSX file of ``(title, header, rows)`` sheets, in this order."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        if header:
            ws.append(header)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def declared(*houses, floors="", entrances=""):
    """Rows of a buildings sheet («Дома») for houses of ``STREET``."""
    header = [*BUILDING_HEADER, "Подъездов", "Этажей"]
    rows = [
        [i, "г. Кострома", "Центральный", STREET, house, "", entrances, floors]
        for i, house in enumerate(houses, start=1)
    ]
    return header, rows


def source(content, name="accounts.xlsx"):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def check(content, name="accounts.xlsx"):
    return services.validate_sources(
        kinds=["uo"], sources={"accounts": source(content, name)}, applicant_inn=""
    )


def nothing_written():
    return not (
        Building.objects.exists()
        or Premises.objects.exists()
        or Account.objects.exists()
        or ManagementPeriod.objects.exists()
    )


def submit(client, accounts):
    data = uo_post_data()
    data["accounts_file"] = upload("accounts.xlsx", accounts)
    with after_commit():
        response = client.post("/onboarding/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


# --- the public form -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_account_on_a_building_neither_registered_nor_declared_is_refused_on_the_page(client):
    header, rows = declared("1")  # house 2 of the accounts is in no sheet and no registry
    accounts = workbook(
        ("Лицевые счета МКД", ACCOUNT_HEADER, account_rows(6)), ("Дома", header, rows)
    )
    response = submit(client, accounts)
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.status == "invalid"
    unknown = [e for e in onboarding.errors if e["column"] == "Дом"]
    # Rows 3, 5 and 7 (the 2nd, 4th and 6th account) are on house 2: each one is reported.
    assert [(e["sheet"], e["line"]) for e in unknown] == [
        ("Лицевые счета МКД", 3),
        ("Лицевые счета МКД", 5),
        ("Лицевые счета МКД", 7),
    ]
    assert all(e["reason"] == UNKNOWN for e in unknown)
    assert onboarding.files.count() == 0 and nothing_written()
    page = client.get(response["Location"]).content.decode()
    assert "<th>Лист</th>" in page
    assert f"<td>Лицевые счета МКД</td><td>5</td><td>Дом</td><td>{UNKNOWN}</td>" in page


@pytest.mark.django_db
def test_registered_and_declared_buildings_are_accepted_and_the_sheet_fills_the_new_one(
    client, functional_operator
):
    registered = f.BuildingFactory(settlement="г. Кострома", street=STREET, house="2")
    rows = account_rows(6)
    for row in rows:
        row[11] = row[12] = ""  # entrances and floors come from the buildings sheet
    header, houses = declared("1", floors=9, entrances=3)
    submit(
        client, workbook(("Лицевые счета", ACCOUNT_HEADER, rows), ("Список домов", header, houses))
    )
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.status == "submitted", onboarding.errors
    client.force_login(functional_operator)
    client.post(reverse("onboarding:approve", args=[onboarding.pk]))
    onboarding.refresh_from_db()
    assert onboarding.status == "approved"
    assert Building.objects.filter(street=STREET).count() == 2
    new = Building.objects.get(street=STREET, house="1")
    assert (new.floors, new.entrances) == (9, 3)
    assert registered.premises.count() == 3 and Account.objects.count() == 6


@pytest.mark.django_db
def test_the_blank_accounts_form_has_a_buildings_sheet_and_filled_in_it_passes(client):
    response = client.get(reverse("onboarding:template", args=["accounts"]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Лицевые счета", "Дома"]
    houses = book["Дома"]
    assert [c.value for c in houses[1]][:6] == BUILDING_HEADER
    accounts = book["Лицевые счета"]
    columns = [c.value for c in accounts[1]]
    for row in account_rows(4):  # the form's own columns, filled by name
        values = dict(zip(ACCOUNT_HEADER, row, strict=True))
        accounts.append([values.get(name, "") for name in columns])
    for row in declared("1", "2")[1]:
        houses.append(row[:6])
    filled = io.BytesIO()
    book.save(filled)
    submit(client, filled.getvalue())
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.status == "submitted", onboarding.errors
    assert onboarding.summary["accounts"]["count"] == 4


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_owner_organisations_inn_is_checked_with_its_check_digits_through_the_api():
    api = APIClient()
    rows = [[*r, "", ""] for r in account_rows(4)]
    rows[0][-2:] = ["ООО «Арендатор»", GOOD_INN]
    rows[1][-2:] = ["ООО «Склад»", BAD_INN]
    rows[2][-2:] = ["ООО «Без ИНН»", ""]
    rows[3][-2:] = ["", "12345"]
    header, houses = declared("1", "2")
    data = uo_post_data()
    data["accounts_file"] = upload(
        "accounts.xlsx",
        workbook(("Лицевые счета", OWNER_HEADER, rows), ("Дома", header, houses)),
    )
    with after_commit():
        response = api.post(API, data, format="multipart")
    assert response.status_code == 201, response.json()
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.status == "invalid"
    found = {(e["sheet"], e["line"], e["column"]): e["reason"] for e in onboarding.errors}
    assert set(found) == {
        ("Лицевые счета", 3, "ИНН собственника"),
        ("Лицевые счета", 4, "ИНН собственника"),
        ("Лицевые счета", 5, "ИНН собственника"),
        ("Лицевые счета", 5, "Собственник (организация)"),
    }
    assert "контрольная цифра" in found[("Лицевые счета", 3, "ИНН собственника")]
    assert BAD_INN in found[("Лицевые счета", 3, "ИНН собственника")]
    assert "«ООО «Без ИНН»»" in found[("Лицевые счета", 4, "ИНН собственника")]
    assert onboarding.files.count() == 0 and nothing_written()


@pytest.mark.django_db
def test_a_valid_owner_organisation_is_stored_with_the_account(functional_operator):
    api = APIClient()
    rows = [[*r, "", ""] for r in account_rows(2)]
    rows[1][-2:] = ["ООО «Арендатор»", GOOD_INN]
    header, houses = declared("1", "2")
    data = uo_post_data()
    data["accounts_file"] = upload(
        "accounts.xlsx",
        workbook(("Лицевые счета", OWNER_HEADER, rows), ("Дома", header, houses)),
    )
    with after_commit():
        created = api.post(API, data, format="multipart").json()
    api.force_authenticate(functional_operator)
    response = api.post(f"{API}{created['id']}/approve/", {"comment": "ok"}, format="json")
    assert response.status_code == 200, response.json()
    account = Account.objects.get(number=rows[1][7])
    assert (account.owner_organization, account.owner_inn) == ("ООО «Арендатор»", GOOD_INN)
    assert Account.objects.get(number=rows[0][7]).owner_inn == ""


# --- the service -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_bad_row_of_every_sheet_is_reported_at_once_under_the_sheets_own_names():
    f.BuildingFactory(settlement="г. Кострома", street=STREET, house="3")
    header, houses = declared("1", "1", "2")  # house 1 twice
    houses[2][7] = "девять"  # floors of house 2: not a number
    rows = [[*r, "", ""] for r in account_rows(6, houses=3)]  # houses 1, 2, 3
    rows[1][7] = rows[0][7]  # a duplicate account number (line 3)
    rows[3][-2:] = ["ООО «Склад»", BAD_INN]  # line 5, house 1
    rows[4][3] = ""  # no street (line 6)
    rows.append([7, "г. Кострома", "", STREET, "9", "", "7", "7700000999", "", "", ""])  # line 8
    content = workbook(
        ("Инструкция", None, [["Заполните листы «ЛС» и «Список домов»"]]),
        ("Список домов", header, houses),
        ("ЛС", OWNER_HEADER, rows),
    )
    parsed, report = check(content)
    found = {(e["sheet"], e["line"], e["column"]) for e in report.errors}
    assert found == {
        ("Список домов", 3, "Дом"),  # declared twice
        ("Список домов", 4, "Этажей"),  # not a number
        ("ЛС", 3, "Лицевой счёт"),  # duplicate
        ("ЛС", 5, "ИНН собственника"),  # check digit
        ("ЛС", 6, "Улица"),  # required
        ("ЛС", 8, "Дом"),  # house 9: nowhere (house 2 is, on a bad row reported on its own)
    }
    assert report.error_count == len(report.errors) == 6
    # Listed sheet by sheet, row by row.
    assert [(e["sheet"], e["line"]) for e in report.errors] == [
        ("Список домов", 3),
        ("Список домов", 4),
        ("ЛС", 3),
        ("ЛС", 5),
        ("ЛС", 6),
        ("ЛС", 8),
    ]
    assert {e["file"] for e in report.errors} == {"accounts"}
    assert [r["line"] for r in parsed["accounts"]] == [2, 4, 7]  # houses 1, 1 and 3 (registry)


@pytest.mark.django_db
def test_an_account_row_disagreeing_with_the_buildings_sheet_is_reported():
    header, houses = declared("1", "2", floors=9)
    rows = account_rows(4)  # floors 5 on every row; house 2's rows leave it empty
    rows[1][12] = rows[3][12] = ""
    parsed, report = check(
        workbook(("Лицевые счета", ACCOUNT_HEADER, rows), ("Дома", header, houses))
    )
    assert [(e["sheet"], e["line"], e["column"]) for e in report.errors] == [
        ("Лицевые счета", 2, "Этажей"),
        ("Лицевые счета", 4, "Этажей"),
    ]
    assert "«Дома» в строке 2 с другим значением «9»" in report.errors[0]["reason"]
    assert [(r["line"], r["floors"]) for r in parsed["accounts"]] == [(3, 9), (5, 9)]


@pytest.mark.django_db
def test_a_bad_buildings_sheet_header_does_not_hide_the_accounts_errors():
    header = ["Населённый пункт", "Улица", "Подъездов"]  # no «Дом»: the sheet is not read
    rows = account_rows(2)
    rows[1][7] = rows[0][7]
    content = workbook(
        ("Лицевые счета", ACCOUNT_HEADER, rows), ("Дома", header, [["г. Кострома", STREET, 1]])
    )
    parsed, report = check(content)
    found = {(e["sheet"], e["line"], e["column"]) for e in report.errors}
    assert ("Лицевые счета", 3, "Лицевой счёт") in found
    assert ("Лицевые счета", 2, "Дом") in found  # house 1 is declared nowhere
    assert parsed["accounts"] == []


@pytest.mark.django_db
def test_a_csv_file_has_no_buildings_sheet_its_accounts_must_be_on_registered_buildings():
    f.BuildingFactory(settlement="г. Кострома", street=STREET, house="1")
    parsed, report = check(csv_bytes(ACCOUNT_HEADER, account_rows(4)), "accounts.csv")
    assert [(e["sheet"], e["line"], e["column"]) for e in report.errors] == [
        ("Дома и лицевые счета", 3, "Дом"),
        ("Дома и лицевые счета", 5, "Дом"),
    ]
    assert [r["line"] for r in parsed["accounts"]] == [2, 4]


@pytest.mark.django_db
def test_the_check_looks_the_registry_up_in_bulk_not_per_row():
    def queries(count, houses):
        for n in range(1, houses + 1):
            Building.objects.get_or_create(
                settlement="г. Кострома", street=STREET, house=str(n), block=""
            )
        content = workbook(("Лицевые счета", ACCOUNT_HEADER, account_rows(count, houses=houses)))
        with CaptureQueriesContext(connection) as captured:
            parsed, report = check(content)
        assert report.error_count == 0 and len(parsed["accounts"]) == count
        return len(captured)

    # One query for the buildings of the registry, one per chunk of account numbers.
    assert queries(20, 2) == 2
    assert queries(2000, 200) == 1 + math.ceil(2000 / DB_CHUNK)
