"""Onboarding through the pages (D5): public form, operator's queue and decision, login."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from domovoy.directory.models import (
    Account,
    Building,
    Employee,
    ManagementPeriod,
    Organization,
    Premises,
    ServiceLink,
)
from domovoy.onboarding.models import OnboardingFile, OnboardingRequest
from tests import factories as f

from .files import (
    ACCOUNT_HEADER,
    EMPLOYEE_HEADER,
    SERVED_HEADER,
    account_rows,
    after_commit,
    employee_rows,
    uo_post_data,
    upload,
    xlsx,
)

pytestmark = pytest.mark.req("D5")
APPLY = "/onboarding/"


def _submit(client, data, url=APPLY):
    with after_commit():
        return client.post(url, data)


def _checked(client, data, url=APPLY):
    """Submit, let the worker check the files, return the applicant's status page."""
    response = _submit(client, data, url)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_the_public_form_opens_without_login(client):
    response = client.get(APPLY)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="inn"' in body and 'name="accounts_file"' in body
    assert reverse("onboarding:template", args=["accounts"]) in body


@pytest.mark.django_db
def test_it_serves_blank_xlsx_forms_with_header_rows(client):
    response = client.get(reverse("onboarding:template", args=["accounts"]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    header = next(ws.iter_rows(values_only=True))
    assert "Лицевой счёт" in header and "Населённый пункт" in header and "Дом" in header
    assert client.get(reverse("onboarding:template", args=["nonsense"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_whole_happy_path_from_form_to_the_dispatchers_login(client, functional_operator, rso):
    served = [[1, rso.short_name, rso.inn, "Холодная вода"]]
    response = _submit(client, uo_post_data(served=served))
    assert response.status_code == 302, response.content.decode()[:3000]
    onboarding = OnboardingRequest.objects.get()
    assert response["Location"] == reverse("onboarding:status", args=[onboarding.token])
    assert onboarding.status == "submitted"
    assert onboarding.due_date is not None
    assert mail.outbox and onboarding.token in mail.outbox[-1].body
    assert not Organization.objects.filter(inn=onboarding.card["inn"]).exists()

    client.force_login(functional_operator)
    queue = client.get(reverse("onboarding:queue"))
    assert onboarding.short_name in queue.content.decode()
    review = client.get(reverse("onboarding:review", args=[onboarding.pk]))
    body = review.content.decode()
    assert 'id="count-accounts">6<' in body and "77000000" in body
    mail.outbox.clear()
    response = client.post(
        reverse("onboarding:approve", args=[onboarding.pk]), {"comment": "Проверено"}
    )
    assert response.status_code == 302
    onboarding.refresh_from_db()
    assert onboarding.status == "approved"
    org = onboarding.organization
    assert org.inn == onboarding.card["inn"] and org.kind_codes == {"uo"}
    assert org.license_scan
    employees = Employee.objects.filter(organization=org).select_related("user")
    assert employees.count() == 2
    first = employees.get(user__last_name="Смирнова")
    assert first.role_codes == {"uo_dispatcher", "org_admin"}
    assert employees.get(user__last_name="Кузнецов").role_codes == {"uo_engineer"}
    assert Building.objects.filter(street="ул. Подключаемая").count() == 2
    assert Premises.objects.filter(building__street="ул. Подключаемая").count() == 6
    assert Account.objects.filter(premises__building__street="ул. Подключаемая").count() == 6
    assert ManagementPeriod.objects.filter(organization=org).count() == 2
    assert ServiceLink.objects.filter(uo=org, provider=rso, resource="cold_water").exists()
    decisions = list(onboarding.decisions.values_list("action", "actor_id"))
    assert ("approve", functional_operator.pk) in decisions
    from domovoy.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="bulk", object_id=str(org.pk)).exists()

    letter = next(m for m in mail.outbox if "smirnova@uk-test.ru" in m.to)
    username = re.search(r"логин: (\S+)", letter.body).group(1)
    password = re.search(r"пароль: (\S+)", letter.body).group(1)
    client.logout()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")
    assert client.session.get("_auth_user_id") == str(first.user_id)


@pytest.mark.django_db
def test_a_file_with_one_bad_row_among_many_stores_nothing(client):
    rows = account_rows(40)
    rows[27][7] = ""  # an empty account number on one line
    body = _checked(client, uo_post_data(accounts=rows))
    assert 'id="row-errors"' in body
    assert "<td>Лицевые счета МКД</td><td>29</td><td>Лицевой счёт</td>" in body
    assert OnboardingRequest.objects.get().status == "invalid"  # the list of bad rows only
    assert OnboardingFile.objects.count() == 0
    assert Building.objects.count() == 0 and Account.objects.count() == 0
    assert Organization.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.req("S7")
def test_it_lists_every_bad_row_with_line_column_and_reason(client, building):
    f.premises_with_account(building, "1", account_number="EXISTING1")
    employees = employee_rows() + [
        [3, "Петров", "Диспетчер", "not-an-email", "12", "Оператор ракеты"],
    ]
    accounts = account_rows(4)
    accounts.append(accounts[0][:])  # the same account number again
    accounts[-1][6] = "99"
    accounts.append(
        [
            9,
            "г. Кострома",
            "Центральный",
            "ул. Подключаемая",
            "1",
            "",
            "50",
            "EXISTING1",
            "",
            "",
            "",
            9,
            5,
            57.76,
            40.93,
        ]
    )
    body = _checked(client, uo_post_data(employees=employees, accounts=accounts))
    for expected in (
        "<td>Sheet</td><td>4</td><td>ФИО</td><td>укажите фамилию и имя полностью",
        "<td>Sheet</td><td>4</td><td>E-mail</td><td>неверный адрес электронной почты",
        "<td>Sheet</td><td>4</td><td>Телефон</td>",
        "<td>Sheet</td><td>4</td><td>Роль</td><td>неизвестная роль",
        "<td>Лицевые счета МКД</td><td>6</td><td>Лицевой счёт</td>"
        "<td>лицевой счёт 7700000000 повторяется",
        "<td>Лицевые счета МКД</td><td>7</td><td>Подъездов</td>"
        "<td>дом г. Кострома, ул. Подключаемая, 1",
        "лицевой счёт EXISTING1 уже есть в системе",
    ):
        assert expected in body, expected
    assert OnboardingRequest.objects.get().status == "invalid"


@pytest.mark.django_db
@pytest.mark.req("D1")
def test_card_errors_are_shown_per_field_and_a_uo_needs_its_licence(client):
    data = uo_post_data(inn="1234567890", bik="12345", license_number="")
    del data["license_scan"]
    response = _submit(client, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "ИНН: неверная контрольная цифра" in form.errors["inn"][0]
    assert form.errors["bik"]
    assert "лицензия" in form.errors["license_number"][0]
    assert form.errors["license_scan"]
    assert OnboardingRequest.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.req("D1")
def test_classification_codes_are_only_warnings(client, functional_operator):
    response = _submit(client, uo_post_data(okved="90.0", okpo="123"))
    assert response.status_code == 302
    onboarding = OnboardingRequest.objects.get()
    assert {w["column"] for w in onboarding.warnings} >= {"okpo"}


@pytest.mark.django_db
def test_it_reads_csv_in_cp1251_with_semicolons(client, functional_operator):
    response = _submit(client, uo_post_data(fmt="csv"))
    assert response.status_code == 302
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.summary["accounts"]["count"] == 6
    assert onboarding.summary["employees"]["count"] == 2


@pytest.mark.django_db
def test_the_public_submission_is_rate_limited(client):
    codes = [_submit(client, {"inn": "1"}).status_code for _ in range(11)]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login_from_the_queue(client):
    response = client.get(reverse("onboarding:queue"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_a_uo_admin_can_neither_see_the_queue_nor_approve(client, uo_admin, functional_operator):
    assert _submit(client, uo_post_data()).status_code == 302
    onboarding = OnboardingRequest.objects.get()
    client.force_login(uo_admin)
    assert client.get(reverse("onboarding:queue")).status_code == 403
    assert client.get(reverse("onboarding:review", args=[onboarding.pk])).status_code == 403
    response = client.post(reverse("onboarding:approve", args=[onboarding.pk]))
    assert response.status_code == 403
    onboarding.refresh_from_db()
    assert (
        onboarding.status == "submitted"
        and not onboarding.decisions.filter(action="approve").exists()
    )


@pytest.mark.django_db
def test_changes_requested_mail_a_link_and_the_corrected_request_is_checked_again(
    client, functional_operator, django_capture_on_commit_callbacks
):
    assert _submit(client, uo_post_data()).status_code == 302
    onboarding = OnboardingRequest.objects.get()
    client.force_login(functional_operator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("onboarding:request_changes", args=[onboarding.pk]),
            {"comment": "Уточните телефоны"},
        )
    assert response.status_code == 302
    onboarding.refresh_from_db()
    assert onboarding.status == "changes_requested"
    link = reverse("onboarding:correct", args=[onboarding.token])
    assert link in mail.outbox[-1].body and "Уточните телефоны" in mail.outbox[-1].body
    client.logout()

    page = client.get(link)
    assert page.status_code == 200 and "Уточните телефоны" in page.content.decode()
    bad = uo_post_data(accounts=[["x", "г. Кострома", "", "", "1", "", "1", "A1"]])
    bad.pop("license_scan")
    assert "<td>Лицевые счета МКД</td><td>2</td><td>Улица</td>" in _checked(client, bad, link)
    onboarding.refresh_from_db()
    assert onboarding.status == "invalid"

    good = uo_post_data(head_phone="+74942000000")
    good.pop("license_scan")  # the scan filed before is kept
    response = _submit(client, good, link)
    assert response.status_code == 302
    onboarding.refresh_from_db()
    assert onboarding.status == "submitted" and onboarding.card["head_phone"] == "+74942000000"
    assert list(onboarding.decisions.values_list("action", flat=True)) == [
        "submit",
        "request_changes",
        "resubmit",
    ]
    assert client.get(reverse("onboarding:correct", args=["wrong-token"])).status_code == 404


@pytest.mark.django_db
def test_the_deadline_skips_new_year_holidays_and_overdue_requests_are_flagged(
    client, functional_operator
):
    from domovoy.onboarding.tasks import onboarding_overdue_scan

    with time_machine.travel(dt.datetime(2026, 12, 30, 10, 0, tzinfo=dt.UTC), tick=False):
        assert _submit(client, uo_post_data()).status_code == 302
    onboarding = OnboardingRequest.objects.get()
    # 31.12.2026 is a day off (transferred), 1–10.01.2027 holidays and a weekend.
    assert onboarding.due_date == dt.date(2027, 1, 15)
    with time_machine.travel(dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        onboarding_overdue_scan.call_local()
        onboarding.refresh_from_db()
        assert not onboarding.is_overdue
    with time_machine.travel(dt.datetime(2027, 1, 18, 9, 0, tzinfo=dt.UTC), tick=False):
        onboarding_overdue_scan.call_local()
        onboarding.refresh_from_db()
        assert onboarding.is_overdue
        client.force_login(functional_operator)
        page = client.get(reverse("onboarding:queue") + "?overdue=1")
        assert "overdue-badge" in page.content.decode()
        assert onboarding.short_name in page.content.decode()
        page = client.get(reverse("onboarding:queue") + "?overdue=0")
        assert onboarding.short_name not in page.content.decode()


@pytest.mark.django_db
def test_large_files_are_checked_and_loaded_by_the_worker_with_progress(
    client, functional_operator, settings, django_capture_on_commit_callbacks
):
    settings.ONBOARDING_ASYNC_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, uo_post_data(accounts=account_rows(30)))
    assert response.status_code == 302
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.status == "submitted"
    assert onboarding.progress_total >= 30 and onboarding.summary["accounts"]["count"] == 30
    status_page = client.get(response["Location"])
    assert status_page.status_code == 200
    progress = client.get(
        reverse("onboarding:status_progress", args=[onboarding.token]), HTTP_HX_REQUEST="true"
    )
    assert progress["HX-Refresh"] == "true"

    client.force_login(functional_operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("onboarding:approve", args=[onboarding.pk]))
    onboarding.refresh_from_db()
    assert onboarding.status == "approved"
    assert onboarding.progress_done == onboarding.progress_total
    assert Account.objects.filter(premises__building__street="ул. Подключаемая").count() == 30


@pytest.mark.django_db
def test_a_large_file_with_errors_found_by_the_worker_keeps_nothing_but_the_error_list(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ONBOARDING_ASYNC_ROWS = 10
    rows = account_rows(30)
    rows[20][3] = ""
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, uo_post_data(accounts=rows))
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.status == "invalid"
    assert onboarding.files.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "<td>Лицевые счета МКД</td><td>22</td><td>Улица</td>" in page
    assert reverse("onboarding:correct", args=[onboarding.token]) in page


@pytest.mark.django_db
def test_the_progress_partial_polls_every_two_seconds_while_the_worker_runs(client):
    onboarding = OnboardingRequest.objects.create(
        status="validating", card={"short_name": "X"}, progress_total=200, progress_done=50
    )
    page = client.get(reverse("onboarding:status", args=[onboarding.token])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "25%" in page


@pytest.mark.django_db
def test_an_overlapping_management_period_refuses_the_whole_approval(
    client, functional_operator, other_uo
):
    existing = f.BuildingFactory(settlement="г. Кострома", street="ул. Подключаемая", house="1")
    f.manage(existing, other_uo, start=dt.date(2020, 1, 1))
    assert _submit(client, uo_post_data()).status_code == 302
    onboarding = OnboardingRequest.objects.get()
    client.force_login(functional_operator)
    response = client.post(reverse("onboarding:approve", args=[onboarding.pk]), follow=True)
    body = response.content.decode()
    assert "ул. Подключаемая, д. 1" in body and "пересекается" in body
    onboarding.refresh_from_db()
    assert onboarding.status == "submitted"
    assert not Organization.objects.filter(inn=onboarding.card["inn"]).exists()
    assert Account.objects.count() == 0
    assert Building.objects.count() == 1
    assert not onboarding.decisions.filter(action="approve").exists()


@pytest.mark.django_db
def test_an_existing_building_is_reused(client, functional_operator):
    existing = f.BuildingFactory(settlement="г. Кострома", street="ул. Подключаемая", house="2")
    assert _submit(client, uo_post_data()).status_code == 302
    onboarding = OnboardingRequest.objects.get()
    client.force_login(functional_operator)
    client.post(reverse("onboarding:approve", args=[onboarding.pk]))
    onboarding.refresh_from_db()
    assert onboarding.status == "approved"
    assert Building.objects.filter(street="ул. Подключаемая").count() == 2
    assert existing.premises.count() == 3
    assert ManagementPeriod.objects.filter(
        building=existing, organization=onboarding.organization
    ).exists()


@pytest.mark.django_db
def test_configured_steps_run_in_order_and_each_decision_is_recorded(
    client, functional_operator, technical_operator, territory
):
    from domovoy.onboarding.models import ApprovalStep

    control = f.OrganizationFactory(kinds=["control"], territory=territory["city"])
    controller = f.employee(control, roles=["controller"], username="ctl").user
    ApprovalStep.objects.create(
        order=1, name="Контрольный орган", decider_role="controller", decider_kind="control"
    )
    ApprovalStep.objects.create(
        order=2, name="Технический оператор", decider_role="technical_operator"
    )
    assert _submit(client, uo_post_data()).status_code == 302
    onboarding = OnboardingRequest.objects.get()
    approve = reverse("onboarding:approve", args=[onboarding.pk])

    client.force_login(technical_operator)
    assert client.post(approve).status_code == 403  # not its step yet
    client.force_login(controller)
    assert client.get(reverse("onboarding:queue")).status_code == 200
    client.post(approve, {"comment": "Сведения подтверждены"})
    onboarding.refresh_from_db()
    assert onboarding.status == "submitted" and onboarding.current_step == 1
    assert client.post(approve).status_code == 403
    client.force_login(technical_operator)
    client.post(approve)
    onboarding.refresh_from_db()
    assert onboarding.status == "approved"
    steps = list(
        onboarding.decisions.filter(action="approve").values_list(
            "step_name", "actor_id", "comment"
        )
    )
    assert steps == [
        ("Контрольный орган", controller.pk, "Сведения подтверждены"),
        ("Технический оператор", technical_operator.pk, ""),
    ]


@pytest.mark.django_db
def test_a_uo_files_for_its_contractor_and_sees_the_first_logins_until_handed_over(
    client, uo, uo_admin, other_uo_admin, functional_operator, uo_dispatcher
):
    client.force_login(uo_dispatcher)
    assert client.get(reverse("onboarding:apply_contractor")).status_code == 403
    client.force_login(uo_admin)
    page = client.get(reverse("onboarding:apply_contractor"))
    assert page.status_code == 200 and 'name="accounts_file"' not in page.content.decode()
    data = uo_post_data(
        901,
        accounts=[],
        employees=[
            [1, "Сидоров Пётр Ильич", "Мастер", "sidorov@podryad.ru", "", "Диспетчер"],
        ],
    )
    for key in ("kinds", "license_scan", "license_number", "license_date", "license_issuer"):
        data.pop(key)
    response = _submit(client, data, reverse("onboarding:apply_contractor"))
    assert response.status_code == 302, response.content.decode()[:2000]
    onboarding = OnboardingRequest.objects.get()
    assert onboarding.kinds == ["contractor"] and onboarding.on_behalf_of == uo

    client.force_login(functional_operator)
    mail.outbox.clear()
    client.post(reverse("onboarding:approve", args=[onboarding.pk]))
    onboarding.refresh_from_db()
    assert onboarding.status == "approved"
    contractor = onboarding.organization
    assert ServiceLink.objects.filter(uo=uo, provider=contractor).exists()
    assert not any("sidorov@podryad.ru" in m.to for m in mail.outbox)
    review = reverse("onboarding:review", args=[onboarding.pk])
    assert 'id="credentials"' not in client.get(review).content.decode()

    client.force_login(other_uo_admin)
    assert client.get(review).status_code == 403

    client.force_login(uo_admin)
    body = client.get(review).content.decode()
    cred = onboarding.credentials[0]
    assert 'id="credentials"' in body and cred["password"] in body and cred["username"] in body
    client.post(reverse("onboarding:handed_over", args=[onboarding.pk]))
    onboarding.refresh_from_db()
    assert onboarding.credentials == [] and onboarding.credentials_handed_over_by == uo_admin
    assert cred["password"] not in client.get(review).content.decode()
    client.logout()
    response = client.post("/login/", {"username": cred["username"], "password": cred["password"]})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_served_list_links_an_rso_to_the_uos_it_serves(client, functional_operator, uo):
    data = uo_post_data(
        902,
        kinds=("rso",),
        accounts=[],
        employees=employee_rows()[:1],
        served=[[1, uo.short_name, uo.inn, "ХВС, ГВС"]],
    )
    data.pop("license_scan")
    assert _submit(client, data).status_code == 302
    onboarding = OnboardingRequest.objects.get()
    client.force_login(functional_operator)
    client.post(reverse("onboarding:approve", args=[onboarding.pk]))
    onboarding.refresh_from_db()
    rso = onboarding.organization
    assert set(
        ServiceLink.objects.filter(uo=uo, provider=rso).values_list("resource", flat=True)
    ) == {"cold_water", "hot_water"}
    roles = Employee.objects.get(organization=rso, user__last_name="Смирнова").role_codes
    assert roles == {"supplier_dispatcher", "org_admin"}


@pytest.mark.django_db
def test_an_rso_must_name_the_resource_and_may_not_ask_for_operator_roles(client, uo):
    data = uo_post_data(
        903,
        kinds=("rso",),
        accounts=[],
        employees=[
            [1, "Орлов Иван Сергеевич", "Диспетчер", "o@x.ru", "", "Функциональный оператор"]
        ],
        served=[[1, uo.short_name, uo.inn, ""]],
    )
    body = _checked(client, data)
    assert "роль недоступна для этого вида организации" in body
    assert "для ресурсоснабжающей организации укажите ресурс" in body


@pytest.mark.django_db
def test_headers_are_found_below_title_rows_and_missing_columns_are_reported(client):
    accounts = xlsx(
        ["Населённый пункт", "Улица", "Квартира"],
        [["г. Кострома", "ул. А", "1"]],
        title_rows=[["Список обслуживаемых домов и лицевых счетов"], []],
    )
    data = uo_post_data()
    data["accounts_file"] = upload("accounts.xlsx", accounts)
    body = _checked(client, data)
    assert "<td>Sheet</td><td>3</td><td>Дом</td><td>нет обязательного столбца" in body
    assert "<td>Sheet</td><td>3</td><td>Лицевой счёт</td><td>нет обязательного столбца" in body
    data = uo_post_data(908, employees=[])  # the first request (invalid) holds its INN
    data["employees_file"] = upload("e.xlsx", xlsx(EMPLOYEE_HEADER, []))
    data["served_file"] = upload("s.xlsx", xlsx(SERVED_HEADER, [[1, "ООО", "7700000000", ""]]))
    body = _checked(client, data)
    assert "в списке нет ни одного сотрудника" in body
    assert ACCOUNT_HEADER  # the full header is the template's (see the template test)


@pytest.mark.django_db
@pytest.mark.req("S5")
def test_uploaded_files_are_served_only_to_those_who_may_read_the_request(
    client, functional_operator, uo_admin
):
    assert _submit(client, uo_post_data()).status_code == 302
    onboarding = OnboardingRequest.objects.get()
    url = reverse("onboarding:file", args=[onboarding.pk, "accounts"])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(uo_admin)
    assert client.get(url).status_code == 403
    client.force_login(functional_operator)
    response = client.get(url)
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws.cell(2, 8).value == "7700000000"
    licence = client.get(reverse("onboarding:file", args=[onboarding.pk, "license"]))
    assert b"".join(licence.streaming_content).startswith(b"%PDF")
    assert (
        "/media/"
        not in client.get(reverse("onboarding:review", args=[onboarding.pk])).content.decode()
    )
