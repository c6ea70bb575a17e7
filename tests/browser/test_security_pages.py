"""The pages issue 9 added render in the site's layout at desktop and phone width (screenshots
in var/screenshots/ for a person to look at): the refused-access log of the technical operator
with a real refusal in it, the Russian 403, 404 and 400 pages, and an integration agreement's
rate form. The CSP is enforced here as everywhere: a page that needed inline script would show
a violation in the console."""

import datetime as dt

import pytest

from domovoy.api import services as api_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-1"


def login(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill(user.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()


def csp_violations(page):
    seen = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


@pytest.mark.req("S3")
def test_a_refusal_shows_on_the_operators_log(
    page, live_server, shot, sr, other_uo_dispatcher, technical_operator
):
    violations = csp_violations(page)
    login(page, live_server, other_uo_dispatcher)
    response = page.goto(f"{live_server.url}/requests/work/{sr.number}/")
    assert response.status in (403, 404)
    assert page.locator("nav").count() >= 1  # the site's layout, not a bare error
    shot(page, f"error-{response.status}")

    login(page, live_server, technical_operator)
    page.goto(live_server.url + "/audit/refusals/")
    table = page.locator("table")
    assert "otherdisp" in table.inner_text()
    assert f"/requests/work/{sr.number}/" in table.inner_text()
    shot(page, "audit-refusals")
    assert violations == []


@pytest.mark.req("S7")
def test_the_not_found_and_bad_request_pages_are_russian(page, live_server, shot):
    violations = csp_violations(page)
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    assert "Страница не найдена" in page.content() or "не найден" in page.content()
    shot(page, "error-404-anonymous")
    params = "&".join(f"a{i}=1" for i in range(5000))
    response = page.goto(f"{live_server.url}/outages/public/?{params}")
    assert response.status == 400
    assert "Слишком много параметров" in page.content()
    shot(page, "error-400")
    assert violations == []


@pytest.mark.req("S1")
def test_an_agreement_rate_is_set_on_its_page(page, live_server, shot, technical_operator, uo):
    agreement = api_services.integration_agreement_create(
        actor=technical_operator,
        number="ДС-7",
        system_name="Биллинг",
        parties="УО и оператор",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
        scopes=["requests:read"],
        organization=uo,
    )
    login(page, live_server, technical_operator)
    page.goto(f"{live_server.url}/integrations/{agreement.pk}/")
    shot(page, "integration-agreement")
    rate = page.locator("form[action$='/rate/'] input[name='throttle_rate']")
    rate.fill("600/min")
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить частоту").click()
    agreement.refresh_from_db()
    assert agreement.throttle_rate == "600/min"
