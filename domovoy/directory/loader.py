"""The directory's bulk loader (D3, D4, D5): buildings, premises and personal accounts from
rows of dicts, and a whole organisation (card, employees, service links, housing) at once.

Callers: onboarding (the final load of an approved request), the benchmarks, a registry
import. The contract:

- ``clean_rows(rows)`` checks rows of dicts and returns them cleaned, or raises
  ``ImportRowsError`` whose ``rows`` name every bad row: ``{"sheet", "line", "column",
  "reason"}`` (``line`` is the row's ``"line"`` key, else its 1-based position);
- ``accounts_load(rows=...)`` checks first (``validate=True``), then inserts with
  ``bulk_create`` in chunks of ``batch_size``, inside one transaction: bad input or a
  management overlap leaves nothing written;
- ``organization_load(...)`` creates the organisation and everything of it; it runs inside
  the caller's transaction (one per user action).
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.audit.services import audit_bulk
from domovoy.core import validators as v
from domovoy.core.errors import ApplicationError

from . import services
from .models import Account, Building, ManagementPeriod, Organization, OrgKind, Premises, Role

BATCH = 5000  # rows per bulk insert
DB_CHUNK = 900  # look-up values per query: below SQLite's host-parameter limit on old builds
MAX_REPORTED_ERRORS = 10_000
_ACCOUNT_RE = re.compile(r"^[0-9A-Za-zА-Яа-яЁё\-/]{1,30}$")

# The columns of a housing row and their names in error reports (and in the import form).
ACCOUNT_LABELS = {
    "settlement": "Населённый пункт",
    "city_district": "Район города",
    "street": "Улица",
    "house": "Дом",
    "block": "Корпус",
    "flat": "Квартира",
    "account": "Лицевой счёт",
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "entrances": "Подъездов",
    "floors": "Этажей",
    "latitude": "Широта",
    "longitude": "Долгота",
    "management_start": "Начало управления",
    "owner_org": "Собственник (организация)",
    "owner_inn": "ИНН собственника",
}


@dataclass(frozen=True)
class _Sheet:
    kind: str
    labels: dict


SHEET = _Sheet("accounts", ACCOUNT_LABELS)
BUILDINGS_SHEET_LABEL = "Дома"
BUILDING_LABELS = {
    k: ACCOUNT_LABELS[k]
    for k in (
        "settlement",
        "city_district",
        "street",
        "house",
        "block",
        "entrances",
        "floors",
        "latitude",
        "longitude",
        "management_start",
    )
}
BUILDINGS_SHEET = _Sheet("buildings", BUILDING_LABELS)


class ImportRowsError(ApplicationError):
    """Bad rows; ``rows`` lists every one (up to a cap) as ``{"sheet", "line", "column",
    "reason"}`` and ``total`` counts them all. Nothing was written."""

    def __init__(self, rows, *, total=None, fields=None, message=None):
        total = total if total is not None else len(rows)
        super().__init__(
            message
            or _("Файлы содержат ошибки (%(total)s); ничего не сохранено") % {"total": total},
            code="invalid_rows",
            fields=fields or _fields_from_rows(rows),
        )
        self.rows = rows
        self.total = total


def _fields_from_rows(rows):
    fields = {}
    for r in rows[:200]:
        where = _("стр. %(line)s") % {"line": r["line"]} if r.get("line") else ""
        col = f", «{r['column']}»" if r.get("column") else ""
        fields.setdefault(f"{r.get('file') or r['sheet']}_file", []).append(
            f"{where}{col}: {r['reason']}".lstrip()
        )
    return fields


@dataclass
class RowReport:
    """Every bad row (``error``) and remark (``warning``) of a check, capped.

    Checkers name a row's sheet by its kind ("accounts", "buildings"); ``name_sheet`` maps a
    kind to the workbook's own sheet name (shown to the user) and to the file (form field) it
    came from. An entry is ``{"sheet", "file", "line", "column", "reason"}``."""

    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    error_count: int = 0
    sheet_names: dict = field(default_factory=dict)

    def name_sheet(self, kind, name, file=None):
        self.sheet_names[kind] = (name or kind, file or kind)

    def _entry(self, sheet, line, column, reason):
        name, file = self.sheet_names.get(sheet, (sheet, sheet))
        return {"sheet": name, "file": file, "line": line, "column": column or "", "reason": reason}

    def error(self, sheet, line, column, reason):
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(self._entry(sheet, line, column, reason))

    def warning(self, sheet, line, column, reason):
        if len(self.warnings) < MAX_REPORTED_ERRORS:
            self.warnings.append(self._entry(sheet, line, column, reason))


# --- checking ------------------------------------------------------------------------------


def _required(spec, report, line, values, keys):
    ok = True
    for key in keys:
        if not values.get(key):
            report.error(spec.kind, line, spec.labels[key], _("не заполнено обязательное поле"))
            ok = False
    return ok


def _int(value, report, line, label, spec, *, low=1, high=200):
    try:
        number = int(float(value.replace(",", ".")))
    except ValueError:
        report.error(
            spec.kind,
            line,
            label,
            _("ожидается целое число, получено «%(value)s»") % {"value": value},
        )
        return None
    if not low <= number <= high:
        report.error(
            spec.kind,
            line,
            label,
            _("допустимо от %(low)s до %(high)s") % {"low": low, "high": high},
        )
        return None
    return number


def _float(value, report, line, label, spec, *, low, high):
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        report.error(
            spec.kind, line, label, _("ожидается число, получено «%(value)s»") % {"value": value}
        )
        return None
    if not low <= number <= high:
        report.error(
            spec.kind,
            line,
            label,
            _("допустимо от %(low)s до %(high)s") % {"low": low, "high": high},
        )
        return None
    return number


def _date(value, report, line, label, spec):
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    report.error(
        spec.kind,
        line,
        label,
        _("ожидается дата ДД.ММ.ГГГГ, получено «%(value)s»") % {"value": value},
    )
    return None


def building_key(row):
    return (row["settlement"], row["street"], row["house"], row["block"])


_BUILDING_ATTRS = (
    "city_district",
    "entrances",
    "floors",
    "latitude",
    "longitude",
    "management_start",
)
_ADDRESS_KEYS = ("settlement", "city_district", "street", "house", "block")
_LIMITS = {
    "settlement": 200,
    "city_district": 200,
    "street": 200,
    "house": 20,
    "block": 20,
    "flat": 20,
    "last_name": 100,
    "first_name": 100,
    "middle_name": 100,
    "owner_org": 300,
}


def check_accounts(rows, *, report, check_db=True, declared=None):
    """Clean building/account rows (D3); every bad row is reported, every check runs on every
    row (one bad cell does not hide the others).

    Checks: required cells, lengths, numbers and coordinates, an account number used twice in
    the file or already in the database, the INN of an owner organisation (check digits), and
    a building whose rows disagree (district, entrances, floors, coordinates, management
    start). With ``declared`` (the buildings of the workbook's own buildings sheet, from
    ``check_buildings``) an account's building must be in the registry or among them (D5):
    an import never creates a building nobody declared; the sheet's values fill the account
    rows' building columns left empty."""
    spec, labels = SHEET, SHEET.labels
    result, accounts_seen, buildings = [], {}, {}
    addresses = []  # (line, building key) of every row with an address, for the registry check
    for line, values in rows:
        ok = _required(
            spec, report, line, values, ("settlement", "street", "house", "flat", "account")
        )
        row = {"line": line}
        for key, limit in _LIMITS.items():
            text = " ".join(str(values.get(key, "")).split())
            if len(text) > limit:
                report.error(
                    spec.kind,
                    line,
                    labels[key],
                    _("не длиннее %(limit)s символов") % {"limit": limit},
                )
                ok = False
            elif key in _ADDRESS_KEYS:
                try:
                    v.validate_address_part(text, labels[key])
                except ValidationError as exc:
                    report.error(spec.kind, line, labels[key], exc.messages[0])
                    ok = False
            row[key] = text
        account = values.get("account", "").replace(" ", "")
        if account and not _ACCOUNT_RE.match(account):
            report.error(
                spec.kind,
                line,
                labels["account"],
                _("неверный номер лицевого счёта «%(account)s»") % {"account": account},
            )
            ok = False
        elif account in accounts_seen:
            report.error(
                spec.kind,
                line,
                labels["account"],
                _("лицевой счёт %(account)s повторяется (уже в строке %(line)s)")
                % {"account": account, "line": accounts_seen[account]},
            )
            ok = False
        elif account:
            accounts_seen[account] = line
        row["account"] = account
        for key, low, high in (("entrances", 1, 100), ("floors", 1, 200)):
            raw = values.get(key, "")
            row[key] = (
                _int(raw, report, line, labels[key], spec, low=low, high=high) if raw else None
            )
            if raw and row[key] is None:
                ok = False
        for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
            raw = values.get(key, "")
            row[key] = (
                _float(raw, report, line, labels[key], spec, low=low, high=high) if raw else None
            )
            if raw and row[key] is None:
                ok = False
        raw = values.get("management_start", "")
        row["management_start"] = (
            _date(raw, report, line, labels["management_start"], spec) if raw else None
        )
        if raw and row["management_start"] is None:
            ok = False
        if not _owner(row, values, report, line, spec):
            ok = False
        if row["settlement"] and row["street"] and row["house"]:
            addresses.append((line, building_key(row)))
        if not ok:
            continue
        key = building_key(row)
        known = buildings.get(key)
        if known is None:
            buildings[key] = {"line": line, **{a: row[a] for a in _BUILDING_ATTRS}}
        else:
            for attr in _BUILDING_ATTRS:
                new, old = row[attr], known[attr]
                if new in (None, ""):
                    continue
                if old in (None, ""):
                    known[attr] = new
                elif new != old:
                    report.error(
                        spec.kind,
                        line,
                        labels[attr],
                        _("дом %(house)s уже указан в строке %(line)s с другим значением «%(old)s»")
                        % {
                            "house": ", ".join(p for p in key if p),
                            "line": known["line"],
                            "old": old,
                        },
                    )
                    ok = False
        if ok:
            result.append(row)
    if check_db:
        numbers = list(accounts_seen)
        existing = set()
        for i in range(0, len(numbers), DB_CHUNK):
            existing.update(
                Account.objects.filter(number__in=numbers[i : i + DB_CHUNK]).values_list(
                    "number", flat=True
                )
            )
        if existing:
            for number in sorted(existing, key=accounts_seen.get):
                report.error(
                    spec.kind,
                    accounts_seen[number],
                    labels["account"],
                    _("лицевой счёт %(number)s уже есть в системе") % {"number": number},
                )
            result = [r for r in result if r["account"] not in existing]
    if declared is not None:
        result = _check_declared(result, addresses, declared, report, spec)
    return result


def check_buildings(rows, *, report):
    """The workbook's buildings sheet (D5): the buildings its accounts may be on besides those
    of the registry. Returns ``{building key: {"line", district, entrances, floors,
    coordinates, management start}}``; every bad row is reported (its building is kept with
    ``"invalid": True`` so that its accounts are not reported once more)."""
    spec, labels = BUILDINGS_SHEET, BUILDINGS_SHEET.labels
    declared = {}
    for line, values in rows:
        ok = _required(spec, report, line, values, ("settlement", "street", "house"))
        row = {"line": line}
        for key in _ADDRESS_KEYS:
            text = " ".join(str(values.get(key, "")).split())
            if len(text) > _LIMITS[key]:
                report.error(
                    spec.kind,
                    line,
                    labels[key],
                    _("не длиннее %(limit)s символов") % {"limit": _LIMITS[key]},
                )
                ok = False
            else:
                try:
                    v.validate_address_part(text, labels[key])
                except ValidationError as exc:
                    report.error(spec.kind, line, labels[key], exc.messages[0])
                    ok = False
            row[key] = text
        for key, low, high in (("entrances", 1, 100), ("floors", 1, 200)):
            raw = values.get(key, "")
            row[key] = (
                _int(raw, report, line, labels[key], spec, low=low, high=high) if raw else None
            )
            ok = ok and not (raw and row[key] is None)
        for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
            raw = values.get(key, "")
            row[key] = (
                _float(raw, report, line, labels[key], spec, low=low, high=high) if raw else None
            )
            ok = ok and not (raw and row[key] is None)
        raw = values.get("management_start", "")
        row["management_start"] = (
            _date(raw, report, line, labels["management_start"], spec) if raw else None
        )
        ok = ok and not (raw and row["management_start"] is None)
        key = building_key(row)
        if not ok:
            # Its accounts are not "declared nowhere": the bad row is reported on its own.
            if row["settlement"] and row["street"] and row["house"]:
                declared.setdefault(key, {"line": line, "invalid": True})
            continue
        if key in declared:
            report.error(
                spec.kind,
                line,
                labels["house"],
                _("дом %(house)s уже указан в строке %(line)s")
                % {"house": ", ".join(p for p in key if p), "line": declared[key]["line"]},
            )
            continue
        declared[key] = {"line": line, **{a: row[a] for a in _BUILDING_ATTRS}}
    return declared


def _owner(row, values, report, line, spec):
    """An account owned by an organisation: its name and a valid INN (check digits)."""
    labels, ok = spec.labels, True
    inn = str(values.get("owner_inn", "")).replace(" ", "")
    row["owner_inn"] = ""
    if inn:
        try:
            row["owner_inn"] = v.validate_inn(inn)
        except ValidationError as exc:
            report.error(
                spec.kind,
                line,
                labels["owner_inn"],
                _("%(message)s («%(inn)s»)") % {"message": exc.messages[0], "inn": inn},
            )
            ok = False
        if not row["owner_org"]:
            report.error(
                spec.kind,
                line,
                labels["owner_org"],
                _("укажите наименование организации-собственника с ИНН %(inn)s") % {"inn": inn},
            )
            ok = False
    elif row["owner_org"]:
        report.error(
            spec.kind,
            line,
            labels["owner_inn"],
            _("укажите ИНН организации-собственника «%(name)s»") % {"name": row["owner_org"]},
        )
        ok = False
    return ok


def registry_buildings(keys):
    """The building keys among ``keys`` that are in the registry: one query per chunk of
    streets, never one per row."""
    keys = set(keys)
    streets = sorted({k[1] for k in keys})
    found = set()
    for i in range(0, len(streets), DB_CHUNK):
        for key in Building.objects.filter(street__in=streets[i : i + DB_CHUNK]).values_list(
            "settlement", "street", "house", "block"
        ):
            if key in keys:
                found.add(key)
    return found


def _check_declared(result, addresses, declared, report, spec):
    keys = {k for _line, k in addresses}
    known = registry_buildings(keys) | set(declared)
    sheet = report.sheet_names.get("buildings", (str(BUILDINGS_SHEET_LABEL), ""))[0]
    unknown = set()
    for line, key in addresses:
        if key in known:
            continue
        unknown.add(key)
        report.error(
            spec.kind,
            line,
            spec.labels["house"],
            _("дома «%(house)s» нет ни в реестре домов, ни на листе «%(sheet)s»")
            % {"house": ", ".join(p for p in key if p), "sheet": sheet},
        )
    rows = []
    for row in result:
        key = building_key(row)
        if key in unknown:
            continue
        sheet_row = declared.get(key)
        ok = True
        if sheet_row and not sheet_row.get("invalid"):
            for attr in _BUILDING_ATTRS:
                new, old = row[attr], sheet_row.get(attr)
                if new in (None, ""):
                    row[attr] = old
                elif old not in (None, "") and new != old:
                    report.error(
                        spec.kind,
                        row["line"],
                        spec.labels[attr],
                        _(
                            "дом %(house)s указан на листе «%(sheet)s» в строке %(line)s "
                            "с другим значением «%(old)s»"
                        )
                        % {
                            "house": ", ".join(p for p in key if p),
                            "sheet": sheet,
                            "line": sheet_row["line"],
                            "old": old,
                        },
                    )
                    ok = False
        if ok:
            rows.append(row)
    return rows


def clean_rows(rows, *, check_db=True):
    """Check rows of dicts (the keys of ``ACCOUNT_LABELS``; values of any type, None = empty)
    and return them cleaned; any bad row raises ``ImportRowsError`` naming every one."""
    report = RowReport()
    cleaned = check_accounts(
        (
            (r.get("line", i), {k: "" if val is None else str(val) for k, val in r.items()})
            for i, r in enumerate(rows, start=1)
        ),
        report=report,
        check_db=check_db,
    )
    if report.error_count:
        raise ImportRowsError(report.errors, total=report.error_count)
    return cleaned


# --- loading -------------------------------------------------------------------------------


def accounts_load(
    *,
    rows,
    actor=None,
    organization=None,
    management_start=None,
    validate=True,
    progress=None,
    audit=True,
    batch_size=BATCH,
):
    """Load buildings, premises and personal accounts (D3) from rows of dicts with the keys
    settlement, city_district, street, house, block, flat, account, last_name, first_name,
    middle_name and optionally entrances, floors, latitude, longitude, management_start.

    An existing building with the same address is reused, new ones, premises and accounts are
    inserted with ``bulk_create`` in batches. With ``organization`` (a UO) its management
    periods are recorded; an overlap with another UO's period refuses everything. With
    ``validate`` the rows are checked first (every bad row reported, nothing stored).
    Returns counts. One transaction."""
    if validate:
        rows = clean_rows(rows)
    elif not isinstance(rows, list):
        rows = list(rows)
    if organization is not None and not organization.has_kind(OrgKind.UO):
        raise ApplicationError(
            _("Дома загружаются только для управляющей организации"), code="not_uo"
        )
    with transaction.atomic():
        stats = _bulk_load(
            rows,
            organization=organization,
            management_start=management_start,
            progress=progress,
            batch_size=batch_size,
        )
        if audit:
            audit_bulk(
                actor=actor,
                model="лицевой счёт",
                object_id=organization.pk if organization else "-",
                summary=f"Загрузка лицевых счетов: домов {stats['buildings']}, "
                f"счетов {stats['accounts']}",
                details=stats,
            )
    return stats


def _bulk_load(rows, *, organization, management_start, progress, batch_size):
    total = len(rows)
    # 1. Buildings: reuse by address, insert the new ones.
    first_of = {}
    for row in rows:
        first_of.setdefault(building_key(row), row)
    streets = sorted({k[1] for k in first_of})
    existing = {}
    for i in range(0, len(streets), DB_CHUNK):
        for b in Building.objects.filter(street__in=streets[i : i + DB_CHUNK]).only(
            "id", "settlement", "street", "house", "block"
        ):
            key = (b.settlement, b.street, b.house, b.block)
            if key in first_of:
                existing[key] = b.pk
    new_buildings = []
    for key, row in first_of.items():
        if key in existing:
            continue
        settlement, street, house, block = key
        new_buildings.append(
            Building(
                settlement=settlement,
                street=street,
                house=house,
                block=block,
                city_district=row.get("city_district") or "",
                entrances=row.get("entrances") or 1,
                floors=row.get("floors") or 1,
                latitude=row.get("latitude"),
                longitude=row.get("longitude"),
                search_text=Building.compose_search_text(street, house, block),
            )
        )
    building_ids = dict(existing)
    _bulk_create_with_ids(Building, new_buildings, batch_size)
    for b in new_buildings:
        building_ids[(b.settlement, b.street, b.house, b.block)] = b.pk
    # 2. Premises: reuse those of existing buildings.
    premises_ids = {}
    old_ids = list(existing.values())
    for i in range(0, len(old_ids), DB_CHUNK):
        for pk, building_id, number in Premises.objects.filter(
            building_id__in=old_ids[i : i + DB_CHUNK]
        ).values_list("id", "building_id", "number"):
            premises_ids[(building_id, number)] = pk
    new_premises, seen = [], set()
    for row in rows:
        key = (building_ids[building_key(row)], row["flat"])
        if key in premises_ids or key in seen:
            continue
        seen.add(key)
        new_premises.append(Premises(building_id=key[0], number=key[1]))
    done = 0
    for i in range(0, len(new_premises), batch_size):
        batch = new_premises[i : i + batch_size]
        _bulk_create_with_ids(Premises, batch, batch_size)
        for p in batch:
            premises_ids[(p.building_id, p.number)] = p.pk
        if progress:
            progress(min(total, i + len(batch)) // 2, total)
    # 3. Accounts.
    for i in range(0, total, batch_size):
        Account.objects.bulk_create(
            [
                Account(
                    premises_id=premises_ids[(building_ids[building_key(r)], r["flat"])],
                    number=r["account"],
                    owner_last_name=r.get("last_name") or "",
                    owner_first_name=r.get("first_name") or "",
                    owner_middle_name=r.get("middle_name") or "",
                    owner_organization=r.get("owner_org") or "",
                    owner_inn=r.get("owner_inn") or "",
                )
                for r in rows[i : i + batch_size]
            ],
            batch_size=batch_size,
        )
        done = min(total, i + batch_size)
        if progress:
            progress(total // 2 + done // 2, total)
    # 4. Management registry of the UO (D4).
    periods = 0
    if organization is not None:
        default_start = management_start or timezone.localdate()
        for key, row in first_of.items():
            start = row.get("management_start") or default_start
            if key in existing:
                building = Building(
                    pk=existing[key], settlement=key[0], street=key[1], house=key[2], block=key[3]
                )
                try:
                    services.management_period_create(
                        building=building,
                        organization=organization,
                        start=start,
                        basis="Подключение к системе",
                    )
                except ApplicationError as exc:
                    raise ApplicationError(
                        _(
                            "Дом %(address)s: %(message)s. Согласование не выполнено, "
                            "ничего не сохранено."
                        )
                        % {"address": building.address, "message": exc.message},
                        code="management_overlap",
                        fields=exc.fields,
                    )
                periods += 1
        new_periods = [
            ManagementPeriod(
                building_id=b.pk,
                organization=organization,
                start=first_of[(b.settlement, b.street, b.house, b.block)].get("management_start")
                or default_start,
                basis="Подключение к системе",
            )
            for b in new_buildings
        ]
        # New buildings have no periods yet: nothing can overlap, insert in bulk.
        ManagementPeriod.objects.bulk_create(new_periods, batch_size=batch_size)
        periods += len(new_periods)
    return {
        "buildings": len(first_of),
        "new_buildings": len(new_buildings),
        "premises": len(new_premises),
        "accounts": total,
        "periods": periods,
    }


def _bulk_create_with_ids(model, objs, batch_size):
    if not objs:
        return
    model.objects.bulk_create(objs, batch_size=batch_size)
    if objs[0].pk is None:  # a database that cannot return ids from a bulk insert
        raise ApplicationError(_("База данных не вернула идентификаторы при пакетной вставке"))


def organization_load(
    *,
    card,
    kinds,
    territory=None,
    license_scan=None,
    license_scan_name="",
    employees=(),
    served=(),
    accounts=(),
    management_start=None,
    provider_for=None,
    send_credentials=True,
    actor=None,
    progress=None,
    batch_size=BATCH,
):
    """Create an organisation with everything of it, from checked rows (D5's final load).

    ``card``: the card fields (dates as ``date``); ``license_scan``: the name of an already
    stored private file to point at (no copy). ``employees``: rows with full_name, position,
    email, phone, roles (the first becomes the administrator when nobody is one).
    ``served``: rows with organization_id, direction ("provider": the new organisation is the
    UO of that link) and resource. ``accounts``: housing rows, already cleaned
    (``clean_rows``), loaded for the new UO. ``provider_for``: a UO the new organisation
    serves (a contractor connected by its UO), linked when ``served`` does not already.

    Runs inside the caller's transaction: any refusal (a login taken, a management overlap)
    leaves nothing. Returns ``(organization, credentials, stats)``; ``credentials`` lists
    ``{"full_name", "position", "username", "password"}`` when ``send_credentials`` is off (the
    caller hands them over), else it is empty."""
    today = timezone.localdate()
    org = services.organization_create(
        data=card, kinds=kinds, territory=territory, codes_are_warnings=True
    )
    if license_scan:
        org.license_scan.name = license_scan
        org.license_scan_name = license_scan_name
        org.save(update_fields=["license_scan", "license_scan_name"])
    has_admin = any(Role.ORG_ADMIN in e["roles"] for e in employees)
    credentials = []
    for index, row in enumerate(employees):
        roles = set(row["roles"])
        if index == 0 and not has_admin:
            roles.add(Role.ORG_ADMIN)
        employee, password = services.employee_create(
            organization=org,
            full_name=row["full_name"],
            position=row["position"],
            roles=sorted(roles),
            email=row["email"],
            phone=row["phone"],
            send_credentials=send_credentials,
        )
        if not send_credentials:
            credentials.append(
                {
                    "full_name": row["full_name"],
                    "position": row["position"],
                    "username": employee.user.username,
                    "password": password,
                }
            )
    links = 0
    served_orgs = Organization.objects.in_bulk([r["organization_id"] for r in served])
    for row in served:
        other = served_orgs[row["organization_id"]]
        uo, provider = (org, other) if row["direction"] == "provider" else (other, org)
        services.service_link_create(
            uo=uo, provider=provider, resource=row["resource"], start=today
        )
        links += 1
    if provider_for is not None and not any(
        r["organization_id"] == provider_for.pk for r in served
    ):
        services.service_link_create(uo=provider_for, provider=org, start=today)
        links += 1
    stats = {"buildings": 0, "new_buildings": 0, "premises": 0, "accounts": 0, "periods": 0}
    if accounts:
        stats = accounts_load(
            rows=accounts,
            actor=actor,
            organization=org,
            management_start=management_start or today,
            validate=False,
            progress=progress,
            audit=False,
            batch_size=batch_size,
        )
    stats = {"employees": len(employees), "links": links, **stats}
    return org, credentials, stats
