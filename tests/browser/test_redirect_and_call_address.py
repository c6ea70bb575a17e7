"""Issue 12 in a real browser: the redirect form offers only the organisations serving the
building and its department and employee lists follow the chosen organisation through htmx
(R5); the call centre's «Гагарина 1» says «дом не найден» and offers the street's houses in
natural order instead of picking house 10 (R1, D3). No CSP violation on either page."""

import pytest

from domovoy.directory.models import Department
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


def csp_watch(page):
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return problems


@pytest.mark.req("R5")
def test_the_redirect_lists_follow_the_chosen_organisation(
    page, live_server, shot, sr, uo, contractor, other_uo, uo_dispatcher
):
    roofs = Department.objects.create(organization=contractor, name="Кровельный участок")
    Department.objects.create(organization=uo, name="Сантехнический участок")
    roofer = f.employee(
        contractor, roles=["supplier_dispatcher"], username="roofer", position="Кровельщик"
    )
    roofer.department = roofs
    roofer.save()
    roofer.user.last_name, roofer.user.first_name = "Крышин", "Иван"
    roofer.user.save()
    problems = csp_watch(page)

    login(page, live_server, uo_dispatcher)
    page.goto(live_server.url + f"/requests/work/{sr.number}/")
    page.locator('[data-action-button="redirect"]').click()
    form = page.locator('form[data-action-form="redirect"]')
    organizations = form.locator('[name="redirect-organization"] option').all_inner_texts()
    assert contractor.short_name in organizations and other_uo.short_name not in organizations
    departments = form.locator('[name="redirect-department"]')
    assert "Сантехнический участок" in departments.inner_text()

    with page.expect_response(lambda r: "redirect-options/department" in r.url):
        form.locator('[name="redirect-organization"]').select_option(str(contractor.pk))
    page.wait_for_function(
        "() => document.querySelector('[name=redirect-employee]').innerText.includes('Крышин')"
    )
    assert "Кровельный участок" in departments.inner_text()
    assert "Сантехнический" not in departments.inner_text()
    departments.select_option(str(roofs.pk))
    page.wait_for_timeout(300)
    form.locator('[name="redirect-employee"]').select_option(str(roofer.pk))
    form.locator('[name="redirect-reason"]').fill("Кровельные работы")
    form.scroll_into_view_if_needed()
    shot(page, "sd-redirect-form-contractor")

    with page.expect_navigation():
        form.locator("button").last.click()
    sr.refresh_from_db()
    assert (sr.executor_org_id, sr.executor_department_id, sr.executor_employee_id) == (
        contractor.pk,
        roofs.pk,
        roofer.pk,
    )
    assert problems == []


@pytest.mark.req("R1")
@pytest.mark.req("D3")
def test_the_call_screen_says_the_house_is_not_found(
    page, live_server, shot, call_operator, uo, territory
):
    for house in ("15", "2а", "10", "13", "11", "2"):
        b = f.BuildingFactory(street="ул. Гагарина", house=house, territory=territory["district"])
        f.manage(b, uo)
    problems = csp_watch(page)

    login(page, live_server, call_operator)
    page.goto(live_server.url + "/requests/call/")
    page.locator("#address-q").fill("Гагарина 1")
    page.get_by_text("Дом не найден").wait_for()
    houses = page.locator("[data-street-houses] label").all_inner_texts()
    assert houses == [f"ул. Гагарина, {n}" for n in ("2", "2а", "10", "11", "13", "15")]
    assert page.locator('input[name="building"]:checked').count() == 0
    shot(page, "cc-house-not-found")

    page.locator("[data-street-houses] label", has_text="ул. Гагарина, 13").click()
    assert page.locator('input[name="building"]:checked').count() == 1
    assert problems == []
