"""The issue's journey entirely through the API: a resident files a leak with a photo, the UO
accepts it, redirects it to a contractor keeping control, the contractor draws the work order
from the operator's form and completes it with a works-done report, it returns for moderation,
the UO approves it, the resident confirms and rates it 5 (R1, R3, R4, R5, R7, R9, R12)."""

import pytest
from django.core.management import call_command

from domovoy.notifications.models import Notice
from domovoy.servicedesk.models import Attachment, Comment, ServiceRequest

from .files import PDF_BYTES, jpeg_bytes, upload

pytestmark = [pytest.mark.django_db]


def post_action(client, pk, action, data, fmt="json"):
    return client.post(f"/api/v1/requests/{pk}/{action}/", data, format=fmt)


def action_names(client, pk):
    response = client.get(f"/api/v1/requests/{pk}/actions/")
    assert response.status_code == 200
    return {a["action"]: a for a in response.json()}


@pytest.mark.req("R1")
@pytest.mark.req("R3")
@pytest.mark.req("R4")
@pytest.mark.req("R5")
@pytest.mark.req("R7")
@pytest.mark.req("R9")
@pytest.mark.req("R12")
@pytest.mark.work_order_required
def test_a_leak_goes_from_the_resident_to_a_contractor_and_back_to_a_rated_closing(
    api_of, anna, uo, contractor, uo_dispatcher, contractor_dispatcher, building, classifier,
    links, stored_files,
):  # fmt: skip
    resident, dispatcher, crew = (
        api_of(anna),
        api_of(uo_dispatcher),
        api_of(contractor_dispatcher),
    )

    # R1: the resident files a leak with a photo (multipart); the channel is recorded.
    photo = upload("протечка.jpg", jpeg_bytes(), "image/jpeg")
    response = resident.post(
        "/api/v1/requests/",
        {
            "building": building.pk,
            "topic": classifier["roof-leak"].pk,
            "text": "Протекает крыша над кухней, вода на потолке",
            "phone": "8 910 123-45-67",
            "files": [photo],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    pk = body["id"]
    assert body["channel"] == "web"
    assert body["status"] == "new"
    assert body["resident_status"] == "на рассмотрении"
    assert body["executor"]["id"] == uo.pk  # R3: the UO that manages the building
    assert body["phone"] == "+79101234567"
    # The 201 is slim (issue 10): the conversation with the photo is one GET away.
    [first] = resident.get(body["links"]["comments"]).json()
    [photo_info] = first["attachments"]
    assert first["by_resident"] and first["is_public"]
    assert photo_info["name"] == "протечка.jpg" and photo_info["is_image"]
    assert resident.get(photo_info["url"]).status_code == 200
    thumb = resident.get(photo_info["thumbnail_url"])
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert len(stored_files()) == 2  # the photo and its thumbnail

    # The UO's dispatcher sees «accept» among its actions, with the comment mandatory (R4).
    actions = action_names(dispatcher, pk)
    assert {"name": "comment", "required": True} == {
        k: actions["accept"]["params"][0][k] for k in ("name", "required")
    }
    response = post_action(dispatcher, pk, "accept", {"comment": "Принято, мастер придёт завтра"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"

    # R5: redirected to the contractor, kept «на контроле».
    response = post_action(
        dispatcher,
        pk,
        "redirect",
        {"reason": "Кровельные работы", "organization": contractor.pk, "keep_control": True},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "new"
    assert body["executor"]["id"] == contractor.pk
    assert body["controller"]["id"] == uo.pk

    # The contractor accepts; «complete» waits for the work order (R9).
    assert "accept" in action_names(crew, pk)
    response = post_action(crew, pk, "accept", {"comment": "Бригада назначена"})
    assert response.status_code == 200, response.json()
    assert "complete" not in action_names(crew, pk)
    response = post_action(crew, pk, "complete", {"report": "Готово"})
    assert response.status_code == 409 and response.json()["code"] == "work_order_drawn"

    # The contractor draws the work order from the operator's form and gets its PDF.
    call_command("load_workorder_templates", verbosity=0)
    response = crew.post(
        "/api/v1/work-orders/",
        {
            "request": pk,
            "data": {
                "performer": "Кровельщик Смирнов И. П.",
                "work_date": "10.03.2026",
                "cause": "Разрушение кровельного покрытия",
                "works": [{"name": "Замена кровельного покрытия", "unit": "м²", "quantity": 2}],
                "result": "Протечка устранена",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pdf = crew.get(response.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content])[:5] == b"%PDF-"
    response = post_action(
        crew,
        pk,
        "complete",
        {
            "report": "Заменён участок кровельного покрытия 2 м²",
            "document": upload("наряд.pdf", PDF_BYTES, "application/pdf"),
        },
        fmt="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "moderation"  # K 3.2: back to the controller
    assert body["resident_status"] == "на контроле"
    assert "moderation_approve" not in action_names(crew, pk)

    # The UO approves with the final answer the resident sees.
    response = post_action(
        dispatcher, pk, "moderation_approve", {"comment": "Крыша отремонтирована"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done"
    assert response.json()["final_answer"] == "Крыша отремонтирована"

    # The resident confirms and rates 5 (R12).
    assert {"confirm", "dispute", "rate", "reopen"} <= set(action_names(resident, pk))
    response = post_action(resident, pk, "confirm", {})
    assert response.status_code == 200, response.json()
    assert response.json()["resident_status"] == "заявка закрыта"
    response = post_action(resident, pk, "rate", {"rating": 5})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["rating"]) == ("closed", 5)

    # The resident's history: status words and public comments only, no internal reasons.
    history = body["history"]
    assert [e["action"] for e in history] == [
        "create", "accept", "redirect", "accept", "complete", "moderation_approve", "confirm",
        "rate",
    ]  # fmt: skip
    assert all(e["reason"] is None and e["data"] is None for e in history)
    assert body["returns_count"] is None and body["has_obscene"] is None
    # The participants see the reasons.
    staff_history = dispatcher.get(f"/api/v1/requests/{pk}/").json()["history"]
    assert staff_history[2]["reason"] == "Кровельные работы"

    row = ServiceRequest.objects.get(pk=pk)
    assert (row.status, row.rating, row.channel) == ("closed", 5, "web")
    assert Comment.objects.filter(request=row).count() == 1
    assert Attachment.objects.filter(request=row).count() == 1
    texts = list(
        Notice.objects.filter(group=f"request:{row.pk}", channel="inbox")
        .order_by("id")
        .values_list("body", flat=True)
    )
    assert any("Крыша отремонтирована" in t for t in texts)
    assert len(stored_files()) == 3  # + the work order document


@pytest.mark.req("R7")
@pytest.mark.req("R12")
def test_the_resident_and_the_executor_talk_inside_the_request(api_of, anna, uo_dispatcher, sr):
    resident, dispatcher = api_of(anna), api_of(uo_dispatcher)
    url = f"/api/v1/requests/{sr.pk}/comments/"

    response = resident.post(url, {"text": "Когда придёт мастер?"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["by_resident"] is True
    assert not Notice.objects.filter(kind="request.comment").exists()

    response = dispatcher.post(url, {"text": "Завтра с 10 до 12"}, format="json")
    assert response.status_code == 201
    notice = Notice.objects.get(kind="request.comment", channel="inbox")
    assert notice.recipient == anna and "Завтра с 10 до 12" in notice.body
    assert notice.body.startswith("Новый комментарий:") and notice.group == f"request:{sr.pk}"

    texts = [c["text"] for c in resident.get(url).json()]
    assert texts == ["Когда придёт мастер?", "Завтра с 10 до 12"]
