"""Issue 4's journey in a real browser: a resident files a leak with a photo, the UO accepts it
and redirects it to a contractor keeping control, the contractor draws the work order (PDF) and
completes it, it returns to the UO for moderation, the UO approves, the resident confirms and
rates it 5 (R1, R3, R4, R5, R7, R9, R12)."""

import io
import re

import pytest
from django.core.management import call_command
from PIL import Image

from domovoy.servicedesk.models import ServiceRequest
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.work_order_required,
]
PASSWORD = "secret-pass-1"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def _local(settings, live_server, tmp_path):
    settings.MAP_TILE_URL = live_server.url + "/static/tiles/{z}/{x}/{y}.png"
    settings.MEDIA_ROOT = tmp_path / "media"


def login(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill(user.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()


def act(page, action, fields=None):
    """Open an action panel of a request card, fill it and submit it (field names carry the
    action as their prefix)."""
    page.locator(f'[data-action-button="{action}"]').click()
    form = page.locator(f'form[data-action-form="{action}"]')
    for name, value in (fields or {}).items():
        field = form.locator(f'[name="{action}-{name}"]')
        tag = field.first.evaluate("e => e.tagName + ':' + (e.type || '')")
        if tag.startswith("SELECT"):
            field.select_option(value)
        elif tag.endswith(":checkbox"):
            field.check() if value else field.uncheck()
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button").last.click()


@pytest.mark.req("R1")
@pytest.mark.req("R3")
@pytest.mark.req("R4")
@pytest.mark.req("R5")
@pytest.mark.req("R7")
@pytest.mark.req("R9")
@pytest.mark.req("R12")
def test_a_leak_goes_from_the_resident_to_a_contractor_and_back_to_a_rated_closing(
    page, live_server, tmp_path, shot, anna, uo, contractor, uo_dispatcher,
    contractor_dispatcher, building, classifier, links,
):  # fmt: skip
    call_command("load_workorder_templates", verbosity=0)
    _, account = f.premises_with_account(building, number="12")
    account.residents.add(anna)
    photo = tmp_path / "leak.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 90, 160)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    # 1. Anna files a leak from her cabinet with a photo (R1).
    login(page, live_server, anna)
    page.goto(live_server.url + "/requests/my/new/")
    shot(page, "sd-resident-new")
    page.get_by_label(re.compile("^Тема")).select_option(str(classifier["roof-leak"].pk))
    page.get_by_label(re.compile("^Опишите проблему")).fill(
        "Протекает крыша над кухней, вода на потолке"
    )
    page.get_by_label("Фото и файлы").set_input_files(str(photo))
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить заявку").click()
    sr = ServiceRequest.objects.get()
    assert (sr.channel, sr.executor_org_id, sr.premises.number) == ("web", uo.pk, "12")  # R3
    assert page.url.endswith(f"/requests/my/{sr.number}/")
    page.get_by_text("на рассмотрении").first.wait_for()
    assert page.locator("img[src*='thumb']").count() == 1
    shot(page, "sd-resident-detail-new")

    # 2. The UO's dispatcher sees it in the queue, accepts it and redirects it to the
    # contractor keeping control (R4, R5).
    login(page, live_server, uo_dispatcher)
    page.goto(live_server.url + "/requests/queue/")
    with page.expect_navigation():
        page.get_by_role("link", name=sr.number).first.click()
    act(page, "accept", {"comment": "Принято, кровельщики придут завтра"})
    act(
        page,
        "redirect",
        {"reason": "Кровельные работы", "organization": str(contractor.pk), "keep_control": True},
    )
    sr.refresh_from_db()
    assert (sr.status, sr.executor_org_id, sr.controller_org_id) == ("new", contractor.pk, uo.pk)
    shot(page, "sd-staff-card-redirected")

    # 3. The contractor accepts, draws the work order from the operator's form, opens its PDF
    # and completes the request (R9).
    login(page, live_server, contractor_dispatcher)
    page.goto(live_server.url + f"/requests/work/{sr.number}/")
    act(page, "accept", {"comment": "Бригада назначена"})
    assert page.locator('[data-action-button="complete"]').count() == 0
    with page.expect_navigation():
        page.get_by_role("link", name="Составить заказ-наряд").click()
    shot(page, "wo-form")
    page.locator('[name="performer"]').fill("Кровельщик Смирнов И. П.")
    page.locator('[name="work_date"]').fill("2026-03-10")
    page.locator('[name="cause"]').fill("Разрушение кровельного покрытия")
    page.locator('[name="works-0-name"]').fill("Замена кровельного покрытия")
    page.locator('[name="works-0-unit"]').fill("м²")
    page.locator('[name="works-0-quantity"]').fill("2")
    page.locator('[name="result"]').fill("Протечка устранена")
    with page.expect_navigation():
        page.get_by_role("button", name="Составить заказ-наряд").click()
    shot(page, "wo-detail")
    pdf_link = page.get_by_role("link", name=re.compile("PDF")).first
    pdf = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
    page.goto(live_server.url + f"/requests/work/{sr.number}/")
    act(page, "complete", {"report": "Заменён участок кровельного покрытия 2 м²"})
    sr.refresh_from_db()
    assert sr.status == "moderation"  # K 3.2: back to the UO that keeps control
    shot(page, "sd-staff-card-moderation")

    # 4. The UO approves the completion with the answer the resident sees.
    login(page, live_server, uo_dispatcher)
    page.goto(live_server.url + f"/requests/work/{sr.number}/")
    act(page, "moderation_approve", {"comment": "Крыша отремонтирована"})
    sr.refresh_from_db()
    assert sr.status == "done"

    # 5. Anna reads the answer, confirms and rates 5 (R12).
    login(page, live_server, anna)
    page.goto(live_server.url + f"/requests/my/{sr.number}/")
    page.get_by_text("Крыша отремонтирована").first.wait_for()
    shot(page, "sd-resident-detail-done")
    page.locator("summary", has_text="Подтвердить выполнение").click()
    with page.expect_navigation():
        page.locator('form[action$="/do/confirm/"] button').click()
    page.get_by_text("заявка закрыта").first.wait_for()
    page.locator("summary", has_text="Оценить").click()
    rate = page.locator('form[action$="/do/rate/"]')
    rate.locator('label[title="5"]').click()
    with page.expect_navigation():
        rate.locator("button").click()
    sr.refresh_from_db()
    assert (sr.status, sr.rating) == ("closed", 5)
    assert list(sr.events.order_by("id").values_list("action", flat=True)) == [
        "create", "accept", "redirect", "accept", "complete", "moderation_approve", "confirm",
        "rate",
    ]  # fmt: skip
    shot(page, "sd-resident-detail-closed")
