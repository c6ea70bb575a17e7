"""Redirect «на контроле» and moderation (R5, K 3.2), the supplier's return to the UO (R6), the
UO's verification of a contractor's completion (R10)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.servicedesk import selectors, statistics
from domovoy.servicedesk.models import RequestEvent
from domovoy.servicedesk.workflow import Status

from .helpers import act, footprint, hand_over, notices

pytestmark = pytest.mark.django_db


@pytest.mark.req("R5")
@pytest.mark.req("R4")
def test_on_control_the_contractors_completion_goes_to_moderation_and_the_controller_closes(
    sr, uo, uo_dispatcher, contractor, contractor_dispatcher, anna
):
    act(sr, "accept", uo_dispatcher, comment="Передаём подрядчику")
    act(sr, "redirect", uo_dispatcher, reason="Двери обслуживает подрядчик",
        organization=contractor, keep_control=True)  # fmt: skip
    assert sr.status == Status.NEW and sr.executor_org == contractor
    assert sr.controller_org == uo and sr.origin_org == uo
    assert sr.resident_status == "на рассмотрении"

    act(sr, "start", contractor_dispatcher, comment="Взяли в работу")
    act(sr, "complete", contractor_dispatcher, report="Заменён доводчик")
    assert sr.status == Status.MODERATION  # K 3.2: back to the controller
    assert sr.resident_status == "на контроле"
    # Only the controller completes it — with the final answer the resident sees.
    with pytest.raises(PermissionDeniedError):
        act(sr, "moderation_approve", contractor_dispatcher, comment="Готово")
    act(sr, "moderation_approve", uo_dispatcher,
        comment="Доводчик заменён подрядчиком, дверь закрывается")  # fmt: skip
    assert sr.status == Status.DONE
    assert sr.final_answer == "Доводчик заменён подрядчиком, дверь закрывается"
    notice = notices(sr)[-1]
    assert notice.body.startswith("Доводчик заменён подрядчиком, дверь закрывается\n")
    act(sr, "confirm", anna)
    assert sr.status == Status.CLOSED


@pytest.mark.req("R5")
def test_the_controller_returns_a_poor_completion_to_the_executor(
    sr, uo_dispatcher, contractor, contractor_dispatcher
):
    act(sr, "redirect", uo_dispatcher, reason="Подрядчику", organization=contractor,
        keep_control=True)  # fmt: skip
    act(sr, "start", contractor_dispatcher, comment="Взяли в работу")
    act(sr, "complete", contractor_dispatcher, report="Осмотрено")
    act(sr, "moderation_return", uo_dispatcher, reason="Доводчик не заменён, только осмотр")
    assert sr.status == Status.IN_WORK and sr.executor_org == contractor
    assert sr.done_at is None


@pytest.mark.req("R5")
def test_on_control_the_executor_cannot_reject_past_the_controller(
    sr, uo_dispatcher, other_uo, other_uo_dispatcher
):
    hand_over(sr.building, other_uo)  # R5: only the UO managing the building by the registry
    act(sr, "redirect", uo_dispatcher, reason="Соседняя УК", organization=other_uo,
        keep_control=True)  # fmt: skip
    before = footprint(sr)
    with pytest.raises(ApplicationError) as err:
        act(sr, "reject", other_uo_dispatcher, reject_reason="not_our_zone", comment="Не наше")
    assert err.value.code == "control_respected"
    assert footprint(sr) == before


@pytest.mark.req("R6")
def test_the_supplier_returns_a_request_to_the_uos_queue_not_to_the_resident(
    file_request, uo, uo_dispatcher, rso, rso_dispatcher
):
    request = file_request("water-no-hot", "Нет горячей воды в кв. 5")
    assert request.executor_org == rso and request.origin_org == uo
    act(request, "accept", rso_dispatcher, comment="Проверяем")
    notices_before = len(notices(request))
    act(request, "return_to_uo", rso_dispatcher, return_reason="outside_zone",
        reason="На вводе в дом горячая вода есть: неисправность во внутридомовой сети")  # fmt: skip
    assert request.status == Status.NEW and request.executor_org == uo
    assert request.origin_org is None and request.returns_count == 1
    assert request.return_reason == "outside_zone"
    assert len(notices(request)) == notices_before
    event = RequestEvent.objects.filter(request=request, action="return_to_uo").get()
    assert event.actor_org == rso and event.data["returned_by_org_id"] == rso.pk
    # It is back in the UO's queue: among the new ones and on the «returned» tab (R19).
    now = timezone.now()
    for tab in ("new", "returned"):
        assert request in selectors.queue_tab(tab, organization=uo, employee=None, now=now)
    today = timezone.localdate()
    stats = statistics.statistics(organization=uo, date_from=today, date_to=today)
    assert stats["summary"]["returned_to_uo"] == 1


@pytest.mark.req("R6")
def test_a_supplier_that_got_it_from_a_uo_returns_it_instead_of_rejecting(
    file_request, rso_dispatcher
):
    request = file_request("water-no-hot", "Нет горячей воды")
    before = footprint(request)
    with pytest.raises(ApplicationError) as err:
        act(request, "reject", rso_dispatcher, reject_reason="not_our_zone", comment="Не наше")
    assert "верните её в УО" in err.value.message
    assert footprint(request) == before


@pytest.mark.req("R6")
def test_the_return_needs_its_comment_and_only_goes_to_a_uo_that_passed_it(
    sr, file_request, rso_dispatcher, uo_dispatcher
):
    request = file_request("water-no-hot", "Нет горячей воды")
    before = footprint(request)
    with pytest.raises(ApplicationError) as err:
        act(request, "return_to_uo", rso_dispatcher, return_reason="fault_not_confirmed")
    assert err.value.code == "required" and set(err.value.fields) == {"reason"}
    assert footprint(request) == before
    # The UO's own request came from nobody: there is no UO to return it to.
    with pytest.raises(ApplicationError) as err:
        act(sr, "return_to_uo", uo_dispatcher, return_reason="outside_zone", reason="Не наше")
    assert err.value.code == "came_from_uo"


@pytest.mark.req("R10")
def test_the_uo_verifies_a_contractors_completion(
    file_request, uo, uo_dispatcher, contractor, contractor_dispatcher
):
    request = file_request("lift-stopped", "Лифт стоит второй день")
    assert request.executor_org == contractor
    act(request, "start", contractor_dispatcher, comment="Взяли в работу")
    act(request, "complete", contractor_dispatcher, report="Заменён концевой выключатель")
    assert request.status == Status.VERIFICATION
    assert request in selectors.verification_queue(organization=uo)
    act(request, "verify_return", uo_dispatcher, reason="Лифт снова остановился")
    assert request.status == Status.IN_WORK
    act(request, "complete", contractor_dispatcher, report="Заменён блок управления")
    act(request, "verify", uo_dispatcher, comment="Лифт работает")
    assert request.status == Status.DONE


@pytest.mark.req("R10")
def test_a_territory_setting_makes_the_signed_act_mandatory_for_verification(
    file_request, uo_dispatcher, contractor_dispatcher, territory
):
    request = file_request("lift-stopped", "Лифт стоит")
    act(request, "start", contractor_dispatcher, comment="Взяли в работу")
    act(request, "complete", contractor_dispatcher, report="Отремонтирован")
    with override_settings(SERVICEDESK_VERIFICATION_EVIDENCE_REQUIRED=[territory["city"].pk]):
        before = footprint(request)
        with pytest.raises(ApplicationError) as err:
            act(request, "verify", uo_dispatcher, comment="Принято")
        assert err.value.code == "required" and set(err.value.fields) == {"evidence"}
        assert footprint(request) == before
        scan = SimpleUploadedFile("akt.pdf", b"%PDF-1.4 act", content_type="application/pdf")
        act(request, "verify", uo_dispatcher, comment="Лифт работает, акт подписан", evidence=scan)
    assert request.status == Status.DONE
    event = RequestEvent.objects.filter(request=request, action="verify").get()
    assert event.document.name.endswith(".pdf")
    event.document.delete(save=False)
