"""The directory's bulk loader (D3, D4, D5, S7): good rows are inserted in chunks, bad rows are
named by row and field, and nothing is written when anything is refused."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from domovoy.audit.models import AuditEntry
from domovoy.core.errors import ApplicationError
from domovoy.directory import loader
from domovoy.directory.models import (
    Account,
    Building,
    Employee,
    ManagementPeriod,
    Organization,
    Premises,
    ServiceLink,
    User,
)
from domovoy.onboarding import importers
from tests import factories as f

pytestmark = [pytest.mark.req("D3"), pytest.mark.django_db]


def _rows(n, street="ул. Пакетная", settlement="г. Кострома"):
    return [
        {
            "settlement": settlement,
            "street": street,
            "house": str(i // 10 + 1),
            "block": "",
            "flat": str(i % 10 + 1),
            "account": f"B{i:07d}",
            "last_name": "Иванов",
            "entrances": 2 if i % 10 == 0 else None,
        }
        for i in range(n)
    ]


def _employee(name, email, roles=("uo_dispatcher",)):
    return {"full_name": name, "position": "Диспетчер", "email": email, "phone": "", "roles": roles}


def test_good_rows_are_loaded_in_chunks_with_one_audit_entry(
    uo, uo_admin, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40):
        stats = loader.accounts_load(
            rows=_rows(45),
            actor=uo_admin,
            organization=uo,
            management_start=dt.date(2026, 2, 1),
            batch_size=10,
        )
    assert stats == {
        "buildings": 5,
        "new_buildings": 5,
        "premises": 45,
        "accounts": 45,
        "periods": 5,
    }
    assert Account.objects.filter(number__startswith="B").count() == 45
    assert Building.objects.get(street="ул. Пакетная", house="1").entrances == 2
    assert ManagementPeriod.objects.filter(organization=uo, start=dt.date(2026, 2, 1)).count() == 5
    assert AuditEntry.objects.filter(action="bulk", actor=uo_admin).count() == 1


def test_clean_rows_returns_cleaned_rows_with_their_line_numbers():
    rows = _rows(3)
    rows[1]["account"] = " B 0000001 "
    rows[2]["street"] = "  ул.   Пакетная "
    cleaned = loader.clean_rows(rows)
    assert [r["line"] for r in cleaned] == [1, 2, 3]
    assert cleaned[1]["account"] == "B0000001"
    assert cleaned[2]["street"] == "ул. Пакетная"
    assert cleaned[0]["entrances"] == 2 and cleaned[1]["entrances"] is None


def test_bad_rows_are_named_by_row_and_field_and_nothing_is_written():
    f.premises_with_account(f.BuildingFactory(), "1", account_number="B0000002")
    rows = _rows(12)
    rows[3]["account"] = rows[0]["account"]  # used twice in the file
    rows[5]["house"] = ""  # a required cell
    rows[7]["entrances"] = "много"  # not a number
    rows[9]["latitude"] = "95"  # out of range
    for n, row in enumerate(rows, start=101):
        row["line"] = n  # the caller's own numbering (the file's line) is kept
    with pytest.raises(loader.ImportRowsError) as caught:
        loader.accounts_load(rows=rows)
    found = {(r["line"], r["column"]) for r in caught.value.rows}
    assert found == {
        (104, "Лицевой счёт"),
        (106, "Дом"),
        (108, "Подъездов"),
        (110, "Широта"),
        (103, "Лицевой счёт"),  # B0000002 is already in the database
    }
    assert caught.value.total == 5 and caught.value.code == "invalid_rows"
    assert all(r["sheet"] == "accounts" and r["reason"] for r in caught.value.rows)
    assert any("стр. 104" in m for m in caught.value.fields["accounts_file"])
    assert Building.objects.count() == 1 and Account.objects.count() == 1


def test_a_building_whose_rows_disagree_is_refused():
    rows = _rows(3)
    rows[0]["floors"], rows[2]["floors"] = "5", "9"
    with pytest.raises(loader.ImportRowsError) as caught:
        loader.clean_rows(rows)
    assert [(r["line"], r["column"]) for r in caught.value.rows] == [(3, "Этажей")]


@pytest.mark.req("D4")
def test_a_management_overlap_refuses_everything(uo, other_uo):
    existing = f.BuildingFactory(settlement="г. Кострома", street="ул. Пакетная", house="3")
    f.manage(existing, other_uo, start=dt.date(2020, 1, 1))
    with pytest.raises(ApplicationError) as caught:
        loader.accounts_load(rows=_rows(30), organization=uo)
    assert caught.value.code == "management_overlap"
    assert Account.objects.count() == 0 and Premises.objects.count() == 0
    assert Building.objects.count() == 1


def test_only_a_uo_gets_housing(rso):
    with pytest.raises(ApplicationError) as caught:
        loader.accounts_load(rows=_rows(2), organization=rso)
    assert caught.value.code == "not_uo" and Account.objects.count() == 0


@pytest.mark.req("D5")
def test_organization_load_creates_the_organisation_with_everything_of_it(
    uo_admin, rso, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        org, credentials, stats = loader.organization_load(
            card=f.card_data(931),
            kinds=["uo"],
            employees=[
                _employee("Орлова Вера Ивановна", "orlova@example.ru"),
                _employee("Лебедев Олег Павлович", "lebedev@example.ru", ("uo_engineer",)),
            ],
            served=[{"organization_id": rso.pk, "direction": "provider", "resource": "gas"}],
            accounts=loader.clean_rows(_rows(20)),
            management_start=dt.date(2026, 3, 1),
            actor=uo_admin,
        )
    assert stats == {
        "employees": 2,
        "links": 1,
        "buildings": 2,
        "new_buildings": 2,
        "premises": 20,
        "accounts": 20,
        "periods": 2,
    }
    assert credentials == []  # e-mailed to the employees themselves
    first = Employee.objects.get(organization=org, user__last_name="Орлова")
    assert first.role_codes == {"uo_dispatcher", "org_admin"}
    assert ServiceLink.objects.filter(uo=org, provider=rso, resource="gas").exists()
    assert ManagementPeriod.objects.filter(organization=org, start=dt.date(2026, 3, 1)).count() == 2
    assert {m.to[0] for m in mail.outbox} == {"orlova@example.ru", "lebedev@example.ru"}


@pytest.mark.req("D5")
def test_organization_load_for_a_contractor_returns_the_logins_and_links_its_uo(uo):
    with transaction.atomic():
        org, credentials, stats = loader.organization_load(
            card=f.card_data(932),
            kinds=["contractor"],
            employees=[
                _employee("Сидоров Пётр Ильич", "sidorov@example.ru", ("supplier_dispatcher",))
            ],
            provider_for=uo,
            send_credentials=False,
        )
    assert [c["full_name"] for c in credentials] == ["Сидоров Пётр Ильич"]
    assert credentials[0]["password"] and credentials[0]["username"]
    assert ServiceLink.objects.filter(uo=uo, provider=org).exists()
    assert stats["links"] == 1 and stats["accounts"] == 0


@pytest.mark.req("S7")
def test_a_refusal_inside_organization_load_leaves_nothing(uo, other_uo):
    existing = f.BuildingFactory(settlement="г. Кострома", street="ул. Пакетная", house="2")
    f.manage(existing, other_uo, start=dt.date(2020, 1, 1))
    organisations, users = Organization.objects.count(), User.objects.count()
    with pytest.raises(ApplicationError), transaction.atomic():
        loader.organization_load(
            card=f.card_data(933),
            kinds=["uo"],
            employees=[_employee("Орлова Вера Ивановна", "orlova@example.ru")],
            accounts=loader.clean_rows(_rows(20)),
        )
    assert Organization.objects.count() == organisations and User.objects.count() == users
    assert Account.objects.count() == 0 and Premises.objects.count() == 0


def test_the_import_form_and_the_loader_name_the_columns_alike():
    assert importers.ACCOUNTS.labels == loader.ACCOUNT_LABELS
    assert importers.ImportRowsError is loader.ImportRowsError
