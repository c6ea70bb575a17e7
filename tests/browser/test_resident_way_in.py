"""Issue 12's journey in a real browser: a new resident opens «/», registers by phone (the
code read from the faked SMS outbox), sets a password, links their account by number and the
owner's surname, files a request in the cabinet and sees it in «Мои заявки». Screenshots of
every new page at 1366 and 390 px (S1, D3, R1)."""

import re

import pytest

from domovoy.directory.models import User
from domovoy.servicedesk.models import ServiceRequest
from tests import factories as f
from tests.notifications.gateway import FakeGateway
from tests.residents.conftest import last_code

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PASSWORD = "Ключ-от-дома-42"


@pytest.fixture
def sms(settings):
    gateway = FakeGateway()
    settings.NOTIFICATIONS_SMS_URL = f"{gateway.url}/sms/send"
    settings.NOTIFICATIONS_SMS_TOKEN = "sms-secret"
    yield gateway
    gateway.close()


@pytest.mark.req("S1")
@pytest.mark.req("D3")
@pytest.mark.req("R1")
def test_a_new_resident_registers_links_the_flat_and_files_a_request(
    page, live_server, shot, sms, building, classifier, links, uo_dispatcher
):
    f.premises_with_account(building, number="12", account_number="7700120012", owner="Сёмина")
    url = live_server.url

    # 1. The public landing and «Как получить доступ».
    page.goto(url + "/")
    page.get_by_role("heading", name=re.compile("Домовой")).wait_for()
    shot(page, "res-landing")
    with page.expect_navigation():
        page.get_by_role("link", name="Как получить доступ").first.click()
    shot(page, "res-access")
    page.goto(url + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Зарегистрироваться").first.click()
    assert page.url.endswith("/register/")
    shot(page, "res-register")

    # 2. The phone, and the code from the SMS the outbox sent through the gateway.
    page.get_by_label(re.compile("^Телефон или электронная почта")).fill("8 910 555-01-02")
    with page.expect_navigation():
        page.get_by_role("button", name="Получить код").click()
    page.get_by_text("+7 910 555-01-02").wait_for()
    shot(page, "res-register-confirm")
    code = last_code("+79105550102")
    assert any(code in str(r["json"]) for r in sms.requests)  # it left through the gateway
    page.get_by_label(re.compile("^Код из сообщения")).fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Подтвердить").click()

    # 3. Names and a password: signed in, on the accounts page.
    assert page.url.endswith("/register/password/")
    shot(page, "res-register-password")
    page.get_by_label(re.compile("^Фамилия")).fill("Сёмина")
    page.get_by_label(re.compile("^Имя")).fill("Ольга")
    page.get_by_label(re.compile("^Пароль \\*")).fill(PASSWORD)
    page.get_by_label(re.compile("^Пароль ещё раз")).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Завершить регистрацию").click()
    assert page.url.endswith("/profile/accounts/")
    shot(page, "res-accounts-empty")

    # 4. The account by its number and the owner's surname (case and ё do not matter).
    page.get_by_label(re.compile("^Номер лицевого счёта")).fill("7700120012")
    page.get_by_label(re.compile("^Фамилия собственника")).fill("семина")
    with page.expect_navigation():
        page.get_by_role("button", name="Привязать", exact=True).click()
    page.get_by_text("привязан").first.wait_for()
    shot(page, "res-accounts-linked")
    user = User.objects.get(phone="+79105550102")
    assert user.is_resident and user.accounts.get().number == "7700120012"

    # 5. The cabinet offers the flat; the request is filed and listed in «Мои заявки».
    with page.expect_navigation():
        page.get_by_role("link", name="Подать заявку").last.click()
    assert "кв. 12" in page.content()
    page.get_by_label(re.compile("^Тема")).select_option(str(classifier["roof-leak"].pk))
    page.get_by_label(re.compile("^Опишите проблему")).fill("Протекает крыша над кухней")
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить заявку").click()
    sr = ServiceRequest.objects.get()
    assert (sr.author_id, sr.premises.number) == (user.pk, "12")
    page.goto(url + "/requests/my/")
    page.get_by_role("link", name=sr.number).first.wait_for()
    shot(page, "res-my-requests")

    # 6. The profile and the contact change page.
    page.goto(url + "/profile/")
    page.get_by_text("+7 910 555-01-02").first.wait_for()
    shot(page, "res-profile")
    page.get_by_role("link", name="Изменить телефон или почту").click()
    page.get_by_label(re.compile("^Новый телефон")).fill("olga@example.ru")
    with page.expect_navigation():
        page.get_by_role("button", name="Получить код").click()
    shot(page, "res-contact-code")

    # 7. The UO's link codes page (its dispatcher).
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("Логин").fill(uo_dispatcher.username)
    page.get_by_label("Пароль").fill("secret-pass-1")
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()
    page.goto(url + "/link-codes/")
    page.get_by_label(re.compile("^Номер лицевого счёта")).fill("7700120012")
    with page.expect_navigation():
        page.get_by_role("button", name="Выдать код").click()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", page.locator("[data-link-code]").inner_text())
    shot(page, "res-link-code")
