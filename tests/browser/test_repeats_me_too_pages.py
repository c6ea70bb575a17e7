"""Issue 13 in a real browser, screenshots at 1366 and 390 px: the resident's «Заявки по моему
дому» with «У меня тоже» (N2) and the staff card with the chain of repeats and the count of
affected residents (R14)."""

import pytest

from domovoy.servicedesk.models import ServiceRequest
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-1"  # tests.factories.UserFactory


def login(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill(user.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()


@pytest.mark.req("R14")
@pytest.mark.req("N2")
def test_me_too_and_the_chain_in_the_browser(
    page, live_server, shot, file_request, building, boris, uo_dispatcher
):
    _prem, account = f.premises_with_account(building, number="7")
    account.residents.add(boris)
    first = file_request()
    second = file_request(text="Опять сломан доводчик входной двери")
    file_request("water-low-pressure", "Слабый напор воды на 9 этаже")

    login(page, live_server, boris)
    page.goto(live_server.url + "/requests/my/")
    page.get_by_role("link", name="Заявки по моему дому").click()
    row = page.locator(f'[data-request="{first.number}"]')
    row.get_by_role("button", name="У меня тоже").click()
    page.wait_for_selector("text=Вы отметили «У меня тоже»")
    row = page.locator(f'[data-request="{first.number}"]')
    assert "затронуто жителей: 2" in row.inner_text()
    assert row.get_by_role("button", name="Отменить").is_visible()
    shot(page, "i13-resident-building-me-too")
    assert ServiceRequest.objects.get(pk=first.pk).me_too_count == 1

    login(page, live_server, uo_dispatcher)
    page.goto(live_server.url + f"/requests/work/{first.number}/")
    chain = page.locator("[data-repeat-chain]")
    assert first.number in chain.inner_text() and second.number in chain.inner_text()
    assert page.locator("[data-affected]").first.inner_text() == "затронуто жителей: 2"
    shot(page, "i13-staff-card-chain")
    page.goto(live_server.url + f"/requests/work/{second.number}/")
    assert page.locator("[data-repeat]").inner_text() == "повторная"
    shot(page, "i13-staff-card-repeat")
    page.get_by_role("link", name=f"№ {first.number}").click()
    page.wait_for_url(f"**/requests/work/{first.number}/")
    page.goto(live_server.url + "/requests/queue/")
    assert "затронуто жителей: 2" in page.inner_text("body")
    shot(page, "i13-staff-queue-affected")
