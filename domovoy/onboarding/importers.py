"""Reading and checking the files of appendix 2 (U/G app. 2, D5).

Each file is XLSX (read with openpyxl in read-only mode, after ``core.uploads`` bounded the
zip and every text run of its XML) or CSV (UTF-8 or cp1251, ``;`` or ``,``); no cell may be
longer than ``UPLOAD_XLSX_MAX_CELL_CHARS``. Only the worker reads them (untrusted input).
The header row is found among the first rows by the column names of the form; the order of
columns is free and unknown columns are ignored. Every problem is reported as a row
error ``{"sheet", "line", "column", "reason"}``; a file with any error is loaded nowhere (S7).
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from domovoy.core import phones, uploads
from domovoy.core import validators as v
from domovoy.core.errors import ApplicationError
from domovoy.directory.loader import (  # noqa: F401 - re-exported: the housing rows' checks
    DB_CHUNK,
    MAX_REPORTED_ERRORS,
    ImportRowsError,
    building_key,
    check_accounts,
    check_buildings,
)
from domovoy.directory.loader import RowReport as Report  # noqa: F401
from domovoy.directory.models import (
    Organization,
    OrgKind,
    Resource,
    Role,
    roles_allowed_for,
)

HEADER_SCAN_ROWS = 10
PREVIEW_ROWS = 10


@dataclass
class Column:
    key: str
    label: str
    required: bool = False
    aliases: tuple = ()


def _norm(text):
    return re.sub(r"[^0-9a-zа-я]", "", str(text or "").lower().replace("ё", "е"))


@dataclass
class SheetSpec:
    kind: str
    label: str
    columns: list

    def header_map(self):
        mapping = {}
        for col in self.columns:
            for name in (col.label, *col.aliases):
                mapping[_norm(name)] = col.key
        return mapping

    @property
    def labels(self):
        return {c.key: c.label for c in self.columns}


EMPLOYEES = SheetSpec(
    "employees",
    "Сотрудники",
    [
        Column(
            "full_name", "ФИО", True, ("ФИО (полностью)", "ФИО (полное)", "Фамилия Имя Отчество")
        ),
        Column("position", "Должность", True),
        Column(
            "email",
            "E-mail",
            True,
            ("Email", "Адрес электронной почты", "Электронная почта", "Почта"),
        ),
        Column("phone", "Телефон", False, ("Телефон сотрудника", "Контактный телефон")),
        Column("role", "Роль", False, ("Роль в системе", "Роли")),
    ],
)
SERVED = SheetSpec(
    "served",
    "Организации",
    [
        Column("name", "Наименование организации", True, ("Организация", "Наименование")),
        Column("inn", "ИНН", True),
        Column("resource", "Ресурс", False, ("Коммунальный ресурс", "Вид ресурса")),
    ],
)
ACCOUNTS = SheetSpec(
    "accounts",
    "Дома и лицевые счета",
    [
        Column("settlement", "Населённый пункт", True, ("Город",)),
        Column("city_district", "Район города", False, ("Район",)),
        Column("street", "Улица", True),
        Column("house", "Дом", True, ("Номер дома",)),
        Column("block", "Корпус", False),
        Column("flat", "Квартира", True, ("Помещение", "Номер помещения", "Номер квартиры")),
        Column("account", "Лицевой счёт", True, ("ЛС", "Номер лицевого счёта")),
        Column("last_name", "Фамилия"),
        Column("first_name", "Имя"),
        Column("middle_name", "Отчество"),
        Column("entrances", "Подъездов", False, ("Количество подъездов", "Подъезды")),
        Column("floors", "Этажей", False, ("Этажность", "Количество этажей")),
        Column("latitude", "Широта"),
        Column("longitude", "Долгота"),
        Column("management_start", "Начало управления", False, ("Дата начала управления",)),
        Column(
            "owner_org",
            "Собственник (организация)",
            False,
            ("Организация-собственник", "Наименование собственника", "Собственник"),
        ),
        Column(
            "owner_inn",
            "ИНН собственника",
            False,
            ("ИНН организации-собственника", "ИНН организации собственника"),
        ),
    ],
)
# The buildings sheet of the accounts workbook: the buildings its accounts may be on besides
# those already in the registry (D5).
BUILDINGS = SheetSpec(
    "buildings",
    "Дома",
    [
        Column("settlement", "Населённый пункт", True, ("Город",)),
        Column("city_district", "Район города", False, ("Район",)),
        Column("street", "Улица", True),
        Column("house", "Дом", True, ("Номер дома",)),
        Column("block", "Корпус", False),
        Column("entrances", "Подъездов", False, ("Количество подъездов", "Подъезды")),
        Column("floors", "Этажей", False, ("Этажность", "Количество этажей")),
        Column("latitude", "Широта"),
        Column("longitude", "Долгота"),
        Column("management_start", "Начало управления", False, ("Дата начала управления",)),
    ],
)
SHEETS = {s.kind: s for s in (EMPLOYEES, SERVED, ACCOUNTS)}

_ROLE_WORDS = {
    "администратор": Role.ORG_ADMIN,
    "админ": Role.ORG_ADMIN,
    "инженер": Role.UO_ENGINEER,
}
_RESOURCE_WORDS = {
    **{_norm(c): c for c in Resource.values},
    **{_norm(label): c for c, label in Resource.choices},
    "хвс": Resource.COLD_WATER,
    "гвс": Resource.HOT_WATER,
    "тепло": Resource.HEATING,
    "теплоснабжение": Resource.HEATING,
    "электроснабжение": Resource.ELECTRICITY,
    "электричество": Resource.ELECTRICITY,
    "водоснабжение": Resource.COLD_WATER,
    "газоснабжение": Resource.GAS,
    "канализация": Resource.SEWERAGE,
}


def allowed_roles(kinds):
    # Applicants are UO, RSO or contractors only, so never operator or control roles.
    return roles_allowed_for(kinds)


def default_role(kinds):
    return Role.UO_DISPATCHER if OrgKind.UO in kinds else Role.SUPPLIER_DISPATCHER


def parse_roles(text, kinds):
    """'Диспетчер, администратор' → {uo_dispatcher, org_admin}; raises ValueError."""
    result = set()
    labels = {_norm(label): code for code, label in Role.choices}
    codes = {_norm(code): code for code in Role.values}

    def known(word):
        return codes.get(word) or labels.get(word) or _ROLE_WORDS.get(word)

    # A label may hold a slash itself («Диспетчер РСО / подрядчика», the templates' list):
    # a whole part between commas is tried first, then its slash-separated pieces.
    parts = []
    for chunk in re.split(r"[,+;]", text or ""):
        parts.extend([chunk] if known(_norm(chunk)) else chunk.split("/"))
    for part in parts:
        word = _norm(part)
        if not word:
            continue
        code = known(word)
        if code is None and word.startswith("диспетчер"):
            code = default_role(kinds)
        if code is None:
            raise ValueError(_("неизвестная роль «%(role)s»") % {"role": part.strip()})
        result.add(code)
    if not result:
        return {default_role(kinds)}
    bad = result - allowed_roles(kinds)
    if bad:
        names = ", ".join(str(Role(c).label) for c in sorted(bad))
        raise ValueError(
            _("роль недоступна для этого вида организации: %(names)s") % {"names": names}
        )
    return result


# --- reading files -------------------------------------------------------------------------


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _is_xlsx(name, head):
    return head[:2] == b"PK" or (name or "").lower().endswith((".xlsx", ".xlsm"))


def _decode(data):
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(_("Файл не в кодировке UTF-8 или Windows-1251"))


def _too_long(row):
    """The error of a row with a cell longer than a cell may be, or None."""
    limit = int(settings.UPLOAD_XLSX_MAX_CELL_CHARS)
    if any(len(cell) > limit for cell in row):
        return _("ячейка длиннее %(n)s символов") % {"n": limit}
    return None


def _csv_rows(data):
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield [c.strip() for c in row]
    except csv.Error:
        raise ApplicationError(_("Файл CSV не удалось прочитать (повреждённая строка)"))


class Book:
    """The sheets of an uploaded file: every worksheet of a workbook under its own name, or
    the one sheet of a CSV file (named ``default_name``). ``sheets`` lists ``(name, rows)``
    where ``rows()`` iterates the rows as lists of strings. Close it (or use ``with``)."""

    def __init__(self, source, default_name):
        name = getattr(source, "name", "") or ""
        if hasattr(source, "seek"):
            source.seek(0)
        head = source.read(4)
        source.seek(0)
        self.workbook = None
        if _is_xlsx(name, head):
            self._open_xlsx(source)
        else:
            data = source.read()
            _decode(data)  # an undecodable file is refused before any sheet is read
            self.sheets = [(default_name, lambda: _csv_rows(data))]

    def _open_xlsx(self, fileobj):
        from openpyxl import load_workbook

        try:
            uploads.check_xlsx_cells(fileobj)
        except uploads.UploadError as exc:
            raise ApplicationError(exc.messages[0])
        try:
            self.workbook = load_workbook(fileobj, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's bad input
            raise ApplicationError(_("Файл XLSX не удалось прочитать"))
        self.sheets = [
            (
                ws.title,
                lambda ws=ws: ([_cell(c) for c in row] for row in ws.iter_rows(values_only=True)),
            )
            for ws in self.workbook.worksheets
            if hasattr(ws, "iter_rows")
        ]

    def close(self):
        if self.workbook is not None:
            self.workbook.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _xlsx_row_count(source):
    """Rows of every sheet from their XML (a workbook may hold accounts and buildings): the
    <dimension> when present, else the <row> tags counted in a stream (openpyxl would parse
    every cell to find out)."""
    import zipfile

    with zipfile.ZipFile(source) as archive:
        names = sorted(
            n for n in archive.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n)
        )
        return sum(_sheet_row_count(archive, name) for name in names)


def _sheet_row_count(archive, name):
    with archive.open(name) as xml:
        head = xml.read(4096)
        match = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
        if match:
            return int(match.group(1))
        count, tail = head.count(b"<row ") + head.count(b"<row>"), head[-5:]
        while chunk := xml.read(1 << 20):
            data = tail + chunk
            count += data.count(b"<row ") + data.count(b"<row>")
            count -= tail.count(b"<row ") + tail.count(b"<row>")
            tail = data[-5:]
        return count


def count_rows(source):
    """A cheap upper bound of the rows of a file (to choose the worker)."""
    name = getattr(source, "name", "") or ""
    source.seek(0)
    head = source.read(4)
    source.seek(0)
    try:
        if _is_xlsx(name, head):
            try:
                return _xlsx_row_count(source)
            except Exception:  # noqa: BLE001 - unreadable: the parser will say so
                return 0
        data = source.read()
        return data.count(b"\n") + 1
    finally:
        source.seek(0)


# --- checking ------------------------------------------------------------------------------


def _header_keys(spec, raw):
    header_map = spec.header_map()
    return [header_map.get(_norm(c)) for c in raw]


def _sheet_kind(rows):
    """What a sheet of the accounts workbook holds, from its header among the first rows:
    "accounts" (it has an account column), "buildings" (street and house, no account) or
    None (a title page, instructions)."""
    for line, raw in enumerate(rows, start=1):
        if line > HEADER_SCAN_ROWS:
            break
        keys = set(_header_keys(ACCOUNTS, raw))
        if "account" in keys:
            return "accounts"
        if {"street", "house"} <= set(_header_keys(BUILDINGS, raw)):
            return "buildings"
    return None


# The templates' example row carries this word in a column the form does not know («№ п/п»):
# it shows how to fill a row and is never loaded (a forgotten example would create a login).
EXAMPLE_MARK = "Пример"


def is_example(columns, raw):
    mark = _norm(EXAMPLE_MARK)
    return any(key is None and _norm(cell) == mark for key, cell in zip(columns, raw, strict=False))


def read_rows(spec, rows, report, *, progress=None, progress_every=1000):
    """Yield ``(line, {key: value})`` for each non-empty data row of one sheet's ``rows``.
    A row with an over-long cell is reported and skipped; the rows after it are read."""
    columns, header_line, line = None, None, 0
    try:
        for line, raw in enumerate(rows, start=1):
            too_long = _too_long(raw)
            if columns is None:
                if line > HEADER_SCAN_ROWS:
                    break
                if too_long:
                    report.error(spec.kind, line, "", too_long)
                    continue
                keys = _header_keys(spec, raw)
                if not any(keys):
                    continue
                columns, header_line = keys, line
                missing = [c.label for c in spec.columns if c.required and c.key not in keys]
                for label in missing:
                    report.error(spec.kind, line, label, _("нет обязательного столбца"))
                if missing:
                    return
                continue
            if not any(raw):
                continue
            if is_example(columns, raw):
                report.warning(spec.kind, line, "", _("строка-пример пропущена"))
                continue
            if too_long:
                report.error(spec.kind, line, "", too_long)
                continue
            values = {}
            for key, cell in zip(columns, raw, strict=False):
                if key and key not in values:
                    values[key] = cell
            if progress and line % progress_every == 0:
                progress(line)
            yield line, values
    except ApplicationError as exc:
        report.error(spec.kind, line or None, "", exc.message)
        return
    if header_line is None:
        report.error(
            spec.kind,
            None,
            "",
            _("не найдена строка заголовков со столбцами: %(columns)s")
            % {"columns": ", ".join(c.label for c in spec.columns if c.required)},
        )


def iter_sheet(spec, source, report, *, progress=None, progress_every=1000):
    """Yield ``(line, {key: value})`` for each non-empty data row of the first sheet of a
    file; its errors carry the sheet's own name."""
    try:
        book = Book(source, str(spec.label))
    except ApplicationError as exc:
        report.name_sheet(spec.kind, str(spec.label), spec.kind)
        report.error(spec.kind, None, "", exc.message)
        return
    with book:
        if not book.sheets:
            report.name_sheet(spec.kind, str(spec.label), spec.kind)
            report.error(spec.kind, None, "", _("в файле нет ни одного листа"))
            return
        name, rows = book.sheets[0]
        report.name_sheet(spec.kind, name, spec.kind)
        yield from read_rows(spec, rows(), report, progress=progress, progress_every=progress_every)


def check_accounts_workbook(source, *, report, check_db=True, progress=None, progress_every=1000):
    """The accounts file (D5): its accounts sheet, checked against the registry and its own
    buildings sheet (each found by its header, whatever its name and place). Every bad row of
    both is reported under the sheet's own name, in the order of the sheets and their rows.
    Returns the cleaned account rows."""
    start = len(report.errors)
    try:
        return _check_accounts_workbook(
            source,
            report=report,
            check_db=check_db,
            progress=progress,
            progress_every=progress_every,
        )
    finally:
        order = {}
        for e in report.errors[start:]:
            order.setdefault(e["sheet"], len(order))
        report.errors[start:] = sorted(
            report.errors[start:], key=lambda e: (order[e["sheet"]], e["line"] or 0)
        )


def _check_accounts_workbook(source, *, report, check_db, progress, progress_every):
    try:
        book = Book(source, str(ACCOUNTS.label))
    except ApplicationError as exc:
        report.name_sheet("accounts", str(ACCOUNTS.label), "accounts")
        report.error("accounts", None, "", exc.message)
        return []
    with book:
        found = {}
        try:
            for name, rows in book.sheets:
                kind = _sheet_kind(rows())
                if kind and kind not in found:
                    found[kind] = (name, rows)
        except ApplicationError as exc:
            report.error("accounts", None, "", exc.message)
            return []
        if "accounts" not in found and book.sheets:
            found["accounts"] = book.sheets[0]  # reported: no header row of the accounts
        declared = {}
        if "buildings" in found:
            name, rows = found["buildings"]
            report.name_sheet("buildings", name, "accounts")
            declared = check_buildings(read_rows(BUILDINGS, rows(), report), report=report)
        if "accounts" not in found:
            report.name_sheet("accounts", str(ACCOUNTS.label), "accounts")
            report.error("accounts", None, "", _("в файле нет ни одного листа"))
            return []
        name, rows = found["accounts"]
        report.name_sheet("accounts", name, "accounts")
        return check_accounts(
            read_rows(ACCOUNTS, rows(), report, progress=progress, progress_every=progress_every),
            report=report,
            check_db=check_db,
            declared=declared,
        )


def _required(spec, report, line, values, keys):
    ok = True
    for key in keys:
        if not values.get(key):
            report.error(spec.kind, line, spec.labels[key], _("не заполнено обязательное поле"))
            ok = False
    return ok


def check_employees(rows, *, kinds, report):
    """Clean employee rows; returns a list of dicts (full_name, position, email, phone, roles)."""
    spec, result, emails = EMPLOYEES, [], {}
    for line, values in rows:
        ok = _required(spec, report, line, values, ("full_name", "position", "email"))
        full_name = " ".join(values.get("full_name", "").split())
        if full_name and len(full_name.split()) < 2:
            report.error(
                spec.kind, line, spec.labels["full_name"], _("укажите фамилию и имя полностью")
            )
            ok = False
        email = values.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                report.error(
                    spec.kind,
                    line,
                    spec.labels["email"],
                    _("неверный адрес электронной почты «%(email)s»") % {"email": email},
                )
                ok = False
            else:
                if email.lower() in emails:
                    report.warning(
                        spec.kind,
                        line,
                        spec.labels["email"],
                        _("этот адрес уже указан в строке %(line)s")
                        % {"line": emails[email.lower()]},
                    )
                emails.setdefault(email.lower(), line)
        phone = values.get("phone", "")
        if phone:
            try:
                phone = phones.normalize(phone)
            except ValidationError as exc:
                report.error(spec.kind, line, spec.labels["phone"], exc.messages[0])
                ok = False
        try:
            roles = parse_roles(values.get("role", ""), kinds)
        except ValueError as exc:
            report.error(spec.kind, line, spec.labels["role"], str(exc))
            ok = False
            roles = set()
        if ok:
            result.append(
                {
                    "line": line,
                    "full_name": full_name,
                    "position": values["position"][:200],
                    "email": email,
                    "phone": phone,
                    "roles": sorted(roles),
                }
            )
    return result


def _split_resources(text):
    result = []
    for part in re.split(r"[,;/+]", text or ""):
        word = _norm(part)
        if not word:
            continue
        code = _RESOURCE_WORDS.get(word)
        if code is None:
            raise ValueError(_("неизвестный ресурс «%(resource)s»") % {"resource": part.strip()})
        result.append(code)
    return result


def check_served(rows, *, kinds, applicant_inn, report):
    """Clean the served / serving organisations; match them by INN among connected ones.

    Returns link rows {line, inn, name, resource, organization_id, direction} where
    ``direction`` is "provider" (the listed organisation serves the applicant UO) or "uo"
    (the applicant serves the listed UO). An unknown INN is a warning: the link is made when
    that organisation connects and lists the applicant in its turn.
    """
    spec, cleaned, seen = SERVED, [], {}
    for line, values in rows:
        if not _required(spec, report, line, values, ("name", "inn")):
            continue
        inn = values["inn"].replace(" ", "")
        try:
            inn = v.validate_inn(inn)
        except ValidationError as exc:
            report.error(spec.kind, line, "ИНН", exc.messages[0])
            continue
        if inn == applicant_inn:
            report.error(spec.kind, line, "ИНН", _("это ИНН самой подключаемой организации"))
            continue
        try:
            resources = _split_resources(values.get("resource", "")) or [""]
        except ValueError as exc:
            report.error(spec.kind, line, spec.labels["resource"], str(exc))
            continue
        for resource in resources:
            key = (inn, resource)
            if key in seen:
                report.error(
                    spec.kind,
                    line,
                    "ИНН",
                    _("организация с этим ресурсом уже указана в строке %(line)s")
                    % {"line": seen[key]},
                )
                continue
            seen[key] = line
            cleaned.append(
                {"line": line, "inn": inn, "name": values["name"][:300], "resource": resource}
            )
    orgs = {}
    inns = sorted({r["inn"] for r in cleaned})
    for i in range(0, len(inns), DB_CHUNK):
        for org in Organization.objects.filter(inn__in=inns[i : i + DB_CHUNK]).prefetch_related(
            "kinds"
        ):
            orgs[org.inn] = org
    applicant_uo = OrgKind.UO in kinds
    applicant_provider = bool({OrgKind.RSO, OrgKind.CONTRACTOR} & set(kinds))
    result = []
    for row in cleaned:
        org = orgs.get(row["inn"])
        line = row["line"]
        if org is None:
            report.warning(
                spec.kind,
                line,
                "ИНН",
                _(
                    "организация «%(name)s» (ИНН %(inn)s) ещё не подключена; "
                    "связь будет создана при её подключении"
                )
                % {"name": row["name"], "inn": row["inn"]},
            )
            continue
        other = org.kind_codes
        if applicant_uo and other & {OrgKind.RSO, OrgKind.CONTRACTOR}:
            direction, provider_kinds = "provider", other
        elif applicant_provider and OrgKind.UO in other:
            direction, provider_kinds = "uo", set(kinds)
        else:
            report.error(
                spec.kind,
                line,
                "ИНН",
                _("«%(short_name)s» не может быть связана с организацией этого вида")
                % {"short_name": org.short_name},
            )
            continue
        resource = row["resource"]
        if resource and OrgKind.RSO not in provider_kinds:
            report.error(
                spec.kind,
                line,
                spec.labels["resource"],
                _("ресурс указывается только для ресурсоснабжающей организации"),
            )
            continue
        if not resource and OrgKind.CONTRACTOR not in provider_kinds:
            report.error(
                spec.kind,
                line,
                spec.labels["resource"],
                _("для ресурсоснабжающей организации укажите ресурс"),
            )
            continue
        result.append({**row, "organization_id": org.pk, "direction": direction})
    return result


def accounts_summary(rows):
    buildings = {building_key(r) for r in rows}
    return {
        "count": len(rows),
        "buildings": len(buildings),
        "first": [
            {
                k: _jsonable(r[k])
                for k in ("line", "settlement", "street", "house", "block", "flat", "account")
            }
            for r in rows[:PREVIEW_ROWS]
        ],
    }


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.date) else value
