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


def xlsx(header, rows, *, title_rows=()):
    wb = Workbook()
    ws = wb.active
    for row in title_rows:
        ws.append(row)
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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
            data["accounts_file"] = upload("accounts.xlsx", xlsx(ACCOUNT_HEADER, acc))
        if served:
            data["served_file"] = upload("served.xlsx", xlsx(SERVED_HEADER, served))
    else:
        data["employees_file"] = upload("employees.csv", csv_bytes(EMPLOYEE_HEADER, emp))
        if acc:
            data["accounts_file"] = upload("accounts.csv", csv_bytes(ACCOUNT_HEADER, acc))
        if served:
            data["served_file"] = upload("served.csv", csv_bytes(SERVED_HEADER, served))
    return data
