"""The request card for staff: everything about the request, its history, and every action the
workflow table allows — and only those — as forms generated from the table (R4–R6, R8, R10,
R16, S2, S5)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from domovoy.audit.models import PersonalDataAccess
from domovoy.servicedesk import services
from domovoy.servicedesk.models import RequestEvent, ServiceRequest
from domovoy.servicedesk.workflow import Status
from tests.servicedesk.helpers import act

from .helpers import buttons, card_url, post_action, state

pytestmark = pytest.mark.django_db


@pytest.mark.req("R4")
def test_a_new_request_shows_accept_start_reject_and_redirect_but_not_complete(
    client_of, sr, uo_dispatcher
):
    response = client_of(uo_dispatcher).get(card_url(sr))
    assert response.status_code == 200
    shown = buttons(response)
    assert {"accept", "start", "reject", "redirect"} <= shown
    assert "complete" not in shown and "verify" not in shown and "confirm" not in shown
    assert shown == {t.action.value for t in services.allowed_actions(sr, uo_dispatcher)}
    body = response.content.decode()
    assert "Сломан доводчик входной двери" in body
    assert sr.building.address in body


@pytest.mark.req("R4")
def test_accepting_through_the_card_needs_the_public_comment_and_records_it(
    client_of, sr, uo_dispatcher
):
    client = client_of(uo_dispatcher)
    before = state(sr)
    response = post_action(client, sr, "accept", comment="")
    assert response.status_code == 400
    assert "Обязательное поле" in response.content.decode() or "обязательн" in (
        response.content.decode().lower()
    )
    assert state(sr) == before

    response = post_action(client, sr, "accept", comment="Приняли, мастер придёт завтра")
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == Status.ACCEPTED
    event = RequestEvent.objects.filter(request=sr).latest("id")
    assert event.comment == "Приняли, мастер придёт завтра" and event.actor == uo_dispatcher
    after = client.get(card_url(sr))
    assert "complete" in buttons(after) and "accept" not in buttons(after)
    assert "Приняли, мастер придёт завтра" in after.content.decode()


@pytest.mark.req("R5")
@pytest.mark.req("R4")
def test_the_uo_passes_to_a_contractor_on_control_and_approves_the_moderation_on_pages(
    client_of, sr, uo, uo_dispatcher, contractor, contractor_dispatcher, anna
):
    uo_client = client_of(uo_dispatcher)
    assert post_action(uo_client, sr, "accept", comment="Передаём подрядчику").status_code == 302
    response = post_action(
        uo_client, sr, "redirect", reason="Двери обслуживает подрядчик",
        organization=contractor.pk, keep_control="on",
    )  # fmt: skip
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.executor_org == contractor and sr.controller_org == uo
    assert sr.status == Status.NEW

    contractor_client = client_of(contractor_dispatcher)
    card = contractor_client.get(card_url(sr))
    assert {"accept", "start", "return_to_uo"} <= buttons(card)
    # R4, K 3 item 1: taking into work is answered with a public comment.
    assert post_action(contractor_client, sr, "start", comment="").status_code == 400
    response = post_action(contractor_client, sr, "start", comment="Мастер выехал")
    assert response.status_code == 302
    card = contractor_client.get(card_url(sr))
    assert "complete" in buttons(card)
    response = post_action(contractor_client, sr, "complete", report="Заменён доводчик")
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == Status.MODERATION
    # The contractor cannot approve its own work; the controller sees the approve form.
    assert "moderation_approve" not in buttons(contractor_client.get(card_url(sr)))

    uo_client = client_of(uo_dispatcher)
    card = uo_client.get(card_url(sr))
    assert {"moderation_approve", "moderation_return"} <= buttons(card)
    response = post_action(
        uo_client, sr, "moderation_approve", comment="Доводчик заменён, дверь закрывается"
    )
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == Status.DONE
    assert sr.final_answer == "Доводчик заменён, дверь закрывается"
    history = uo_client.get(card_url(sr)).content.decode()
    for label in ("Принять", "Перенаправить", "Взять в работу", "Выполнено",
                  "Завершить с итоговым ответом", "оставлена на контроле"):  # fmt: skip
        assert label in history


@pytest.mark.req("S2")
def test_a_dispatcher_of_another_uo_gets_404_on_the_card_and_403_on_actions(
    client_of, sr, other_uo_dispatcher
):
    client = client_of(other_uo_dispatcher)
    assert client.get(card_url(sr)).status_code == 404
    before = state(sr)
    response = post_action(client, sr, "accept", comment="Чужая, но примем")
    assert response.status_code == 403
    assert state(sr) == before


@pytest.mark.req("S2")
def test_anonymous_and_residents_do_not_reach_the_staff_card(client, sr, anna):
    response = client.get(card_url(sr))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(anna)
    assert client.get(card_url(sr)).status_code == 404  # her request, but not the staff card
    before = state(sr)
    assert post_action(client, sr, "accept", comment="Сама приму").status_code == 403
    assert state(sr) == before


@pytest.mark.req("R4")
def test_a_stale_version_gets_409_and_changes_nothing(client_of, sr, uo_dispatcher, uo_engineer):
    seen = ServiceRequest.objects.get(pk=sr.pk).version
    act(sr, "start", uo_engineer, comment="Взяли в работу")  # a colleague acts first
    before = state(sr)
    response = post_action(
        client_of(uo_dispatcher), sr, "reject", version=seen,
        reject_reason="not_our_zone", comment="Не наш дом",
    )  # fmt: skip
    assert response.status_code == 409
    assert "обновите страницу" in response.content.decode()
    assert state(sr) == before


@pytest.mark.req("R4")
def test_an_action_the_status_does_not_allow_is_refused_with_the_reason(
    client_of, sr, uo_dispatcher
):
    before = state(sr)
    response = post_action(client_of(uo_dispatcher), sr, "complete", report="Сделано")
    assert response.status_code == 409  # the request's state: a conflict, as in the API
    assert "недоступно для заявки в статусе" in response.content.decode()
    assert state(sr) == before


@pytest.mark.req("R6")
def test_the_uo_postpones_and_rejects_only_with_a_reason_from_the_table(
    client_of, sr, uo_dispatcher
):
    client = client_of(uo_dispatcher)
    post_action(client, sr, "accept", comment="Принята")
    before = state(sr)
    response = post_action(client, sr, "postpone", reason="", until="")
    assert response.status_code == 400 and state(sr) == before
    until = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = post_action(client, sr, "postpone", reason="Ждём поставку доводчика", until=until)
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == Status.POSTPONED and sr.postponed_until.isoformat() == until

    card = client.get(card_url(sr)).content.decode()
    # The reject form offers the grounds of the closed list (R6) that hold for this request:
    # not «нецензурная лексика» for a clean text, never «Иное» or «Повторная».
    assert "Не относится к зоне ответственности" in card
    for label in ("Нецензурная лексика", "Иное", "Повторная заявка"):
        assert label not in card
    before = state(sr)
    response = post_action(client, sr, "reject", reject_reason="bogus", comment="Нет")
    assert response.status_code == 400 and state(sr) == before


@pytest.mark.req("R2")
def test_a_deadline_set_by_hand_needs_a_reason_and_is_shown_with_it(client_of, sr, uo_dispatcher):
    client = client_of(uo_dispatcher)
    new = timezone.localtime() + dt.timedelta(days=10)
    response = post_action(
        client, sr, "set_deadline", reason="Согласовано с жителем",
        deadline=new.strftime("%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.deadline_source == "manual"
    card = client.get(card_url(sr)).content.decode()
    assert "установлен вручную" in card and "Согласовано с жителем" in card


@pytest.mark.req("R6")
def test_the_supplier_returns_a_request_to_the_uo_from_the_card(
    client_of, file_request, uo, uo_dispatcher, rso, rso_dispatcher
):
    request = file_request("water-no-hot", "Нет горячей воды в кв. 5")
    client = client_of(rso_dispatcher)
    assert "return_to_uo" in buttons(client.get(card_url(request)))
    response = post_action(
        client, request, "return_to_uo", return_reason="fault_not_confirmed",
        reason="Давление в норме на вводе",
    )  # fmt: skip
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.executor_org == uo and request.status == Status.NEW
    assert request.returns_count == 1
    uo_card = client_of(uo_dispatcher).get(card_url(request)).content.decode()
    assert "Неисправность не подтверждается" in uo_card
    assert "Давление в норме на вводе" in uo_card


@pytest.mark.req("R8")
def test_the_crew_dispatch_is_a_button_only_on_emergencies_and_late_is_flagged(
    client_of, file_request, sr, uo_dispatcher
):
    client = client_of(uo_dispatcher)
    assert "dispatch_crew" not in buttons(client.get(card_url(sr)))
    leak = file_request("water-leak", "Течёт труба в подвале")
    card = client.get(card_url(leak))
    assert "dispatch_crew" in buttons(card)
    assert "бригада не направлена" not in card.content.decode()
    import time_machine

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=45)):
        card = client.get(card_url(leak))
        assert "бригада не направлена" in card.content.decode()
        assert post_action(client, leak, "dispatch_crew", comment="").status_code == 302
    leak.refresh_from_db()
    assert leak.crew_dispatched_at is not None and leak.crew_dispatch_late
    card = client.get(card_url(leak)).content.decode()
    assert "бригада направлена с опозданием" in card
    assert "dispatch_crew" not in buttons(client.get(card_url(leak)))


@pytest.mark.req("R16")
def test_obscene_language_is_flagged_on_the_card(client_of, file_request, uo_dispatcher):
    rude = file_request(text="Опять сломали дверь, бляди, сколько можно")
    assert rude.has_obscene
    card = client_of(uo_dispatcher).get(card_url(rude)).content.decode()
    assert "нецензурная лексика" in card
    assert "допустимое основание для отклонения" in card


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.req("R10")
@override_settings(SERVICEDESK_VERIFICATION_EVIDENCE_REQUIRED=True)
def test_the_uo_verifies_a_contractors_completion_with_the_act_as_evidence(
    client_of,
    file_request,
    uo,
    uo_dispatcher,
    contractor,
    contractor_dispatcher,
    other_uo_dispatcher,
):
    lift = file_request("lift-stopped", "Лифт стоит на 5 этаже")
    assert lift.executor_org == contractor and lift.origin_org == uo
    act(lift, "start", contractor_dispatcher, comment="Взяли в работу")
    act(lift, "complete", contractor_dispatcher, report="Заменён контактор")
    assert lift.status == Status.VERIFICATION
    client = client_of(uo_dispatcher)
    card = client.get(card_url(lift))
    assert {"verify", "verify_return"} <= buttons(card)
    before = state(lift)
    response = client.post(
        f"/requests/work/{lift.number}/act/verify/",
        {"verify-version": lift.version, "verify-comment": "Проверено"},
    )
    assert response.status_code == 400 and state(lift) == before  # the act is mandatory here
    fake = SimpleUploadedFile("act.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        f"/requests/work/{lift.number}/act/verify/",
        {"verify-version": lift.version, "verify-comment": "Проверено", "verify-evidence": fake},
    )
    assert response.status_code == 400 and state(lift) == before
    assert "не соответствует расширению" in response.content.decode()
    act_scan = SimpleUploadedFile("act.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/requests/work/{lift.number}/act/verify/",
        {"verify-version": lift.version, "verify-comment": "Проверено, лифт работает",
         "verify-evidence": act_scan},
    )  # fmt: skip
    assert response.status_code == 302
    lift.refresh_from_db()
    assert lift.status == Status.DONE
    event = RequestEvent.objects.filter(request=lift, action="verify").get()
    assert event.document
    document_url = f"/requests/work/{lift.number}/document/{event.pk}/"
    assert document_url in client.get(card_url(lift)).content.decode()
    download = client.get(document_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert client_of(other_uo_dispatcher).get(document_url).status_code == 404


@pytest.mark.req("R10")
def test_the_functional_operator_decides_a_conflict_on_the_card(
    client_of, sr, uo_dispatcher, anna, functional_operator
):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Отрегулирован доводчик", comment="Готово")
    act(sr, "dispute", anna, comment="Дверь всё так же хлопает")
    client = client_of(functional_operator)
    card = client.get(card_url(sr))
    assert card.status_code == 200
    assert buttons(card) == {"conflict_return", "conflict_close"}
    response = post_action(client, sr, "conflict_return", comment="Повторно отрегулировать")
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == Status.IN_WORK


@pytest.mark.req("S5")
def test_the_applicants_phone_is_for_parties_and_masked_for_a_control_reader(
    client_of, sr, uo_dispatcher, controller
):
    assert sr.phone == "+79101234567"
    party = client_of(uo_dispatcher).get(card_url(sr)).content.decode()
    assert "+79101234567" in party
    assert PersonalDataAccess.objects.filter(user=uo_dispatcher).exists()
    reader = client_of(controller).get(card_url(sr))
    assert reader.status_code == 200
    body = reader.content.decode()
    assert "+79101234567" not in body and "Смирнова" not in body
    # R2: the control body's controller may set the deadline by hand, and nothing else.
    assert buttons(reader) == {"set_deadline"}


@pytest.mark.req("R7")
def test_staff_write_internal_notes_the_resident_never_sees_and_public_comments_she_does(
    client_of, sr, uo_dispatcher, anna
):
    from domovoy.servicedesk.models import Comment

    client = client_of(uo_dispatcher)
    url = f"/requests/work/{sr.number}/comment/"
    note = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {"text": "Позвонить подрядчику", "is_public": "0",
                             "files": [note]}).status_code == 302  # fmt: skip
    assert client.post(url, {"text": "Мастер придёт завтра", "is_public": "1"}).status_code == 302
    assert [(c.text, c.is_public) for c in Comment.objects.filter(request=sr)] == [
        ("Позвонить подрядчику", False),
        ("Мастер придёт завтра", True),
    ]
    card = client.get(card_url(sr)).content.decode()
    assert "Позвонить подрядчику" in card and "Мастер придёт завтра" in card
    attachment = Comment.objects.get(is_public=False).attachments.get()
    file_url = f"/requests/work/{sr.number}/file/{attachment.pk}/"
    assert file_url in card
    assert client.get(file_url).status_code == 200
    # A disguised file is refused and nothing is stored.
    bad = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00", content_type="image/jpeg")
    client.post(url, {"text": "Фото", "is_public": "1", "files": [bad]})
    assert Comment.objects.filter(request=sr).count() == 2


@pytest.mark.req("R7")
def test_a_stranger_cannot_comment_on_the_staff_card(client_of, sr, other_uo_dispatcher):
    from domovoy.servicedesk.models import Comment

    client = client_of(other_uo_dispatcher)
    response = client.post(f"/requests/work/{sr.number}/comment/", {"text": "Спам"})
    assert response.status_code == 404
    assert not Comment.objects.filter(request=sr).exists()
