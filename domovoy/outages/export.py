"""Export of outage durations for billing recalculation (O5, S6): CSV and XLSX."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook


def _header(by_account):
    head = [_("Адрес"), _("Ресурс"), _("Часов без ресурса"), _("Секунд"), _("Отключения")]
    if by_account:
        head[1:1] = [_("Помещение"), _("Лицевой счёт")]
    return head


def _row(row, by_account):
    values = [
        row.address,
        row.resource_label,
        row.hours,
        row.seconds,
        ", ".join(str(o) for o in row.outages),
    ]
    if by_account:
        values[1:1] = [row.premises, row.account]
    return values


def durations_csv(rows, *, by_account=False) -> bytes:
    """UTF-8 with BOM and semicolons: what a Russian-locale spreadsheet opens as columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(_header(by_account))
    for row in rows:
        writer.writerow(_row(row, by_account))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def durations_xlsx(rows, *, by_account=False, title="") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Длительность отключений"))
    if title:
        sheet.append([title])
    sheet.append(_header(by_account))
    for row in rows:
        sheet.append(_row(row, by_account))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
