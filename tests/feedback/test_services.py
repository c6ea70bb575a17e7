"""Feedback section (D6): filing, deciding and applying, through the services."""

import pytest

from domovoy.audit.models import AuditEntry
from domovoy.core.errors import ApplicationError
from domovoy.directory.models import Building, Organization
from domovoy.feedback import services
from domovoy.feedback.models import FeedbackItem
from domovoy.servicedesk.models import Topic
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.req("D6")]


def test_a_uo_admin_files_a_change_request_to_its_organisation_card(uo_admin, uo):
    item = services.feedback_item_create(
        author=uo_admin,
        kind="data_change",
        target_type="organization",
        target_id=uo.pk,
        field="dispatcher_phone",
        proposed_value="+74942555555",
    )
    assert item.status == "new"
    assert item.target_organization == uo
    assert item.author_organization == uo
    assert item.current_value == uo.dispatcher_phone
    assert item.proposed_value == "+74942555555"
    assert "телефон диспетчерской" in item.title


@pytest.mark.req("S7")
def test_it_refuses_a_proposed_inn_with_a_bad_check_digit_and_stores_nothing(uo_admin, uo):
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_create(
            author=uo_admin,
            kind="data_change",
            target_type="organization",
            target_id=uo.pk,
            field="inn",
            proposed_value="7700000001",
        )
    assert "proposed_value" in err.value.fields
    assert "контрольная" in " ".join(err.value.fields["proposed_value"])
    assert FeedbackItem.objects.count() == 0


@pytest.mark.req("S7")
def test_it_refuses_an_unknown_kind(uo_admin):
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_create(author=uo_admin, kind="complaint", title="x", text="y")
    assert err.value.code == "invalid_kind"
    assert FeedbackItem.objects.count() == 0


@pytest.mark.req("S7")
def test_it_refuses_a_field_that_cannot_be_changed(uo_admin, uo):
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_create(
            author=uo_admin,
            kind="data_change",
            target_type="organization",
            target_id=uo.pk,
            field="is_active",
            proposed_value="False",
        )
    assert err.value.code == "invalid_field"
    assert FeedbackItem.objects.count() == 0


def test_it_refuses_a_change_request_to_another_organisation(uo_admin, other_uo):
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_create(
            author=uo_admin,
            kind="data_change",
            target_type="organization",
            target_id=other_uo.pk,
            field="head_name",
            proposed_value="Новиков Н. Н.",
        )
    assert err.value.status_code == 403
    assert FeedbackItem.objects.count() == 0


def test_approving_a_data_change_applies_it_to_the_card_and_records_the_decision(
    inn_change, uo, functional_operator
):
    item = services.feedback_item_decide(
        item=inn_change,
        actor=functional_operator,
        decision="approve",
        reason="Подтверждено выпиской ЕГРЮЛ",
    )
    uo.refresh_from_db()
    assert uo.inn == f.valid_inn10(990001)
    assert item.status == "approved"
    assert item.decided_by == functional_operator
    assert item.decided_at is not None and item.applied_at is not None
    assert item.decision_reason == "Подтверждено выпиской ЕГРЮЛ"
    entry = AuditEntry.objects.filter(object_id=str(uo.pk), action="update").latest("at")
    assert entry.actor == functional_operator
    assert entry.changes["inn"][1] == f.valid_inn10(990001)


@pytest.mark.req("S7")
def test_approval_is_refused_with_the_field_error_when_the_value_no_longer_fits(
    inn_change, uo, functional_operator
):
    # Another organisation took the INN after the request was filed.
    f.OrganizationFactory(inn=f.valid_inn10(990001))
    old_inn = uo.inn
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_decide(
            item=inn_change, actor=functional_operator, decision="approve", reason="ok"
        )
    assert "proposed_value" in err.value.fields
    uo.refresh_from_db()
    inn_change.refresh_from_db()
    assert uo.inn == old_inn
    assert inn_change.status == "new" and inn_change.decided_by is None


@pytest.mark.req("S7")
def test_approval_of_an_invalid_stored_value_changes_nothing(uo_admin, uo, technical_operator):
    item = FeedbackItem.objects.create(
        kind="data_change",
        author=uo_admin,
        title="ИНН",
        target_type="organization",
        target_organization=uo,
        field="inn",
        proposed_value="1234567890",
    )
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_decide(
            item=item, actor=technical_operator, decision="approve", reason="ok"
        )
    assert err.value.fields["proposed_value"]
    assert Organization.objects.get(pk=uo.pk).inn == uo.inn
    assert FeedbackItem.objects.get(pk=item.pk).status == "new"


@pytest.mark.req("S7")
def test_a_decision_without_a_reason_is_refused(inn_change, functional_operator, uo):
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_decide(
            item=inn_change, actor=functional_operator, decision="reject", reason="   "
        )
    assert "reason" in err.value.fields
    inn_change.refresh_from_db()
    assert inn_change.status == "new"


def test_rejecting_keeps_the_data_and_tells_the_author_why(inn_change, functional_operator, uo):
    old = uo.inn
    services.feedback_item_decide(
        item=inn_change,
        actor=functional_operator,
        decision="reject",
        reason="Нет подтверждающих документов",
    )
    uo.refresh_from_db()
    inn_change.refresh_from_db()
    assert uo.inn == old
    assert inn_change.status == "rejected"
    assert inn_change.decision_reason == "Нет подтверждающих документов"
    assert inn_change.applied_at is None


def test_an_item_cannot_be_decided_twice(inn_change, functional_operator, technical_operator):
    services.feedback_item_decide(
        item=inn_change, actor=functional_operator, decision="reject", reason="нет"
    )
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_decide(
            item=inn_change, actor=technical_operator, decision="approve", reason="да"
        )
    assert err.value.code == "already_decided" and err.value.status_code == 409


def test_the_managing_uo_changes_a_buildings_floors(uo_dispatcher, building, functional_operator):
    item = services.feedback_item_create(
        author=uo_dispatcher,
        kind="data_change",
        target_type="building",
        target_id=building.pk,
        field="floors",
        proposed_value="9",
    )
    assert item.current_value == "5"
    services.feedback_item_decide(
        item=item, actor=functional_operator, decision="approve", reason="Техпаспорт"
    )
    assert Building.objects.get(pk=building.pk).floors == 9


@pytest.mark.req("S7")
def test_a_building_value_of_the_wrong_type_is_refused(uo_dispatcher, building):
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_create(
            author=uo_dispatcher,
            kind="data_change",
            target_type="building",
            target_id=building.pk,
            field="floors",
            proposed_value="девять",
        )
    assert err.value.fields["proposed_value"]
    assert FeedbackItem.objects.count() == 0


def test_a_resident_proposes_a_change_only_to_the_building_of_their_account(resident, building):
    _prem, account = f.premises_with_account(building)
    account.residents.add(resident)
    item = services.feedback_item_create(
        author=resident,
        kind="data_change",
        target_type="building",
        target_id=building.pk,
        field="year_built",
        proposed_value="1974",
    )
    assert item.author_organization is None
    other = f.BuildingFactory()
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_create(
            author=resident,
            kind="data_change",
            target_type="building",
            target_id=other.pk,
            field="year_built",
            proposed_value="1974",
        )
    assert err.value.status_code == 403
    assert FeedbackItem.objects.count() == 1


@pytest.mark.req("R2")
def test_an_approved_classifier_change_is_applied_and_links_the_topic_version(
    uo_dispatcher, functional_operator, classifier
):
    """Issue 11: the classifier exists, so an approved change is applied to it (D6, R2)."""
    item = services.feedback_item_create(
        author=uo_dispatcher,
        kind="classifier_change",
        title="Новая тема",
        text="Нет темы для жалоб на домофон",
        proposed_topic_name="Домофон не работает",
        proposed_topic_parent="Подъезд",
    )
    item = services.feedback_item_decide(
        item=item, actor=functional_operator, decision="approve", reason="Тема нужна"
    )
    topic = Topic.objects.get(name="Домофон не работает")
    assert topic.parent == classifier["entrance-door"].parent and topic.is_active
    assert topic.deadline_days and topic.handler_kind == "uo"
    assert item.status == "approved" and item.applied_at is not None
    assert item.applied_topic == topic
    version = topic.history.get(history_id=item.applied_topic_version)
    assert version.history_type == "+" and version.history_user == functional_operator
    assert item.application_note == "Изменение внесено в классификатор"
    assert "классификатор ещё не подключён" not in item.application_note


@pytest.mark.req("R2")
@pytest.mark.parametrize(
    "name, parent, field",
    [
        ("Домофон", "Нет такой группы", "proposed_topic_parent"),
        ("Сломана входная дверь, доводчик", "Подъезд", "proposed_topic_name"),
    ],
)
def test_a_classifier_change_that_cannot_be_applied_refuses_the_decision(
    uo_dispatcher, functional_operator, classifier, name, parent, field
):
    item = services.feedback_item_create(
        author=uo_dispatcher,
        kind="classifier_change",
        title="Новая тема",
        text="Нужна тема",
        proposed_topic_name=name,
        proposed_topic_parent=parent,
    )
    count = Topic.objects.count()
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_decide(
            item=item, actor=functional_operator, decision="approve", reason="Тема нужна"
        )
    assert field in err.value.fields
    item.refresh_from_db()
    assert item.status == "new" and item.applied_topic is None
    assert Topic.objects.count() == count


def test_a_classifier_change_request_names_the_proposed_topic(uo_dispatcher):
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_create(
            author=uo_dispatcher,
            kind="classifier_change",
            title="Новая тема",
            text="Нужна тема про домофон",
        )
    assert "proposed_topic_name" in err.value.fields
    assert FeedbackItem.objects.count() == 0


def test_error_reports_are_decided_by_the_technical_operator_only(
    uo_dispatcher, functional_operator, technical_operator
):
    item = services.feedback_item_create(
        author=uo_dispatcher, kind="error", title="Ошибка", text="Кнопка не работает"
    )
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_decide(
            item=item, actor=functional_operator, decision="approve", reason="ok"
        )
    assert err.value.status_code == 403
    services.feedback_item_decide(
        item=item, actor=technical_operator, decision="approve", reason="Исправлено в версии 1.1"
    )
    assert FeedbackItem.objects.get(pk=item.pk).status == "approved"


def test_suggestions_need_a_text(uo_dispatcher):
    with pytest.raises(ApplicationError) as err:
        services.feedback_item_create(author=uo_dispatcher, kind="suggestion", title="Идея")
    assert "text" in err.value.fields
    assert FeedbackItem.objects.count() == 0
