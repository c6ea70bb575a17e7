"""Generating a work order for a service request (R9; U 3.5.2е, G 3.4.2): the executor fills in
the form in force, gets a numbered document; everyone else is refused (S2); bad data gets
clear field errors and nothing is stored (S7)."""

import pytest

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.servicedesk import services as sd
from domovoy.workorders import selectors, services
from domovoy.workorders.models import WorkOrder

from .conftest import good_data

pytestmark = [pytest.mark.req("R9"), pytest.mark.django_db]


def test_the_executor_generates_a_numbered_work_order_from_the_form_in_force(
    form, in_work, uo_dispatcher, uo
):
    wo = services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    wo.refresh_from_db()
    assert wo.number == f"ЗН-2026-{wo.pk:06d}"
    assert wo.version == selectors.active_version() and wo.version.number == 1
    assert (wo.request, wo.executor_org, wo.created_by) == (in_work, uo, uo_dispatcher)
    # Cleaned: the Russian date, the decimal comma, quantities as numbers.
    assert wo.data["work_date"] == "2026-03-10"
    assert wo.data["labour_hours"] == 1.5
    assert wo.data["works"] == [
        {"name": "Замена доводчика входной двери", "unit": "шт.", "quantity": 1},
        {"name": "Регулировка петель", "unit": "шт.", "quantity": 2},
    ]
    org = wo.snapshot["organization"]
    assert (org["full_name"], org["inn"], org["address"], org["dispatcher_phone"]) == (
        uo.full_name,
        uo.inn,
        uo.actual_address,
        uo.dispatcher_phone,
    )
    assert wo.snapshot["request"]["number"] == in_work.number
    assert wo.snapshot["request"]["address"] == in_work.building.address


def test_optional_fields_may_stay_empty(form, in_work, uo_dispatcher):
    data = {
        "performer": "Кузнецов",
        "work_date": "2026-03-09",
        "works": [{"name": "Осмотр", "quantity": "1"}],
    }
    wo = services.work_order_create(request=in_work, actor=uo_dispatcher, data=data)
    assert wo.data["crew"] == "" and wo.data["works"][0]["unit"] == ""


def test_the_work_order_keeps_the_executor_card_as_it_was(form, in_work, uo_dispatcher, uo):
    wo = services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    old_phone = uo.dispatcher_phone
    uo.dispatcher_phone = "+74942000000"
    uo.save()
    wo = selectors.work_order_get(pk=wo.pk)
    assert wo.snapshot["organization"]["dispatcher_phone"] == old_phone


def test_the_assigned_contractor_generates_it_and_the_uo_reads_it(
    form, sr, uo_dispatcher, contractor, contractor_dispatcher
):
    sd.service_request_transition(
        request=sr,
        action="redirect",
        actor=uo_dispatcher,
        reason="Подрядчик по дверям",
        organization=contractor,
        keep_control=True,
    )
    sd.service_request_transition(
        request=sr, action="start", actor=contractor_dispatcher, comment="Взяли в работу"
    )
    sr.refresh_from_db()
    wo = services.work_order_create(request=sr, actor=contractor_dispatcher, data=good_data())
    assert wo.executor_org == contractor
    assert wo.snapshot["organization"]["inn"] == contractor.inn
    assert uo_dispatcher.has_perm("workorders.view_work_order", wo)  # it controls the request
    # The UO passed the request on: the contractor is now its executor, not the UO.
    with pytest.raises(PermissionDeniedError):
        services.work_order_create(request=sr, actor=uo_dispatcher, data=good_data())


def test_work_order_for_gives_the_latest_work_order_of_a_request(form, in_work, uo_dispatcher):
    assert selectors.work_order_for(in_work) is None
    first = services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    second = services.work_order_create(
        request=in_work, actor=uo_dispatcher, data=good_data(result="Повторный выезд")
    )
    assert first.number != second.number
    assert selectors.work_order_for(in_work) == second


def test_the_report_text_lists_the_works_for_the_completion(work_order, in_work, uo_dispatcher):
    text = services.work_order_report_text(work_order)
    assert text.splitlines() == [
        f"Выполнены работы по заказ-наряду № {work_order.number}:",
        "1. Замена доводчика входной двери — 1 шт.",
        "2. Регулировка петель — 2 шт.",
    ]
    # It is a valid works-done report for the workflow's completion.
    sd.service_request_transition(
        request=in_work, action="complete", actor=uo_dispatcher, report=text, comment="Готово"
    )
    in_work.refresh_from_db()
    assert in_work.completion_report == text


@pytest.mark.req("S2")
@pytest.mark.parametrize(
    "who", ["other_uo_dispatcher", "anna", "uo_accountant", "call_operator", "functional_operator"]
)
def test_only_the_executor_generates_a_work_order(form, in_work, who, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDeniedError) as exc:
        services.work_order_create(request=in_work, actor=actor, data=good_data())
    assert exc.value.status_code == 403
    assert "исполнитель заявки" in exc.value.message
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("stage", ["new", "done", "closed"])
def test_a_work_order_is_refused_outside_the_work_on_a_request(
    form, sr, uo_dispatcher, anna, stage
):
    if stage != "new":
        sd.service_request_transition(
            request=sr, action="start", actor=uo_dispatcher, comment="Взяли в работу"
        )
        sd.service_request_transition(
            request=sr, action="complete", actor=uo_dispatcher, report="Готово", comment="Готово"
        )
    if stage == "closed":
        sd.service_request_transition(request=sr, action="confirm", actor=anna)
    sr.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        services.work_order_create(request=sr, actor=uo_dispatcher, data=good_data())
    assert exc.value.code == "wrong_status" and exc.value.status_code == 409
    assert not WorkOrder.objects.exists()


def test_without_a_form_in_force_no_work_order_is_made(in_work, uo_dispatcher):
    with pytest.raises(ApplicationError) as exc:
        services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    assert exc.value.code == "no_template" and "template" in exc.value.fields
    with pytest.raises(ApplicationError):
        services.work_order_create(
            request=in_work, actor=uo_dispatcher, data=good_data(), template_kind="nope"
        )
    assert not WorkOrder.objects.exists()


BAD_DATA = [
    ("no performer", {"performer": "  "}, "performer", "Обязательное поле"),
    ("no works", {"works": []}, "works", "Перечислите выполненные работы"),
    ("bad date", {"work_date": "31.02.2026"}, "work_date", "Введите дату"),
    ("future date", {"work_date": "2026-03-11"}, "work_date", "не может быть позже"),
    ("not a number", {"labour_hours": "полтора"}, "labour_hours", "Введите число"),
    ("above max", {"labour_hours": 5000}, "labour_hours", "Не больше 1000"),
    ("too long", {"performer": "Я" * 201}, "performer", "Не длиннее 200 символов"),
    ("unknown field", {"colour": "синий"}, "colour", "нет такого поля"),
    (
        "work without name",
        {"works": [{"name": "", "unit": "шт.", "quantity": 1}]},
        "works",
        "Строка 1: укажите наименование работы",
    ),
    (
        "zero quantity",
        {"works": [{"name": "Осмотр", "quantity": 1}, {"name": "Замена", "quantity": "0"}]},
        "works",
        "Строка 2: количество больше нуля",
    ),
    (
        "no quantity",
        {"works": [{"name": "Осмотр", "unit": "шт."}]},
        "works",
        "Строка 1: укажите количество",
    ),
    ("works not a list", {"works": "замена доводчика"}, "works", "Ожидается список строк"),
]


@pytest.mark.req("S7")
@pytest.mark.parametrize(
    "changes,field,message", [b[1:] for b in BAD_DATA], ids=[b[0] for b in BAD_DATA]
)
def test_bad_data_gets_a_clear_field_error_and_nothing_is_stored(
    form, in_work, uo_dispatcher, changes, field, message
):
    with pytest.raises(ApplicationError) as exc:
        services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data(**changes))
    assert exc.value.message == "Заказ-наряд не составлен: исправьте поля"
    assert any(message in text for text in exc.value.fields[field]), exc.value.fields
    assert not WorkOrder.objects.exists()


@pytest.mark.req("S7")
def test_data_that_is_not_an_object_is_refused(form, in_work, uo_dispatcher):
    with pytest.raises(ApplicationError) as exc:
        services.work_order_create(request=in_work, actor=uo_dispatcher, data=["x"])
    assert "data" in exc.value.fields
    assert not WorkOrder.objects.exists()
