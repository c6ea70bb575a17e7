"""Intake (R1), routing (R3), the deadline from the classifier (R2, R15), the obscene flag (R16)
and the first notice to the resident (N2)."""

import datetime as dt

import pytest
import time_machine

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.directory.models import ServiceLink
from domovoy.notifications.models import Notice
from domovoy.servicedesk import services
from domovoy.servicedesk.models import (
    Channel,
    DeadlineSource,
    RequestEvent,
    ServiceRequest,
)
from domovoy.servicedesk.workflow import Status
from tests import factories as f

from .helpers import at, notices, word


@pytest.mark.req("R1")
@pytest.mark.req("R3")
@pytest.mark.django_db
def test_a_resident_files_a_request_in_the_cabinet_and_it_goes_to_the_managing_uo(
    file_request, uo, anna, building
):
    request = file_request()
    assert request.status == Status.NEW
    assert request.channel == Channel.WEB
    assert request.author == anna and request.created_by == anna
    assert request.executor_org == uo and request.origin_org is None
    assert request.phone == "+79101234567"  # the resident's own phone by default
    assert request.caller_name == anna.full_name
    assert request.number.endswith(f"{request.pk:06d}")
    event = RequestEvent.objects.get(request=request)
    assert (event.action, event.from_status, event.to_status) == ("create", "", "new")
    assert event.data["routing"] == "manager"


@pytest.mark.req("R3")
@pytest.mark.django_db
def test_a_supplier_topic_goes_to_the_supplier_of_the_resource_and_remembers_the_uo(
    file_request, uo, rso
):
    request = file_request("water-no-hot", "Третий день нет горячей воды во всём стояке")
    assert request.executor_org == rso
    assert request.origin_org == uo  # the supplier may return it to the UO (R6)
    assert request.events.get().data["routing"] == "supplier"


@pytest.mark.req("R3")
@pytest.mark.django_db
def test_a_supplier_topic_without_a_registered_supplier_goes_to_the_uo(file_request, uo):
    request = file_request("heating-none", "Батареи ледяные во всём доме")  # no heating link
    assert request.executor_org == uo and request.origin_org is None
    assert request.events.get().data["routing"] == "supplier_not_registered"


@pytest.mark.req("R3")
@pytest.mark.django_db
def test_a_contractor_topic_goes_to_the_only_general_contractor_of_the_uo(
    file_request, uo, contractor
):
    request = file_request("lift-stopped", "Лифт во 2 подъезде стоит с утра")
    assert request.executor_org == contractor and request.origin_org == uo


@pytest.mark.req("R3")
@pytest.mark.django_db
def test_with_two_general_contractors_the_uo_chooses(file_request, uo, territory):
    second = f.OrganizationFactory(kinds=["contractor"], territory=territory["district"])
    ServiceLink.objects.create(uo=uo, provider=second, resource="", start=dt.date(2021, 1, 1))
    request = file_request("lift-stopped", "Лифт стоит")
    assert request.executor_org == uo
    assert request.events.get().data["routing"] == "contractor_not_unique"


@pytest.mark.req("R3")
@pytest.mark.django_db
def test_a_building_nobody_manages_is_refused_clearly_and_nothing_is_stored(
    file_request, territory
):
    orphan = f.BuildingFactory(territory=territory["district"])
    with pytest.raises(ApplicationError) as err:
        file_request(building=orphan)
    assert err.value.code == "no_executor" and "building" in err.value.fields
    assert not ServiceRequest.objects.exists() and not RequestEvent.objects.exists()


@pytest.mark.req("R1")
@pytest.mark.django_db
def test_a_call_centre_operator_files_a_request_for_a_caller(
    building, classifier, call_operator, links
):
    request = services.service_request_create(
        building=building, topic=classifier["sewer-blockage"], text="Засор в стояке, вода стоит",
        channel=Channel.CALL_CENTRE, caller_name="Иванова Мария", phone="8 (910) 555-12-34",
        actor=call_operator,
    )  # fmt: skip
    assert request.author is None and request.created_by == call_operator
    assert request.phone == "+79105551234" and request.caller_name == "Иванова Мария"
    assert request.channel == Channel.CALL_CENTRE
    assert not Notice.objects.exists()  # nobody to notify in a cabinet


@pytest.mark.req("R1")
@pytest.mark.django_db
def test_only_a_call_centre_operator_files_by_phone(building, classifier, uo_dispatcher, links):
    with pytest.raises(PermissionDeniedError):
        services.service_request_create(
            building=building, topic=classifier["sewer-blockage"], text="Засор",
            channel=Channel.CALL_CENTRE, caller_name="Иванова", actor=uo_dispatcher,
        )  # fmt: skip
    assert not ServiceRequest.objects.exists()


@pytest.mark.req("R1")
@pytest.mark.django_db
def test_nobody_files_in_a_residents_name(file_request, anna, boris):
    with pytest.raises(PermissionDeniedError):
        file_request(author=anna, actor=boris)
    assert not ServiceRequest.objects.exists()


@pytest.mark.req("R1")
@pytest.mark.django_db
def test_bad_input_is_named_field_by_field_and_nothing_is_stored(
    file_request, classifier, building, territory
):
    other_building = f.BuildingFactory(territory=territory["district"])
    premises, _ = f.premises_with_account(other_building)
    with pytest.raises(ApplicationError) as err:
        file_request("water", text="   ", phone="12", premises=premises)
    assert set(err.value.fields) == {"text", "topic", "phone", "premises"}
    assert "группа тем" in err.value.fields["topic"][0]
    assert not ServiceRequest.objects.exists()


@pytest.mark.req("R2")
@pytest.mark.req("R15")
@pytest.mark.django_db
def test_the_deadline_comes_from_the_topic_in_working_hours(file_request, classifier):
    # «Холодные батареи в квартире»: 8 working hours of the UO, whose card says
    # «пн–чт 9:00–18:00; пт 9:00–17:00» (with the usual lunch hour). Filed on Friday 2026-03-06
    # at 17:30, after its Friday hours; Monday 9 March is the observed Women's Day; Tuesday
    # 10 March 09:00–13:00 and 14:00–18:00 give the 8 hours.
    with time_machine.travel(at(2026, 3, 6, 17, 30), tick=False):
        request = file_request("heating-cold-radiators", "В комнате батарея холодная")
    assert request.deadline_at == at(2026, 3, 10, 18, 0)
    assert request.deadline_source == DeadlineSource.TOPIC


@pytest.mark.req("R2")
@pytest.mark.django_db
def test_emergency_topics_count_calendar_hours_and_are_marked_emergency(file_request):
    with time_machine.travel(at(2026, 1, 1, 3, 0), tick=False):  # a holiday night
        request = file_request("sewer-blockage", "Засор, вода поднимается")
    assert request.is_emergency
    assert request.deadline_at == at(2026, 1, 1, 7, 0)


@pytest.mark.req("R2")
@pytest.mark.req("R15")
@pytest.mark.django_db
def test_a_term_in_working_days_ends_with_the_working_day_of_the_executor(file_request, uo):
    # «Сломана входная дверь»: 3 working days from Tuesday 2025-12-30. The term starts the next
    # day; 31 December 2025 is a transferred day off, 1–8 January holidays, 9 January 2026 a
    # transferred day off: 12, 13, 14 January, ending with the UO's Wednesday at 18:00.
    with time_machine.travel(at(2025, 12, 30, 11, 0), tick=False):
        request = file_request()
    assert request.deadline_at == at(2026, 1, 14, 18, 0)


@pytest.mark.req("R16")
@pytest.mark.django_db
def test_obscene_language_is_flagged_for_the_executor_not_rejected(file_request):
    rude = file_request(text="Когда уже почините эту х.у.йню с дверью?!")
    polite = file_request(text="Прошу застраховать и починить дверь, не психуйте")
    assert rude.has_obscene and rude.status == Status.NEW
    assert not polite.has_obscene


@pytest.mark.req("N2")
@pytest.mark.django_db
def test_the_resident_gets_one_notice_in_the_cabinet_on_filing(sr, anna):
    [notice] = notices(sr)
    assert notice.recipient == anna and notice.kind == "request.status"
    assert word(notice) == "на рассмотрении"
    assert notice.body.startswith("Статус заявки: на рассмотрении.\nИсполнитель ещё не принял")
    assert notice.url == f"/requests/my/{sr.number}/"
    assert Notice.objects.exclude(group=f"request:{sr.pk}").count() == 0
