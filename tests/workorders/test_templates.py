"""Forms of work orders and their versions (R9; G 2.4): the functional operator defines a form,
the technical operator loads a version as a draft, it takes effect only when the functional
operator approves it; one version in force per form; old work orders keep their version."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.workorders import selectors, services
from domovoy.workorders.defaults import DEFAULT_VERSION
from domovoy.workorders.definition import check_definition
from domovoy.workorders.models import (
    VersionStatus,
    WorkOrderTemplate,
    WorkOrderTemplateVersion,
)

from .conftest import good_data
from .helpers import definition

pytestmark = [pytest.mark.req("R9"), pytest.mark.django_db]


def load_v2(form, technical_operator, **changes):
    return services.work_order_template_version_create(
        template=form, actor=technical_operator, note="Новая редакция", **definition(**changes)
    )


def test_the_shipped_form_is_in_force_and_loading_it_again_changes_nothing(form):
    version = selectors.active_version()
    assert version.template == form and version.number == 1 and version.is_active
    assert version.approved_at is not None
    assert check_definition(**{k: DEFAULT_VERSION[k] for k in ("title", "fields", "layout")}) == {}
    call_command("load_workorder_templates", verbosity=0)
    assert WorkOrderTemplate.objects.count() == 1
    assert WorkOrderTemplateVersion.objects.count() == 1


def test_the_functional_operator_defines_a_form(functional_operator):
    template = services.work_order_template_create(
        actor=functional_operator,
        kind="emergency",
        title="Наряд на аварийные работы",
        description="Время прибытия бригады, локализация аварии",
    )
    assert (template.kind, template.created_by) == ("emergency", functional_operator)
    assert not template.versions.exists()


@pytest.mark.req("S2")
def test_only_the_functional_operator_defines_a_form(technical_operator, uo_dispatcher):
    for actor in (technical_operator, uo_dispatcher):
        with pytest.raises(PermissionDeniedError):
            services.work_order_template_create(actor=actor, kind="x", title="Форма")
    assert not WorkOrderTemplate.objects.exists()


@pytest.mark.req("S7")
def test_a_form_with_a_taken_code_or_no_title_is_refused(form, functional_operator):
    with pytest.raises(ApplicationError) as exc:
        services.work_order_template_create(actor=functional_operator, kind="standard", title="")
    assert set(exc.value.fields) == {"kind", "title"}
    assert WorkOrderTemplate.objects.count() == 1


def test_a_new_version_is_a_draft_until_the_functional_operator_approves_it(
    form, technical_operator, functional_operator
):
    v1 = selectors.active_version()
    v2 = load_v2(form, technical_operator, title="Заказ-наряд (редакция 2026 г.)")
    assert (v2.number, v2.status, v2.created_by) == (2, VersionStatus.DRAFT, technical_operator)
    assert selectors.active_version() == v1  # the draft is not in force

    services.work_order_template_version_approve(version=v2, actor=functional_operator)

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v2.status == VersionStatus.ACTIVE
    assert (v2.approved_by, v2.approved_at is not None) == (functional_operator, True)
    assert v1.status == VersionStatus.RETIRED and v1.retired_at is not None
    assert selectors.active_version() == v2
    assert form.versions.filter(status=VersionStatus.ACTIVE).count() == 1


def test_an_old_work_order_keeps_its_version_after_a_new_one_is_approved(
    client, form, in_work, uo_dispatcher, technical_operator, functional_operator
):
    old = services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    fields = definition()["fields"]
    fields[0] = {**fields[0], "name": "master", "label": "Мастер участка"}
    layout = definition()["layout"]
    layout[2] = {**layout[2], "fields": ["master", *layout[2]["fields"][1:]]}
    v2 = load_v2(form, technical_operator, fields=fields, layout=layout)
    services.work_order_template_version_approve(version=v2, actor=functional_operator)

    data = good_data()
    data.pop("performer")
    new = services.work_order_create(
        request=in_work, actor=uo_dispatcher, data={**data, "master": "Мастер Зайцев И. И."}
    )

    old.refresh_from_db()
    assert old.version.number == 1 and new.version == v2
    assert old.data["performer"] == "Слесарь Кузнецов А. В."
    client.force_login(uo_dispatcher)
    page = client.get(f"/workorders/{old.pk}/").content.decode()
    assert "Исполнитель работ (ФИО, должность)" in page and "Мастер участка" not in page
    page = client.get(f"/workorders/{new.pk}/").content.decode()
    assert "Мастер участка" in page and "Исполнитель работ (ФИО, должность)" not in page


def test_the_version_in_force_refuses_the_fields_of_the_old_one(
    form, in_work, uo_dispatcher, technical_operator, functional_operator
):
    fields = [f for f in definition()["fields"] if f["name"] != "crew"]
    layout = definition()["layout"]
    layout[2] = {**layout[2], "fields": [n for n in layout[2]["fields"] if n != "crew"]}
    v2 = load_v2(form, technical_operator, fields=fields, layout=layout)
    services.work_order_template_version_approve(version=v2, actor=functional_operator)
    with pytest.raises(ApplicationError) as exc:
        services.work_order_create(request=in_work, actor=uo_dispatcher, data=good_data())
    assert exc.value.fields == {"crew": ["В этой форме заказ-наряда нет такого поля"]}


@pytest.mark.req("S2")
def test_only_the_technical_operator_loads_a_version(form, functional_operator, uo_dispatcher):
    for actor in (functional_operator, uo_dispatcher):
        with pytest.raises(PermissionDeniedError):
            load_v2(form, actor)
    assert form.versions.count() == 1


@pytest.mark.req("S2")
def test_only_the_functional_operator_approves_a_version(
    form, technical_operator, uo_dispatcher, functional_operator
):
    v2 = load_v2(form, technical_operator)
    for actor in (technical_operator, uo_dispatcher):
        with pytest.raises(PermissionDeniedError):
            services.work_order_template_version_approve(version=v2, actor=actor)
        with pytest.raises(PermissionDeniedError):
            services.work_order_template_version_reject(version=v2, actor=actor, reason="Нет")
    v2.refresh_from_db()
    assert v2.status == VersionStatus.DRAFT and v2.approved_by is None
    assert selectors.active_version().number == 1


def test_a_decided_version_cannot_be_approved_or_rejected_again(
    form, technical_operator, functional_operator
):
    v2 = load_v2(form, technical_operator)
    services.work_order_template_version_approve(version=v2, actor=functional_operator)
    with pytest.raises(ApplicationError) as exc:
        services.work_order_template_version_approve(version=v2, actor=functional_operator)
    assert exc.value.code == "wrong_status" and exc.value.status_code == 409
    v1 = form.versions.get(number=1)
    with pytest.raises(ApplicationError):  # a retired version does not come back
        services.work_order_template_version_approve(version=v1, actor=functional_operator)
    assert selectors.active_version() == v2


def test_the_functional_operator_rejects_a_draft_with_a_reason(
    form, technical_operator, functional_operator
):
    v2 = load_v2(form, technical_operator)
    with pytest.raises(ApplicationError) as exc:
        services.work_order_template_version_reject(
            version=v2, actor=functional_operator, reason="  "
        )
    assert "reason" in exc.value.fields
    services.work_order_template_version_reject(
        version=v2, actor=functional_operator, reason="Добавьте поле «Время прибытия»"
    )
    v2.refresh_from_db()
    assert v2.status == VersionStatus.REJECTED and v2.rejected_by == functional_operator
    assert v2.reject_reason == "Добавьте поле «Время прибытия»"
    assert selectors.active_version().number == 1


def test_the_database_holds_one_version_in_force_per_form(form):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrderTemplateVersion.objects.create(
            template=form, number=9, status=VersionStatus.ACTIVE, **definition()
        )


def _without_works():
    fields = [f for f in definition()["fields"] if f["type"] != "works"]
    layout = [s for s in definition()["layout"] if s["kind"] != "works"]
    return {"fields": fields, "layout": layout}


def _two_headers():
    return {"layout": [{"kind": "header"}, *definition()["layout"]]}


def _unprinted_field():
    layout = definition()["layout"]
    layout[4] = {**layout[4], "fields": ["materials"]}
    return {"layout": layout}


BAD_DEFINITIONS = [
    ("no title", lambda: {"title": " "}, "title", "Укажите заголовок печатной формы"),
    ("no works table", _without_works, "fields", "ровно одна таблица выполненных работ"),
    (
        "unknown type",
        lambda: {"fields": [*definition()["fields"], {"name": "x", "label": "X", "type": "time"}]},
        "fields",
        "Поле «x»: тип должен быть одним из",
    ),
    (
        "duplicate name",
        lambda: {"fields": [*definition()["fields"], definition()["fields"][0]]},
        "fields",
        "Поле «performer»: имя повторяется",
    ),
    (
        "bad name",
        lambda: {"fields": [{"name": "Исполнитель", "label": "X", "type": "text"}]},
        "fields",
        "Поле 1: имя поля — латинские строчные буквы",
    ),
    (
        "min above max",
        lambda: {
            "fields": [
                *definition()["fields"][:4],
                {**definition()["fields"][4], "min": 10, "max": 1},
                *definition()["fields"][5:],
            ]
        },
        "fields",
        "min больше max",
    ),
    ("fields not a list", lambda: {"fields": {"a": 1}}, "fields", "Поля формы — непустой список"),
    (
        "no signatures",
        lambda: {"layout": [s for s in definition()["layout"] if s["kind"] != "signatures"]},
        "layout",
        "Раздел «Подписи» должен быть в печатной форме ровно один раз",
    ),
    ("two headers", _two_headers, "layout", "Раздел «Шапка: номер, дата"),
    ("a field not printed", _unprinted_field, "layout", "Поле «result» не выведено"),
    (
        "unknown field printed",
        lambda: {"layout": [*definition()["layout"], {"kind": "fields", "fields": ["nope"]}]},
        "layout",
        "нет поля «nope»",
    ),
    (
        "unknown section",
        lambda: {"layout": [*definition()["layout"], {"kind": "qr"}]},
        "layout",
        "kind должен быть одним из",
    ),
]


@pytest.mark.req("S7")
@pytest.mark.parametrize(
    "changes,key,message", [b[1:] for b in BAD_DEFINITIONS], ids=[b[0] for b in BAD_DEFINITIONS]
)
def test_a_bad_version_is_refused_with_a_clear_error_and_nothing_is_loaded(
    form, technical_operator, changes, key, message
):
    with pytest.raises(ApplicationError) as exc:
        load_v2(form, technical_operator, **changes())
    assert exc.value.code == "invalid_definition"
    assert any(message in text for text in exc.value.fields[key]), exc.value.fields
    assert form.versions.count() == 1
