"""Classifier management (issue 11, R2, G 3.5.2): the functional operator lists, adds, changes
and retires topics through the page and the API; every change is a version; intake sees it at
once; other roles are refused; bad input is refused with a clear message and stores nothing."""

import pytest
from django.test import Client

from domovoy.servicedesk import classifier as svc
from domovoy.servicedesk import intake_cache
from domovoy.servicedesk.models import Topic
from tests import factories as f

pytestmark = [pytest.mark.req("R2"), pytest.mark.django_db]

API = "/api/v1/classifier/topics/"


@pytest.fixture
def media_user(territory):
    org = f.OrganizationFactory(kinds=["media"], territory=territory["city"])
    return f.employee(org, roles=["media"], username="media").user


@pytest.fixture
def operator_client(functional_operator):
    client = Client()
    client.force_login(functional_operator)
    return client


def _form(**overrides):
    data = {
        "name": "Домофон",
        "parent": "",
        "deadline_amount": "3",
        "deadline_unit": "days",
        "deadline_working": "on",
        "handler_kind": "uo",
        "resource": "",
        "is_active": "on",
        "order": "0",
        "reason": "",
    }
    data.update(overrides)
    return data


def _state():
    return sorted(Topic.objects.values_list("pk", "name", "deadline_hours", "deadline_days"))


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["uo_dispatcher", "media_user", "call_operator", "resident", "technical_operator"]
)
def test_other_roles_get_403_on_pages_and_api(request, who, classifier, api_of):
    user = request.getfixturevalue(who)
    topic = classifier["entrance-door"]
    client = Client()
    client.force_login(user)
    assert client.get("/classifier/").status_code == 403
    assert client.get(f"/classifier/{topic.pk}/").status_code == 403
    assert client.post("/classifier/new/", _form()).status_code == 403
    assert client.post(f"/classifier/{topic.pk}/deactivate/").status_code == 403
    api = api_of(user)
    assert api.get(API).status_code == 403
    assert api.post(API, {"name": "x"}, format="json").status_code == 403
    assert api.patch(f"{API}{topic.pk}/", {"name": "x"}, format="json").status_code == 403
    assert api.post(f"{API}{topic.pk}/deactivate/").status_code == 403
    topic.refresh_from_db()
    assert topic.is_active and topic.name == "Сломана входная дверь, доводчик"
    assert not Topic.objects.filter(name="Домофон").exists()


def test_anonymous_is_sent_to_login(client, classifier):
    assert client.get("/classifier/").status_code == 302


def test_the_menu_offers_the_classifier_to_the_functional_operator_only(
    operator_client, uo_dispatcher
):
    urls = {u for _l, u in operator_client.get("/").context["nav_items"]}
    assert "/classifier/" in urls
    other = Client()
    other.force_login(uo_dispatcher)
    assert "/classifier/" not in {u for _l, u in other.get("/").context["nav_items"]}


# --- The pages --------------------------------------------------------------------------------


def test_the_operator_lists_the_tree_and_edits_a_topic_on_the_page(operator_client, classifier):
    page = operator_client.get("/classifier/").content.decode()
    assert "Сломана входная дверь, доводчик" in page and "Подъезд" in page
    door = classifier["entrance-door"]
    resp = operator_client.post(
        f"/classifier/{door.pk}/",
        _form(
            name="Сломана входная дверь",
            parent=str(door.parent_id),
            deadline_amount="48",
            deadline_unit="hours",
            deadline_working="",
            reason="Норма по постановлению 290",
        ),
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    door.refresh_from_db()
    assert door.name == "Сломана входная дверь"
    assert (door.deadline_hours, door.deadline_days, door.deadline_working) == (48, None, False)
    page = operator_client.get(f"/classifier/{door.pk}/").content.decode()
    # The history shows both versions, with the reason and who made it.
    assert page.count('id="v') == 2
    assert "Норма по постановлению 290" in page
    assert door.history.count() == 2
    assert door.history.latest("history_id").history_user == resp.wsgi_request.user


def test_the_operator_adds_a_topic_on_the_page(operator_client, classifier):
    group = classifier["entrance-door"].parent
    resp = operator_client.post("/classifier/new/", _form(parent=str(group.pk)))
    topic = Topic.objects.get(name="Домофон")
    assert resp.status_code == 302 and resp["Location"] == f"/classifier/{topic.pk}/"
    assert topic.parent == group and topic.deadline_days == 3 and topic.is_active
    assert topic.code  # generated


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"name": "   "}, "name", "Укажите название темы"),
        ({"deadline_amount": "-5"}, "deadline_amount", "От 1 до"),
        ({"deadline_amount": "999999999"}, "deadline_amount", "От 1 до"),
        ({"deadline_amount": "99999999999999999999"}, "deadline_amount", ""),
        ({"deadline_amount": ""}, "deadline_amount", "Укажите срок"),
        ({"handler_kind": "rso"}, "resource", "укажите ресурс"),
    ],
)
def test_bad_input_on_the_page_is_refused_and_stores_nothing(
    operator_client, classifier, overrides, field, message
):
    group = classifier["entrance-door"].parent
    before = _state()
    resp = operator_client.post("/classifier/new/", _form(parent=str(group.pk), **overrides))
    assert resp.status_code == 400
    assert resp.context["form"].errors.get(field), resp.context["form"].errors
    assert message in resp.content.decode()
    assert _state() == before


def test_markup_in_the_topic_name_is_shown_as_text(operator_client, classifier):
    group = classifier["entrance-door"].parent
    name = '<script>alert("x")</script><b>Домофон</b>'
    operator_client.post("/classifier/new/", _form(name=name, parent=str(group.pk)))
    topic = Topic.objects.get(name=name)
    for url in ("/classifier/", f"/classifier/{topic.pk}/"):
        page = operator_client.get(url).content.decode()
        assert "<script>alert" not in page and "<b>Домофон</b>" not in page
        assert "&lt;script&gt;alert" in page


def test_deactivation_keeps_the_topic_and_its_requests(
    operator_client, file_request, classifier, building
):
    sr = file_request()
    door = classifier["entrance-door"]
    resp = operator_client.post(f"/classifier/{door.pk}/deactivate/", {"reason": "Объединена"})
    assert resp.status_code == 302
    door.refresh_from_db()
    sr.refresh_from_db()
    assert not door.is_active and sr.topic_id == door.pk
    page = operator_client.get(f"/classifier/{door.pk}/").content.decode()
    assert "не действует" in page and "Объединена" in page


def test_a_group_with_active_subtopics_is_not_retired(operator_client, classifier):
    group = classifier["entrance-door"].parent
    resp = operator_client.post(f"/classifier/{group.pk}/deactivate/", follow=True)
    assert "Сначала выведите из действия подтемы этой группы" in resp.content.decode()
    group.refresh_from_db()
    assert group.is_active


# --- Intake sees the change ------------------------------------------------------------------


def test_intake_sees_a_change_at_once(functional_operator, classifier):
    door = classifier["entrance-door"]
    assert intake_cache.topics()[door.pk].deadline_days == 3
    svc.topic_update(actor=functional_operator, topic=door, data={"deadline_days": 5})
    assert intake_cache.topics()[door.pk].deadline_days == 5
    svc.topic_deactivate(actor=functional_operator, topic=door)
    assert not intake_cache.topics()[door.pk].is_active


def test_a_new_deadline_norm_sets_the_deadline_of_new_requests(
    functional_operator, classifier, file_request
):
    door = classifier["entrance-door"]
    svc.topic_update(
        actor=functional_operator,
        topic=door,
        data={"deadline_days": None, "deadline_hours": 2, "deadline_working": False},
    )
    classifier["entrance-door"] = Topic.objects.get(pk=door.pk)
    sr = file_request()
    hours = (sr.deadline_at - sr.created_at).total_seconds() / 3600
    assert 1.9 < hours < 2.1


# --- The API ---------------------------------------------------------------------------------


def test_the_api_lists_adds_changes_retires_and_reads_versions(
    functional_operator, classifier, api_of
):
    api = api_of(functional_operator)
    listing = api.get(API)
    assert listing.status_code == 200 and len(listing.json()) == Topic.objects.count()
    group = classifier["entrance-door"].parent
    resp = api.post(
        API,
        {"name": "Домофон", "parent": group.pk, "deadline_days": 3, "handler_kind": "uo"},
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    resp = api.patch(f"{API}{pk}/", {"deadline_days": 5, "reason": "уточнено"}, format="json")
    assert resp.status_code == 200 and resp.json()["deadline_days"] == 5
    resp = api.post(f"{API}{pk}/deactivate/", {"reason": "не нужна"}, format="json")
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    versions = api.get(f"{API}{pk}/history/").json()
    assert [v["kind"] for v in versions] == ["~", "~", "+"]
    assert versions[1]["reason"] == "уточнено"
    assert resp.json()["version"] == versions[0]["version"]
    assert api.delete(f"{API}{pk}/").status_code == 405
    assert Topic.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Ок", "deadline_days": -1}, "deadline_days"),
        ({"name": "Ок", "deadline_hours": 0}, "deadline_hours"),
        ({"name": "Ок", "deadline_hours": 2**63}, "deadline_hours"),
        ({"name": "Ок", "deadline_hours": 10**40}, "deadline_hours"),
        ({"name": "Ок", "deadline_hours": 2, "deadline_days": 2}, "deadline_days"),
        ({"name": "Ок", "deadline_days": "три"}, "deadline_days"),
        ({"name": "Ок", "deadline_days": 3, "parent": 2**70}, "parent"),
        ({"name": "Ок", "deadline_days": 3, "parent": 999999}, "parent"),
        ({"name": "Ок", "deadline_days": 3, "handler_kind": "bank"}, "handler_kind"),
        ({"name": "Ок", "deadline_days": 3, "code": "Не slug!"}, "code"),
        ({"name": "Ок", "deadline_days": 3, "colour": "red"}, "non_field_errors"),
        ({"name": ["Ок"], "deadline_days": 3}, "name"),
    ],
)
def test_bad_json_is_refused_with_the_field_and_stores_nothing(
    functional_operator, classifier, api_of, body, field
):
    group = classifier["entrance-door"].parent
    body.setdefault("parent", group.pk)
    before = _state()
    resp = api_of(functional_operator).post(API, body, format="json")
    assert resp.status_code == 400, resp.content
    assert field in str(resp.json()), resp.json()
    assert _state() == before


def test_a_body_that_is_not_an_object_is_refused(functional_operator, classifier, api_of):
    api = api_of(functional_operator)
    before = _state()
    for body in ([1, 2], "text", 5):
        assert api.post(API, body, format="json").status_code == 400
    assert _state() == before


def test_a_topic_cannot_be_moved_under_its_own_subtopic(functional_operator, classifier, api_of):
    door = classifier["entrance-door"]
    resp = api_of(functional_operator).patch(
        f"{API}{door.parent_id}/", {"parent": door.pk}, format="json"
    )
    assert resp.status_code == 400 and "parent" in str(resp.json())
    assert Topic.objects.get(pk=door.parent_id).parent_id is None


def test_an_unknown_topic_is_404(functional_operator, classifier, api_of):
    api = api_of(functional_operator)
    assert api.get(f"{API}{classifier['entrance-door'].pk}/").status_code == 200
    assert api.get(f"{API}999999/").status_code == 404
    assert api.get(f"{API}{2**64}/").status_code == 404
