"""Issue 13: repeat requests (R14) and «У меня тоже» (N2: the resident who joined hears of the
request's status changes like its author)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from domovoy.core.errors import Conflict, Forbidden
from domovoy.notifications.models import Notice
from domovoy.servicedesk import selectors, services
from domovoy.servicedesk.models import MeToo, ServiceRequest
from tests import factories as f

from .helpers import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def boris_lives_here(boris, building):
    """Борис has a personal account in the building (D3): he may join its requests."""
    _prem, account = f.premises_with_account(building, number="7")
    account.residents.add(boris)
    return boris


# --- Repeats (R14) ------------------------------------------------------------------------------


@pytest.mark.req("R14")
def test_a_request_on_the_same_building_and_topic_within_the_window_is_a_repeat(file_request):
    first = file_request()
    second = file_request(text="Опять сломан доводчик")
    third = file_request(text="И снова доводчик")
    assert first.repeat_of is None and not first.is_repeat
    assert second.repeat_of == first and second.is_repeat
    assert third.repeat_of == first  # linked to the head of the chain, not to the second
    assert second.events.get().data["repeat_of_id"] == first.pk
    assert list(selectors.repeat_requests()) == [third, second]
    assert selectors.repeat_requests(ServiceRequest.objects.filter(pk=second.pk)).count() == 1


@pytest.mark.req("R14")
def test_a_request_outside_the_window_is_not_a_repeat(file_request, settings):
    settings.SERVICEDESK_REPEAT_WINDOW_DAYS = 10
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        first = file_request()
    with time_machine.travel(dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC), tick=False):
        inside = file_request(text="Опять доводчик")
    with time_machine.travel(dt.datetime(2026, 3, 22, 9, tzinfo=dt.UTC), tick=False):
        outside = file_request(text="Через месяц снова доводчик")
    assert inside.repeat_of == first
    assert outside.repeat_of is None  # 11 days after «inside», 20 after «first»


@pytest.mark.req("R14")
def test_another_topic_another_building_or_another_flat_is_not_a_repeat(
    file_request, uo, territory, building
):
    first = file_request()
    other_topic = file_request("entrance-windows", "Разбито окно на 3 этаже")
    other_house = f.BuildingFactory(territory=territory["district"])
    f.manage(other_house, uo)
    elsewhere = file_request(building=other_house, text="Сломан доводчик")
    assert other_topic.repeat_of is None and elsewhere.repeat_of is None
    # Premises where known: flat 1 and flat 2 are different places; a request without a flat
    # matches either.
    flat1, _a = f.premises_with_account(building, number="1")
    flat2, _b = f.premises_with_account(building, number="2")
    a = file_request("power-flat", "Нет света в квартире", premises=flat1)
    b = file_request("power-flat", "Нет света в квартире", premises=flat2)
    c = file_request("power-flat", "Снова нет света", premises=flat1)
    assert b.repeat_of is None and c.repeat_of == a
    assert first.repeats.count() == 0


@pytest.mark.req("R14")
def test_repeat_detection_is_one_query_at_intake(file_request, building, classifier):
    file_request()
    with CaptureQueriesContext(connection) as ctx:
        head = services.repeat_chain_head(
            building=building,
            premises=None,
            topic=classifier["entrance-door"],
            now=dt.datetime.now(dt.UTC),
        )
    assert head is not None and len(ctx.captured_queries) == 1


@pytest.mark.req("R14")
def test_the_chain_lists_the_head_and_every_repeat_oldest_first(file_request):
    first = file_request()
    second = file_request(text="Опять")
    third = file_request(text="И снова")
    lonely = file_request("entrance-windows", "Окно")
    assert selectors.repeat_chain(second) == [first, second, third]
    assert selectors.repeat_chain(first) == [first, second, third]
    assert selectors.repeat_chain(lonely) == []


# --- «У меня тоже» ------------------------------------------------------------------------------


@pytest.mark.req("N2")
def test_me_too_counts_once_and_can_be_withdrawn(sr, boris_lives_here):
    assert services.me_too_add(request=sr, user=boris_lives_here) is True
    assert services.me_too_add(request=sr, user=boris_lives_here) is False  # idempotent
    sr.refresh_from_db()
    assert sr.me_too_count == 1 and sr.affected_residents == 2
    assert MeToo.objects.filter(request=sr).count() == 1
    assert services.me_too_remove(request=sr, user=boris_lives_here) is True
    assert services.me_too_remove(request=sr, user=boris_lives_here) is False
    sr.refresh_from_db()
    assert sr.me_too_count == 0


@pytest.mark.req("N2")
def test_the_resident_who_joined_is_told_when_the_request_closes(
    sr, boris_lives_here, uo_dispatcher, anna
):
    services.me_too_add(request=sr, user=boris_lives_here)
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Заменили доводчик", comment="Доводчик заменён")
    act(sr, "confirm", anna)
    mine = Notice.objects.filter(recipient=boris_lives_here, channel="inbox").order_by("id")
    subjects = [n.subject for n in mine]
    assert subjects[-1] == f"Заявка № {sr.number} («у меня тоже»): заявка закрыта"
    assert "в работе" in subjects[0]
    assert mine.last().url == "/requests/my/building/"
    # Withdrawn: told nothing more.
    services.me_too_remove(request=sr, user=boris_lives_here)
    act(sr, "reopen", anna, comment="Дверь снова не закрывается")
    assert Notice.objects.filter(recipient=boris_lives_here, channel="inbox").count() == len(
        subjects
    )


@pytest.mark.req("N2")
def test_staff_a_resident_of_another_building_and_the_author_are_refused(
    sr, boris, uo_dispatcher, anna
):
    with pytest.raises(Forbidden):
        services.me_too_add(request=sr, user=uo_dispatcher)
    with pytest.raises(Forbidden, match="лицевой счёт"):
        services.me_too_add(request=sr, user=boris)  # no account in the building
    with pytest.raises(Conflict, match="ваша заявка"):
        services.me_too_add(request=sr, user=anna)
    assert not MeToo.objects.exists()
    assert not boris.has_perm("servicedesk.join_request", sr)


@pytest.mark.req("N2")
def test_closed_and_personal_requests_cannot_be_joined(
    file_request, sr, boris_lives_here, anna, uo_dispatcher
):
    assert boris_lives_here.has_perm("servicedesk.join_request", sr)
    private = file_request("power-flat", "Нет света в квартире 5")
    with pytest.raises(Forbidden, match="одной квартиры"):
        services.me_too_add(request=private, user=boris_lives_here)
    act(sr, "withdraw", anna, withdraw_reason="already_done")
    with pytest.raises(Conflict, match="закрыта"):
        services.me_too_add(request=sr, user=boris_lives_here)
    assert not boris_lives_here.has_perm("servicedesk.join_request", sr)
    assert sr.me_too_count == 0


@pytest.mark.req("N2")
def test_the_building_list_shows_open_public_requests_of_the_residents_buildings(
    file_request, sr, boris_lives_here, anna, territory, uo
):
    private = file_request("power-flat", "Нет света в квартире 5")
    other_house = f.BuildingFactory(territory=territory["district"])
    f.manage(other_house, uo)
    elsewhere = file_request(building=other_house, text="Сломан доводчик")
    rows = list(selectors.resident_building_requests(user=boris_lives_here))
    assert sr in rows and private not in rows and elsewhere not in rows
    assert list(selectors.resident_building_requests(user=anna)) == []  # her own are elsewhere
