"""The foundation's journey in a real browser: a management company applies with its XLSX
files, the functional operator approves it, its buildings are on the map and its dispatcher
logs in with the e-mailed one-time password (D5, D1, D3, S1)."""

import re

import pytest
from django.core import mail

from domovoy.directory.models import Building, Organization
from tests import factories as f
from tests.onboarding.files import (
    EMPLOYEE_HEADER,
    account_rows,
    accounts_xlsx,
    employee_rows,
    xlsx,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _local_only(settings, live_server):
    settings.MAP_TILE_URL = live_server.url + "/static/tiles/{z}/{x}/{y}.png"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _block_outside(page, live_server):
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), lambda route: route.abort())


def _login(page, live_server, username, password):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()


@pytest.mark.req("D5")
@pytest.mark.req("D3")
@pytest.mark.req("S1")
def test_an_operator_connects_a_management_company_from_its_xlsx_files(
    page, live_server, tmp_path, functional_operator, shot
):
    _block_outside(page, live_server)
    card = f.card_data(701)
    rows = account_rows(8, street="ул. Новая Подключённая", houses=2)
    (tmp_path / "employees.xlsx").write_bytes(xlsx(EMPLOYEE_HEADER, employee_rows()))
    (tmp_path / "accounts.xlsx").write_bytes(accounts_xlsx(rows))  # with its «Дома» sheet
    (tmp_path / "licence.pdf").write_bytes(b"%PDF-1.4 licence scan")

    # 1. The company applies on the public page, without an account.
    page.goto(live_server.url + "/onboarding/")
    page.locator("input[name=kinds][value=uo]").check()
    for name, value in card.items():
        if name == "legal_form":
            page.locator(f"[name={name}]").select_option(value)
        elif hasattr(value, "isoformat"):
            page.locator(f"[name={name}]").fill(value.isoformat())
        else:
            page.locator(f"[name={name}]").fill(str(value))
    page.locator("input[name=employees_file]").set_input_files(str(tmp_path / "employees.xlsx"))
    page.locator("input[name=accounts_file]").set_input_files(str(tmp_path / "accounts.xlsx"))
    page.locator("input[name=license_scan]").set_input_files(str(tmp_path / "licence.pdf"))
    shot(page, "onboarding-apply")
    page.get_by_role("button", name="Подать заявку").click()
    page.wait_for_url(re.compile(r"/onboarding/r/"))
    shot(page, "onboarding-status")
    assert not Organization.objects.filter(inn=card["inn"]).exists()  # nothing before approval

    # 2. The functional operator reviews and approves it.
    _login(page, live_server, functional_operator.username, "secret-pass-1")
    page.goto(live_server.url + "/onboarding/queue/")
    shot(page, "onboarding-queue")
    page.get_by_role(
        "link", name=re.compile(card["short_name"].replace("«", ".").replace("»", "."))
    ).first.click()
    page.locator("textarea[name=comment]").first.fill("Документы проверены")
    shot(page, "onboarding-review")
    mail.outbox.clear()
    page.get_by_role("button", name=re.compile("Согласовать")).click()
    page.wait_for_load_state()
    org = Organization.objects.get(inn=card["inn"])
    assert Building.objects.filter(street="ул. Новая Подключённая").count() == 2

    # 3. Its buildings are on the map.
    page.goto(live_server.url + f"/directory/buildings/map/?manager={org.pk}")
    page.wait_for_selector(".leaflet-interactive, .leaflet-marker-icon")
    markers = page.locator(".leaflet-interactive, .leaflet-marker-icon").count()
    assert markers >= 2
    shot(page, "buildings-map")
    page.goto(live_server.url + f"/directory/buildings/?manager={org.pk}")
    assert page.get_by_text("ул. Новая Подключённая").count() >= 2
    shot(page, "buildings-list")

    # 4. Its dispatcher logs in with the e-mailed one-time password and must change it.
    letter = next(m for m in mail.outbox if "smirnova@uk-test.ru" in m.to)
    username = re.search(r"логин: (\S+)", letter.body).group(1)
    password = re.search(r"пароль: (\S+)", letter.body).group(1)
    page.get_by_role("button", name="Учётная запись").click()
    page.get_by_role("button", name="Выйти").click()
    _login(page, live_server, username, password)
    page.wait_for_url(re.compile(r"/password/"))
    page.locator("[name=old_password]").fill(password)
    page.locator("[name=new_password1]").fill("Novyi-parol-2026")
    page.locator("[name=new_password2]").fill("Novyi-parol-2026")
    page.get_by_role("button", name="Сменить пароль").click()
    page.wait_for_url(live_server.url + "/")
    assert "Добро пожаловать" in page.content()
    assert org.short_name in page.content()
    shot(page, "home-dispatcher")
