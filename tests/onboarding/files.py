"""Builders of the appendix-2 files (made in the tests with openpyxl / csv) and of form data."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import Workbook

from tests import factories as f

EMPLOYEE_HEADER = ["№ п/п", "ФИО (полностью)", "Должность", "E-mail", "Телефон", "Роль"]
ACCOUNT_HEADER = [
    "№ п/п",
    "Населённый пункт",
    "Район города",
    "Улица",
    "Дом",
    "Корпус",
    "Квартира",
    "Лицевой счёт",
    "Фамилия",
    "Имя",
    "Отчество",
    "Подъездов",
    "Этажей",
    "Широта",
    "Долгота",
]
SERVED_HEADER = ["№ п/п", "Наименование организации", "ИНН", "Ресурс"]


BUILDING_HEADER = ["№ п/п", "Населённый пункт", "Район города", "Улица", "Дом", "Корпус"]


def xlsx(header, rows, *, title_rows=(), title=None, sheets=()):
    """A workbook: the first sheet (``title``) with ``header`` and ``rows``, then ``sheets``:
    ``(title, header, rows)`` each."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws.title = title
    for row in title_rows:
        ws.append(row)
    ws.append(header)
    for row in rows:
        ws.append(row)
    for name, other_header, other_rows in sheets:
        other = wb.create_sheet(name)
        other.append(other_header)
        for row in other_rows:
            other.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def building_rows(account_rows):
    """The buildings sheet («Дома») declaring every building of ``account_rows``."""
    seen = []
    for row in account_rows:
        key = (row[1], row[2], row[3], row[4], row[5])
        if row[1] and row[3] and row[4] and key not in seen:
            seen.append(key)
    return [[i, *key] for i, key in enumerate(seen, start=1)]


def accounts_xlsx(rows, *, buildings=None, title="Лицевые счета МКД", buildings_title="Дома"):
    """The accounts workbook as organisations fill it: the accounts sheet and the buildings
    sheet (by default declaring every building of ``rows``)."""
    buildings = building_rows(rows) if buildings is None else buildings
    return xlsx(
        ACCOUNT_HEADER,
        rows,
        title=title,
        sheets=[(buildings_title, BUILDING_HEADER, buildings)] if buildings else [],
    )


def register_buildings(account_rows):
    """Put the buildings of ``account_rows`` in the registry (a CSV file has no buildings
    sheet: its accounts must be on registered buildings)."""
    from domovoy.directory.models import Building

    for _n, settlement, district, street, house, block in building_rows(account_rows):
        Building.objects.get_or_create(
            settlement=settlement,
            street=street,
            house=str(house),
            block=block or "",
            defaults={
                "city_district": district or "",
                "search_text": Building.compose_search_text(street, str(house), block or ""),
            },
        )


def csv_bytes(header, rows, *, encoding="utf-8", delimiter=";"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def after_commit():
    """Run the callbacks queued for the commit (the worker's tasks, inline in tests) when the
    block ends, as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def upload(name, content):
    return SimpleUploadedFile(name, content)


def employee_rows():
    return [
        [
            1,
            "Смирнова Анна Петровна",
            "Диспетчер",
            "smirnova@uk-test.ru",
            "+7 (4942) 11-22-33",
            "Диспетчер",
        ],
        [2, "Кузнецов Олег Игоревич", "Главный инженер", "kuznetsov@uk-test.ru", "", "Инженер"],
    ]


def account_rows(count=6, *, start=0, street="ул. Подключаемая", houses=2):
    rows = []
    for i in range(start, start + count):
        house = str(i % houses + 1)
        rows.append(
            [
                i + 1,
                "г. Кострома",
                "Центральный",
                street,
                house,
                "",
                str(i + 1),
                f"77{i:08d}",
                "Иванов" if i % 2 else "",
                "Иван" if i % 2 else "",
                "",
                2,
                5,
                57.76,
                40.93,
            ]
        )
    return rows


def card(seed, **overrides):
    data = f.card_data(seed, **overrides)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def uo_post_data(
    seed=900,
    *,
    accounts=None,
    employees=None,
    served=None,
    kinds=("uo",),
    fmt="xlsx",
    **card_overrides,
):
    data = card(seed, **card_overrides)
    data["kinds"] = list(kinds)
    data["license_scan"] = upload("licence.pdf", b"%PDF-1.4 licence scan")
    emp = employees if employees is not None else employee_rows()
    acc = accounts if accounts is not None else account_rows()
    if fmt == "xlsx":
        data["employees_file"] = upload("employees.xlsx", xlsx(EMPLOYEE_HEADER, emp))
        if acc:
            data["accounts_file"] = upload("accounts.xlsx", accounts_xlsx(acc))
        if served:
            data["served_file"] = upload("served.xlsx", xlsx(SERVED_HEADER, served))
    else:
        data["employees_file"] = upload("employees.csv", csv_bytes(EMPLOYEE_HEADER, emp))
        if acc:
            register_buildings(acc)
            data["accounts_file"] = upload("accounts.csv", csv_bytes(ACCOUNT_HEADER, acc))
        if served:
            data["served_file"] = upload("served.csv", csv_bytes(SERVED_HEADER, served))
    return data
