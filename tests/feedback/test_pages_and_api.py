"""Feedback section (D6) through the pages and the API, including the forbidden paths."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from domovoy.feedback import services
from domovoy.feedback.models import FeedbackItem
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.req("D6")]

API = "/api/v1/feedback-items/"


def test_the_navigation_route_is_feedback_list():
    assert reverse("feedback:list") == "/feedback/"


def test_anonymous_visitors_are_sent_to_login_and_cannot_file(client):
    assert reverse("login") in client.get("/feedback/")["Location"]
    resp = client.post("/feedback/new/", {"kind": "suggestion", "title": "t", "text": "x"})
    assert resp.status_code == 302 and reverse("login") in resp["Location"]
    assert FeedbackItem.objects.count() == 0


def test_anonymous_api_filing_is_unauthorised(api):
    resp = api.post(API, {"kind": "suggestion", "title": "t", "text": "x"}, format="json")
    assert resp.status_code == 401
    assert FeedbackItem.objects.count() == 0


def test_a_participant_files_a_data_change_on_the_page_and_sees_it(client, uo_admin, uo):
    client.force_login(uo_admin)
    resp = client.post(
        "/feedback/new/",
        {
            "kind": "data_change",
            "target_type": "organization",
            "field": "head_name",
            "proposed_value": "Смирнов Сергей Сергеевич",
            "text": "Сменился руководитель",
        },
    )
    item = FeedbackItem.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/feedback/{item.pk}/"
    assert item.target_organization == uo and item.field == "head_name"
    page = client.get("/feedback/").content.decode()
    assert "ФИО руководителя" in page and f"№{item.pk}" in page


@pytest.mark.req("S7")
def test_a_bad_inn_on_the_page_shows_the_error_and_stores_nothing(client, uo_admin):
    client.force_login(uo_admin)
    resp = client.post(
        "/feedback/new/",
        {
            "kind": "data_change",
            "target_type": "organization",
            "field": "inn",
            "proposed_value": "7700000001",
        },
    )
    assert resp.status_code == 200
    assert "ИНН: неверная контрольная цифра" in resp.content.decode()
    assert FeedbackItem.objects.count() == 0


def test_the_operator_decides_on_the_page_and_the_author_sees_the_reason(
    client, inn_change, functional_operator, uo_admin, uo
):
    client.force_login(functional_operator)
    page = client.get(f"/feedback/{inn_change.pk}/").content.decode()
    assert "Сохранить решение" in page
    resp = client.post(
        f"/feedback/{inn_change.pk}/decide/",
        {"decision": "approve", "reason": "Подтверждено документами"},
    )
    assert resp.status_code == 302
    uo.refresh_from_db()
    assert uo.inn == f.valid_inn10(990001)
    client.force_login(uo_admin)
    page = client.get(f"/feedback/{inn_change.pk}/").content.decode()
    assert "Подтверждено документами" in page and "Принято" in page
    assert "Сохранить решение" not in page


@pytest.mark.req("S7")
def test_an_empty_reason_on_the_page_is_refused(client, inn_change, functional_operator):
    client.force_login(functional_operator)
    resp = client.post(f"/feedback/{inn_change.pk}/decide/", {"decision": "reject", "reason": ""})
    assert resp.status_code == 400
    assert FeedbackItem.objects.get(pk=inn_change.pk).status == "new"


def test_a_uo_dispatcher_cannot_decide_even_its_own_item(client, api, uo_dispatcher, uo):
    item = services.feedback_item_create(
        author=uo_dispatcher, kind="suggestion", title="Идея", text="Добавить тёмную тему"
    )
    client.force_login(uo_dispatcher)
    resp = client.post(f"/feedback/{item.pk}/decide/", {"decision": "approve", "reason": "да"})
    assert resp.status_code == 403
    api.force_authenticate(uo_dispatcher)
    resp = api.post(
        f"{API}{item.pk}/decide/", {"decision": "approve", "reason": "да"}, format="json"
    )
    assert resp.status_code == 403
    assert FeedbackItem.objects.get(pk=item.pk).status == "new"


def test_a_vulnerability_report_is_hidden_from_the_functional_operator(
    client, api, vulnerability, functional_operator
):
    client.force_login(functional_operator)
    assert client.get(f"/feedback/{vulnerability.pk}/").status_code == 404
    assert (
        client.post(
            f"/feedback/{vulnerability.pk}/decide/", {"decision": "reject", "reason": "x"}
        ).status_code
        == 404
    )
    queue = client.get("/feedback/queue/").content.decode()
    assert "Обход авторизации" not in queue
    api.force_authenticate(functional_operator)
    assert api.get(f"{API}{vulnerability.pk}/").status_code == 404
    assert vulnerability.pk not in [r["id"] for r in api.get(API).json()["results"]]
    assert (
        api.post(
            f"{API}{vulnerability.pk}/decide/", {"decision": "reject", "reason": "x"}, format="json"
        ).status_code
        == 404
    )


def test_a_vulnerability_report_is_hidden_from_other_participants(
    client, api, vulnerability, uo_admin, other_uo_admin, other_operator_org_user
):
    for user in (uo_admin, other_uo_admin, other_operator_org_user):
        client.force_login(user)
        assert client.get(f"/feedback/{vulnerability.pk}/").status_code == 404
        assert "Обход авторизации" not in client.get("/feedback/").content.decode()
        assert client.get("/feedback/queue/").status_code == 403
        api.force_authenticate(user)
        assert api.get(f"{API}{vulnerability.pk}/").status_code == 404
        assert api.get(API).json()["count"] == 0


def test_the_technical_operator_and_the_author_see_the_vulnerability_report(
    client, api, vulnerability, technical_operator, uo_dispatcher
):
    client.force_login(technical_operator)
    assert "Обход авторизации" in client.get("/feedback/queue/").content.decode()
    assert client.get(f"/feedback/{vulnerability.pk}/").status_code == 200
    api.force_authenticate(uo_dispatcher)
    assert api.get(f"{API}{vulnerability.pk}/").json()["title"] == "Обход авторизации"
    api.force_authenticate(technical_operator)
    resp = api.post(
        f"{API}{vulnerability.pk}/decide/",
        {"decision": "approve", "reason": "Закрыто обновлением"},
        format="json",
    )
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    assert resp.json()["decided_by"] == technical_operator.pk


def test_the_queue_filters_by_kind_and_status(client, uo_dispatcher, functional_operator):
    services.feedback_item_create(author=uo_dispatcher, kind="suggestion", title="Идея-1", text="a")
    err = services.feedback_item_create(
        author=uo_dispatcher, kind="error", title="Сбой-1", text="b"
    )
    services.feedback_item_decide(
        item=err,
        actor=f.employee(err.author_organization, roles=["technical_operator"]).user,
        decision="reject",
        reason="не воспроизводится",
    )
    client.force_login(functional_operator)
    page = client.get("/feedback/queue/?kind=suggestion").content.decode()
    assert "Идея-1" in page and "Сбой-1" not in page
    page = client.get("/feedback/queue/?status=rejected").content.decode()
    assert "Сбой-1" in page and "Идея-1" not in page


def test_the_api_files_lists_and_decides(api, uo_admin, uo, functional_operator):
    api.force_authenticate(uo_admin)
    resp = api.post(
        API,
        {
            "kind": "data_change",
            "target_type": "organization",
            "target_id": uo.pk,
            "field": "email",
            "proposed_value": "dispatch@uo.example.ru",
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    assert api.get(API, {"mine": "true"}).json()["count"] == 1
    api.force_authenticate(functional_operator)
    assert api.get(API, {"kind": "data_change", "status": "new"}).json()["count"] == 1
    resp = api.post(f"{API}{pk}/decide/", {"decision": "approve", "reason": "Верно"}, format="json")
    assert resp.status_code == 200
    uo.refresh_from_db()
    assert uo.email == "dispatch@uo.example.ru"


@pytest.mark.req("S7")
def test_the_api_explains_bad_input_and_stores_nothing(
    api, uo_admin, uo, inn_change, functional_operator
):
    api.force_authenticate(uo_admin)
    resp = api.post(API, {"kind": "praise", "title": "x", "text": "y"}, format="json")
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_kind"
    resp = api.post(
        API,
        {
            "kind": "data_change",
            "target_type": "organization",
            "target_id": uo.pk,
            "field": "kpp",
            "proposed_value": "12",
        },
        format="json",
    )
    assert resp.status_code == 400 and "proposed_value" in resp.json()["fields"]
    assert FeedbackItem.objects.count() == 1  # only the fixture's item
    api.force_authenticate(functional_operator)
    resp = api.post(
        f"{API}{inn_change.pk}/decide/", {"decision": "approve", "reason": ""}, format="json"
    )
    assert resp.status_code == 400 and "reason" in resp.json()["fields"]
    resp = api.post(
        f"{API}{inn_change.pk}/decide/", {"decision": "maybe", "reason": "x"}, format="json"
    )
    assert resp.status_code == 400 and "decision" in resp.json()["fields"]
    assert FeedbackItem.objects.get(pk=inn_change.pk).status == "new"


def test_the_api_list_runs_a_constant_number_of_queries(api, uo_dispatcher, technical_operator):
    def count():
        # A fresh user object: roles are memoised on the instance per request.
        api.force_authenticate(type(technical_operator).objects.get(pk=technical_operator.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(API).status_code == 200
        return len(ctx.captured_queries)

    services.feedback_item_create(author=uo_dispatcher, kind="error", title="e", text="t")
    few = count()
    for n in range(8):
        services.feedback_item_create(
            author=uo_dispatcher, kind="suggestion", title=f"s{n}", text="t"
        )
    assert count() == few


def test_the_queue_page_runs_a_constant_number_of_queries(
    client, uo_dispatcher, technical_operator
):
    client.force_login(technical_operator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/feedback/queue/").status_code == 200
        return len(ctx.captured_queries)

    services.feedback_item_create(author=uo_dispatcher, kind="error", title="e", text="t")
    few = count()
    for n in range(8):
        services.feedback_item_create(
            author=uo_dispatcher, kind="suggestion", title=f"s{n}", text="t"
        )
    assert count() == few


def test_the_new_item_form_offers_what_each_participant_may_change(
    client, uo_admin, resident, functional_operator, building
):
    client.force_login(uo_admin)
    page = client.get("/feedback/new/?kind=data_change").content.decode()
    assert "Карточка организации" in page and building.address in page
    client.force_login(resident)
    page = client.get("/feedback/new/").content.decode()
    assert 'value="organization"' not in page and 'value="building"' in page
    assert building.address not in page  # not the resident's building
    client.force_login(functional_operator)
    page = client.get("/feedback/new/").content.decode()
    assert 'type="number" name="building"' in page


def test_a_resident_files_a_suggestion_on_the_page(client, resident):
    client.force_login(resident)
    resp = client.post(
        "/feedback/new/",
        {"kind": "suggestion", "title": "Тёмная тема", "text": "Добавьте тёмную тему"},
    )
    assert resp.status_code == 302
    item = FeedbackItem.objects.get()
    assert item.author == resident and item.kind == "suggestion"


@pytest.mark.req("S7")
def test_a_refused_approval_on_the_page_names_the_problem(client, inn_change, functional_operator):
    f.OrganizationFactory(inn=f.valid_inn10(990001))
    client.force_login(functional_operator)
    resp = client.post(
        f"/feedback/{inn_change.pk}/decide/", {"decision": "approve", "reason": "Проверено"}
    )
    assert resp.status_code == 400
    assert "Организация с таким ИНН уже есть" in resp.content.decode()
    assert FeedbackItem.objects.get(pk=inn_change.pk).status == "new"


# --- Classifier change requests are applied (issue 11, D6, R2) -------------------------------


def _classifier_change(author, name="Домофон не работает", parent="Подъезд"):
    return services.feedback_item_create(
        author=author,
        kind="classifier_change",
        title="Новая тема",
        text="Нет темы для жалоб на домофон",
        proposed_topic_name=name,
        proposed_topic_parent=parent,
    )


@pytest.mark.req("R2")
def test_approving_a_classifier_change_on_the_page_applies_it_and_links_the_version(
    client, uo_dispatcher, functional_operator, classifier
):
    from domovoy.servicedesk.models import Topic

    item = _classifier_change(uo_dispatcher, name="<b>Домофон</b>")
    client.force_login(functional_operator)
    resp = client.post(
        f"/feedback/{item.pk}/decide/", {"decision": "approve", "reason": "Тема нужна"}
    )
    assert resp.status_code == 302
    topic = Topic.objects.get(name="<b>Домофон</b>")
    item.refresh_from_db()
    assert item.applied_topic == topic and item.applied_topic_version
    client.force_login(uo_dispatcher)
    page = client.get(f"/feedback/{item.pk}/").content.decode()
    assert f"/classifier/{topic.pk}/#v{item.applied_topic_version}" in page
    assert "<b>Домофон</b>" not in page and "&lt;b&gt;Домофон&lt;/b&gt;" in page
    client.force_login(functional_operator)
    page = client.get(f"/classifier/{topic.pk}/").content.decode()
    assert f'id="v{item.applied_topic_version}"' in page


@pytest.mark.req("R2")
def test_a_classifier_change_to_an_unknown_group_shows_the_error_and_stores_nothing(
    client, uo_dispatcher, functional_operator, classifier
):
    from domovoy.servicedesk.models import Topic

    item = _classifier_change(uo_dispatcher, parent="Нет такой группы")
    count = Topic.objects.count()
    client.force_login(functional_operator)
    resp = client.post(
        f"/feedback/{item.pk}/decide/", {"decision": "approve", "reason": "Тема нужна"}
    )
    assert resp.status_code == 400
    assert "Группа «Нет такой группы» не найдена в классификаторе" in resp.content.decode()
    item.refresh_from_db()
    assert item.status == "new" and Topic.objects.count() == count


@pytest.mark.req("R2")
def test_approving_a_classifier_change_through_the_api_applies_it(
    api_of, uo_dispatcher, functional_operator, classifier
):
    item = _classifier_change(uo_dispatcher)
    resp = api_of(functional_operator).post(
        f"{API}{item.pk}/decide/", {"decision": "approve", "reason": "Тема нужна"}, format="json"
    )
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["applied_topic"] and body["applied_topic_version"] and body["applied_at"]
    versions = api_of(functional_operator).get(
        f"/api/v1/classifier/topics/{body['applied_topic']}/history/"
    )
    assert versions.json()[0]["version"] == body["applied_topic_version"]


@pytest.mark.req("R2")
def test_filing_a_classifier_change_without_the_topic_is_refused_through_the_api(
    api_of, uo_dispatcher
):
    resp = api_of(uo_dispatcher).post(
        API,
        {"kind": "classifier_change", "title": "Тема", "text": "Нужна тема"},
        format="json",
    )
    assert resp.status_code == 400 and "proposed_topic_name" in str(resp.json())
    assert FeedbackItem.objects.count() == 0
