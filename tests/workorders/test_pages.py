"""Pages of work orders (R9): the executor's work-order form from the request, the work order
with its PDF link, the operators' forms and versions (G 2.4); forbidden paths (S2) and bad
input (S7)."""

import json

import pytest

from domovoy.workorders import selectors
from domovoy.workorders.models import VersionStatus, WorkOrder

from .helpers import definition

pytestmark = [pytest.mark.req("R9"), pytest.mark.django_db]


def form_post(**overrides):
    data = {
        "template": "standard",
        "performer": "Слесарь Кузнецов А. В.",
        "crew": "",
        "work_date": "2026-03-10",
        "work_time": "",
        "labour_hours": "2",
        "cause": "",
        "materials": "",
        "result": "",
        "works-rows": "3",
        "works-0-name": "Замена доводчика",
        "works-0-unit": "шт.",
        "works-0-quantity": "1",
        "works-1-name": "",
        "works-1-unit": "",
        "works-1-quantity": "",
        "works-2-name": "Смазка петель",
        "works-2-unit": "шт.",
        "works-2-quantity": "3",
    }
    data.update(overrides)
    return data


def test_the_executor_fills_in_the_form_and_gets_the_work_order_with_its_pdf_link(
    client, form, in_work, uo_dispatcher
):
    client.force_login(uo_dispatcher)
    page = client.get(f"/workorders/requests/{in_work.pk}/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<meta charset="utf-8">' in html
    assert "Исполнитель работ (ФИО, должность)" in html and 'name="works-0-name"' in html
    response = client.post(f"/workorders/requests/{in_work.pk}/new/", form_post())
    wo = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workorders/{wo.pk}/"
    # The empty middle row is dropped.
    assert [r["name"] for r in wo.data["works"]] == ["Замена доводчика", "Смазка петель"]
    detail = client.get(response["Location"]).content.decode()
    assert wo.number in detail and f'href="/workorders/{wo.pk}/pdf/"' in detail
    assert "Смазка петель" in detail and "1. Замена доводчика — 1 шт." in detail
    again = client.get(f"/workorders/requests/{in_work.pk}/new/").content.decode()
    assert f"№ {wo.number}" in again  # the request's work orders are listed on the form


@pytest.mark.req("S7")
def test_bad_input_shows_the_field_errors_keeps_what_was_typed_and_stores_nothing(
    client, form, in_work, uo_dispatcher
):
    client.force_login(uo_dispatcher)
    response = client.post(
        f"/workorders/requests/{in_work.pk}/new/",
        form_post(**{"performer": "", "work_date": "2030-01-01", "works-2-quantity": "-1"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Заказ-наряд не составлен: исправьте поля" in html
    assert "Обязательное поле" in html
    assert "Дата не может быть позже сегодняшней" in html
    assert "Строка 2: количество больше нуля" in html
    assert 'value="Замена доводчика"' in html and 'value="2030-01-01"' in html
    assert not WorkOrder.objects.exists()


@pytest.mark.req("S2")
def test_the_work_order_form_refuses_strangers(
    client, form, in_work, other_uo_dispatcher, anna, uo_accountant
):
    for user in (other_uo_dispatcher, anna, uo_accountant):
        client.force_login(user)
        assert client.get(f"/workorders/requests/{in_work.pk}/new/").status_code == 403
        assert (
            client.post(f"/workorders/requests/{in_work.pk}/new/", form_post()).status_code == 403
        )
    client.logout()
    assert client.get(f"/workorders/requests/{in_work.pk}/new/").status_code == 302
    assert not WorkOrder.objects.exists()


def test_the_form_says_why_when_the_request_is_not_in_work(client, form, sr, uo_dispatcher):
    client.force_login(uo_dispatcher)
    html = client.get(f"/workorders/requests/{sr.pk}/new/").content.decode()
    assert "Заказ-наряд составляется по заявке в работе; статус заявки: Открыто" in html
    assert 'name="works-0-name"' not in html
    response = client.post(f"/workorders/requests/{sr.pk}/new/", form_post())
    assert "статус заявки: Открыто" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_the_operators_see_the_forms_and_others_do_not(
    client, form, functional_operator, technical_operator, uo_dispatcher, anna
):
    for user in (functional_operator, technical_operator):
        client.force_login(user)
        html = client.get("/workorders/templates/").content.decode()
        assert "Заказ-наряд на выполнение работ по заявке" in html
        assert client.get(f"/workorders/templates/{form.pk}/").status_code == 200
    for user in (uo_dispatcher, anna):
        client.force_login(user)
        assert client.get("/workorders/templates/").status_code == 403
        assert client.get(f"/workorders/templates/{form.pk}/").status_code == 403


def test_the_functional_operator_defines_a_form_on_the_page(client, functional_operator):
    client.force_login(functional_operator)
    response = client.post(
        "/workorders/templates/",
        {"kind": "emergency", "title": "Наряд на аварийные работы", "description": ""},
    )
    assert response.status_code == 302
    assert selectors.templates_list().get().kind == "emergency"


def test_the_technical_operator_loads_a_version_and_the_functional_operator_approves_it(
    client, form, technical_operator, functional_operator
):
    client.force_login(technical_operator)
    page = client.get(f"/workorders/templates/{form.pk}/versions/new/").content.decode()
    assert "&quot;work_date&quot;" in page  # prefilled from the version in force
    spec = definition(title="Заказ-наряд (ред. 2)")
    response = client.post(
        f"/workorders/templates/{form.pk}/versions/new/",
        {
            "title": spec["title"],
            "fields": json.dumps(spec["fields"], ensure_ascii=False),
            "layout": json.dumps(spec["layout"], ensure_ascii=False),
            "note": "Уточнён заголовок",
        },
    )
    v2 = form.versions.get(number=2)
    assert response.status_code == 302 and v2.status == VersionStatus.DRAFT
    html = client.get(f"/workorders/versions/{v2.pk}/").content.decode()
    assert "Утвердить" not in html  # the technical operator does not approve
    assert client.post(f"/workorders/versions/{v2.pk}/approve/").status_code == 403

    client.force_login(functional_operator)
    html = client.get(f"/workorders/versions/{v2.pk}/").content.decode()
    assert "Утвердить: версия вступает в действие" in html
    response = client.post(f"/workorders/versions/{v2.pk}/approve/")
    assert response.status_code == 302
    assert selectors.active_version() == v2


@pytest.mark.req("S7")
def test_a_version_with_bad_json_or_a_bad_layout_is_refused_on_the_page(
    client, form, technical_operator
):
    client.force_login(technical_operator)
    spec = definition()
    response = client.post(
        f"/workorders/templates/{form.pk}/versions/new/",
        {"title": "X", "fields": "[{", "layout": json.dumps(spec["layout"])},
    )
    assert "Неверный JSON" in response.content.decode()
    layout = [s for s in spec["layout"] if s["kind"] != "signatures"]
    response = client.post(
        f"/workorders/templates/{form.pk}/versions/new/",
        {
            "title": "X",
            "fields": json.dumps(spec["fields"]),
            "layout": json.dumps(layout),
        },
    )
    html = response.content.decode()
    assert "Версия не загружена: исправьте описание формы" in html
    assert "Раздел «Подписи» должен быть в печатной форме ровно один раз" in html
    assert form.versions.count() == 1


def test_the_functional_operator_rejects_a_draft_on_the_page(
    client, form, technical_operator, functional_operator
):
    from domovoy.workorders import services

    v2 = services.work_order_template_version_create(
        template=form, actor=technical_operator, **definition()
    )
    client.force_login(functional_operator)
    client.post(f"/workorders/versions/{v2.pk}/reject/", {"reason": ""})
    v2.refresh_from_db()
    assert v2.status == VersionStatus.DRAFT
    client.post(f"/workorders/versions/{v2.pk}/reject/", {"reason": "Нет поля «Мастер»"})
    v2.refresh_from_db()
    assert v2.status == VersionStatus.REJECTED
