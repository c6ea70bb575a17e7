"""The connection form in Chromium (D5, issue 12 item 9): required marks and, after a refused
submission, the error summary on top whose links lead to the fields. Screenshots of the form
with errors at 1366 and 390 px go to var/screenshots/."""

import pytest


@pytest.mark.req("D5")
@pytest.mark.django_db(transaction=True)
def test_a_refused_application_lists_its_errors_on_top_with_links(page, shot, live_server):
    page.goto(live_server.url + "/onboarding/")
    assert page.locator("#required-legend").inner_text() == "* — обязательное поле"
    assert page.locator("label[for=id_inn]").inner_text() == "ИНН *"
    page.fill("#id_inn", "1234567890")
    page.click("button:has-text('Подать заявку')")
    summary = page.locator("#error-summary")
    summary.wait_for()
    # the summary has the focus, so a screen reader starts there
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    heading = summary.locator("h2").inner_text()
    assert heading.startswith("Заявка не подана: ошибок в полях формы — ")
    links = summary.locator("a")
    assert links.first.inner_text() == "Вид организации: Укажите хотя бы один вид организации"
    assert links.count() >= 15
    inn = summary.locator("a[href='#id_inn']")
    assert inn.inner_text() == "ИНН: неверная контрольная цифра"  # the label once
    inn.click()
    page.wait_for_function("() => location.hash === '#id_inn'")
    assert page.locator("#id_inn").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_inn").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "onboarding-form-errors")
