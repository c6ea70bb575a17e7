"""The onboarding services other code calls (D5): the accounts loader and the file checks."""

import datetime as dt
import io

import pytest

from domovoy.audit.models import AuditEntry
from domovoy.core.errors import ApplicationError
from domovoy.directory.models import Account, Building, ManagementPeriod, Premises
from domovoy.onboarding import checks, services
from domovoy.onboarding.importers import ImportRowsError
from tests import factories as f

from .files import ACCOUNT_HEADER, account_rows, csv_bytes, register_buildings

pytestmark = pytest.mark.req("D5")


def _rows(n, street="ул. Загрузочная"):
    return [
        {
            "settlement": "г. Кострома",
            "street": street,
            "house": str(i // 10 + 1),
            "block": "",
            "flat": str(i % 10 + 1),
            "account": f"L{i:07d}",
            "last_name": "Петров",
        }
        for i in range(n)
    ]


@pytest.mark.django_db
def test_accounts_load_creates_buildings_premises_accounts_and_one_audit_entry(uo, uo_admin):
    stats = services.accounts_load(
        rows=_rows(35),
        actor=uo_admin,
        organization=uo,
        management_start=dt.date(2026, 1, 1),
        batch_size=7,
    )
    assert stats == {
        "buildings": 4,
        "new_buildings": 4,
        "premises": 35,
        "accounts": 35,
        "periods": 4,
    }
    assert Building.objects.filter(street="ул. Загрузочная").count() == 4
    assert Account.objects.filter(owner_last_name="Петров").count() == 35
    assert ManagementPeriod.objects.filter(organization=uo, start=dt.date(2026, 1, 1)).count() == 4
    assert Building.objects.get(street="ул. Загрузочная", house="1").search_text == (
        "ул. загрузочная 1"
    )
    assert AuditEntry.objects.filter(action="bulk", actor=uo_admin).count() == 1


@pytest.mark.django_db
def test_accounts_load_reuses_existing_buildings_and_premises():
    existing = f.BuildingFactory(settlement="г. Кострома", street="ул. Загрузочная", house="1")
    Premises.objects.create(building=existing, number="1")
    stats = services.accounts_load(rows=_rows(12), actor=None)
    assert stats["new_buildings"] == 1 and stats["premises"] == 11
    assert existing.premises.count() == 10
    assert Account.objects.filter(premises__building=existing).count() == 10


@pytest.mark.django_db
@pytest.mark.req("S7")
def test_accounts_load_refuses_bad_rows_and_stores_nothing():
    f.premises_with_account(f.BuildingFactory(), "1", account_number="L0000003")
    rows = _rows(10)
    rows[5]["account"] = rows[4]["account"]
    rows[7]["street"] = ""
    with pytest.raises(ImportRowsError) as caught:
        services.accounts_load(rows=rows, actor=None)
    reasons = {(r["line"], r["column"]) for r in caught.value.rows}
    assert reasons == {(6, "Лицевой счёт"), (8, "Улица"), (4, "Лицевой счёт")}
    assert Account.objects.count() == 1 and Building.objects.count() == 1


@pytest.mark.django_db
def test_accounts_load_refuses_everything_on_a_management_overlap(uo, other_uo):
    existing = f.BuildingFactory(settlement="г. Кострома", street="ул. Загрузочная", house="2")
    f.manage(existing, other_uo, start=dt.date(2020, 1, 1))
    with pytest.raises(ApplicationError) as caught:
        services.accounts_load(rows=_rows(25), actor=None, organization=uo)
    assert "ул. Загрузочная, д. 2" in caught.value.message
    assert caught.value.code == "management_overlap"
    assert Account.objects.count() == 0 and Building.objects.count() == 1


@pytest.mark.django_db
def test_the_check_reports_progress_every_n_rows(monkeypatch):
    monkeypatch.setattr(checks, "PROGRESS_EVERY", 5)
    seen = []
    register_buildings(account_rows(20))
    source = io.BytesIO(csv_bytes(ACCOUNT_HEADER, account_rows(20), encoding="cp1251"))
    source.name = "accounts.csv"
    parsed, report = services.validate_sources(
        kinds=["uo"],
        sources={"accounts": source},
        applicant_inn="7700000001",
        progress=seen.append,
    )
    assert report.error_count == 0 and len(parsed["accounts"]) == 20
    assert seen == [5, 10, 15, 20]


@pytest.mark.django_db
def test_csv_with_commas_in_utf8_is_read_too():
    register_buildings(account_rows(3))
    source = io.BytesIO(csv_bytes(ACCOUNT_HEADER, account_rows(3), delimiter=","))
    source.name = "accounts.csv"
    parsed, report = services.validate_sources(
        kinds=["uo"], sources={"accounts": source}, applicant_inn=""
    )
    assert report.error_count == 0
    assert [r["account"] for r in parsed["accounts"]] == ["7700000000", "7700000001", "7700000002"]


@pytest.mark.django_db
def test_overdue_marking_counts_only_open_requests_past_their_date():
    from domovoy.onboarding.models import OnboardingRequest

    late = OnboardingRequest.objects.create(status="submitted", due_date=dt.date(2026, 1, 10))
    done = OnboardingRequest.objects.create(status="approved", due_date=dt.date(2026, 1, 10))
    waiting = OnboardingRequest.objects.create(
        status="changes_requested", due_date=dt.date(2026, 1, 10)
    )
    assert services.onboarding_mark_overdue(today=dt.date(2026, 1, 12)) == 1
    late.refresh_from_db(), done.refresh_from_db(), waiting.refresh_from_db()
    assert late.is_overdue and not done.is_overdue and not waiting.is_overdue


@pytest.mark.django_db(transaction=True)
def test_load_progress_is_visible_before_the_loading_transaction_commits():
    from django.db import connection, transaction

    from domovoy.onboarding.models import OnboardingRequest
    from domovoy.onboarding.selectors import progress_of

    onboarding = OnboardingRequest.objects.create(status="loading", progress_total=100)
    reporter = services._ProgressReporter(onboarding.pk)
    try:
        with transaction.atomic():
            reporter(40, 100)
            fresh = OnboardingRequest.objects.get(pk=onboarding.pk)
            assert progress_of(fresh) == (40, 100, 40)
            if connection.vendor == "postgresql":  # written through the side connection
                assert fresh.progress_done == 40
    finally:
        reporter.close()
