"""Export of outage durations for billing recalculation (O5, S6): CSV and XLSX, written by the
project's one export helper (``core.exports``, which neutralises formula lead characters)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from domovoy.core import exports


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
    return exports.csv_bytes(_header(by_account), (_row(r, by_account) for r in rows))


def _sheet(rows, by_account, title):
    return exports.Sheet(
        title=_("Длительность отключений"),
        preamble=[[title]] if title else [],
        header=_header(by_account),
        rows=(_row(r, by_account) for r in rows),
    )


def durations_xlsx(rows, *, by_account=False, title="") -> bytes:
    return exports.xlsx_bytes([_sheet(rows, by_account, title)])


def durations_csv_response(rows, *, by_account=False, filename):
    return exports.csv_response(
        _header(by_account), (_row(r, by_account) for r in rows), filename=filename
    )


def durations_xlsx_response(rows, *, by_account=False, title="", filename):
    return exports.xlsx_response([_sheet(rows, by_account, title)], filename=filename)


# --- Supplier delay statistics (O2, issue 11) ------------------------------------------------


def statistics_header():
    return [
        _("Организация"),
        _("Отключений"),
        _("Опубликовано позже срока"),
        _("из них плановых менее чем за требуемый срок"),
        _("из них аварийных позже 1 часа"),
        _("Сроки окончания внесены позже 1 часа"),
        _("Просроченных восстановлений"),
        _("Средняя задержка публикации аварии, мин"),
        _("Средняя задержка ввода сроков, мин"),
        _("Среднее превышение планового окончания, мин"),
    ]


def statistics_row(row):
    return [
        row.organization,
        row.outages,
        row.late_published,
        row.late_notice,
        row.late_publication,
        row.late_end_entry,
        row.overdue_restorations,
        row.mean_publication_delay,
        row.mean_end_entry_delay,
        row.mean_restoration_delay,
    ]


def statistics_xlsx_response(rows, *, title, filename):
    sheet = exports.Sheet(
        title=_("Задержки поставщиков"),
        preamble=[[title]],
        header=statistics_header(),
        rows=(statistics_row(r) for r in rows),
        freeze_header=True,
    )
    return exports.xlsx_response([sheet], filename=filename)
