"""Checks of a connection request (D5, S7): the card, the required files, the cheap upload
checks before anything is stored, and the worker's parse of every row of the files."""

import datetime as dt

from django.utils.translation import gettext as _

from domovoy.core import uploads
from domovoy.directory import services as directory_services
from domovoy.directory.card import check_card
from domovoy.directory.models import Organization, OrgKind

from . import importers
from .models import OnboardingFile, OnboardingRequest

APPLICABLE_KINDS = (OrgKind.UO, OrgKind.RSO, OrgKind.CONTRACTOR)
PROGRESS_EVERY = 1000  # rows between two progress figures (and heartbeats) of the check
Status = OnboardingRequest.Status


def jsonable_card(cleaned):
    card = {}
    for key in directory_services.CARD_FIELDS:
        value = cleaned.get(key)
        if isinstance(value, dt.date):
            value = value.isoformat()
        card[key] = "" if value is None else value
    return card


def card_for_create(card):
    data = dict(card)
    for key in ("registration_date", "license_date"):
        if data.get(key):
            data[key] = (
                dt.date.fromisoformat(data[key]) if isinstance(data[key], str) else data[key]
            )
        else:
            data[key] = None
    return data


def check_request_card(card, kinds, *, license_scan_present, exclude_request=None):
    """Card errors (D1) by field, with the connection rules of D5 on top."""
    cleaned, errors, warnings = check_card(card, codes_are_warnings=True, is_uo=OrgKind.UO in kinds)
    if not kinds:
        errors["kinds"] = [_("Укажите хотя бы один вид организации")]
    elif set(kinds) - set(APPLICABLE_KINDS):
        errors["kinds"] = [_("Подключиться можно как УО, РСО или подрядная организация")]
    if OrgKind.UO in kinds and not license_scan_present:
        errors["license_scan"] = [_("Для управляющей организации приложите скан лицензии")]
    for key in ("registration_date", "license_date"):
        value = cleaned.get(key)
        if isinstance(value, str) and value:
            try:
                cleaned[key] = dt.date.fromisoformat(value)
            except ValueError:
                errors.setdefault(key, []).append(_("Дата в формате ГГГГ-ММ-ДД"))
    inn = cleaned.get("inn")
    if inn and "inn" not in errors:
        if Organization.objects.filter(inn=inn).exists():
            errors["inn"] = [_("Организация с таким ИНН уже подключена")]
        else:
            others = OnboardingRequest.objects.filter(card__inn=inn).exclude(
                status__in=(Status.APPROVED, Status.REJECTED)
            )
            if exclude_request is not None:
                others = others.exclude(pk=exclude_request.pk)
            if others.exists():
                errors["inn"] = [_("Заявка на подключение этой организации уже подана")]
    card_warnings = [
        {"sheet": "card", "line": None, "column": field, "reason": msg}
        for field, msgs in warnings.items()
        for msg in msgs
    ]
    return jsonable_card(cleaned), errors, card_warnings


def required_files(kinds, files, *, existing=()):
    errors = {}
    present = set(files) | set(existing)
    if OnboardingFile.Kind.EMPLOYEES not in present:
        errors["employees_file"] = [_("Приложите список сотрудников")]
    if OrgKind.UO in kinds and OnboardingFile.Kind.ACCOUNTS not in present:
        errors["accounts_file"] = [
            _("Управляющая организация прикладывает список домов и лицевых счетов")
        ]
    if OrgKind.UO not in kinds and OnboardingFile.Kind.ACCOUNTS in files:
        errors["accounts_file"] = [
            _("Список домов и лицевых счетов прикладывает только управляющая организация")
        ]
    return errors


def validate_sources(*, kinds, sources, applicant_inn, progress=None, check_db=True):
    """Parse and check all files. ``sources`` maps a file kind to a file object.

    Returns (parsed, report): parsed = {"employees": [...], "served": [...],
    "accounts": [...]}; the report holds every bad row and the warnings."""
    report = importers.Report()
    parsed = {"employees": [], "served": [], "accounts": []}
    done = [0]

    def tick(line):
        if progress:
            progress(done[0] + line)

    for kind in ("employees", "served", "accounts"):
        source = sources.get(kind)
        if source is None:
            continue
        if kind == "accounts":
            parsed[kind] = importers.check_accounts_workbook(
                source,
                report=report,
                check_db=check_db,
                progress=tick,
                progress_every=PROGRESS_EVERY,
            )
            if not parsed[kind] and not report.error_count:
                report.error(kind, None, "", _("в списке нет ни одного лицевого счёта"))
            done[0] += parsed[kind][-1]["line"] if parsed[kind] else 0
            continue
        spec = importers.SHEETS[kind]
        rows = importers.iter_sheet(
            spec, source, report, progress=tick, progress_every=PROGRESS_EVERY
        )
        if kind == "employees":
            parsed[kind] = importers.check_employees(rows, kinds=kinds, report=report)
            if not parsed[kind] and not report.error_count:
                report.error(kind, None, "", _("в списке нет ни одного сотрудника"))
        elif kind == "served":
            parsed[kind] = importers.check_served(
                rows, kinds=kinds, applicant_inn=applicant_inn, report=report
            )
        done[0] += parsed[kind][-1]["line"] if parsed[kind] else 0
    return parsed, report


def summary_of(parsed):
    first = importers.PREVIEW_ROWS
    return {
        "employees": {
            "count": len(parsed["employees"]),
            "first": [
                {k: r[k] for k in ("line", "full_name", "position", "email", "roles")}
                for r in parsed["employees"][:first]
            ],
        },
        "served": {
            "count": len(parsed["served"]),
            "first": [
                {k: r[k] for k in ("line", "name", "inn", "resource")}
                for r in parsed["served"][:first]
            ],
        },
        "accounts": importers.accounts_summary(parsed["accounts"]),
    }


def check_uploads(files, license_scan):
    """The cheap checks of ``core.uploads`` (type, size, zip bounds; nothing is parsed), errors
    by form field."""
    errors = {}
    checks = [(upload, uploads.SPREADSHEET, f"{kind}_file") for kind, upload in files.items()]
    if license_scan:
        checks.append((license_scan, uploads.LICENSE_SCAN, "license_scan"))
    for upload, policy, field in checks:
        try:
            uploads.check_upload(upload, policy, field=field)
        except uploads.UploadError as exc:
            errors.update(exc.fields)
    return errors
