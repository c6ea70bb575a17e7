"""The dispatcher's work queue: tabs, filters, marks, constant query count, bulk accept and the
live refresh with alerts (R4, R6, R8, R14, R16, R19, S2)."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from domovoy.servicedesk.workflow import Status
from tests import factories as f
from tests.servicedesk.helpers import act

from .helpers import state

pytestmark = pytest.mark.django_db

QUEUE = reverse("servicedesk:staff_queue")
LIVE = reverse("servicedesk:staff_queue_live")
BULK = reverse("servicedesk:staff_bulk_accept")
T0 = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def numbers(response):
    return re.findall(r'data-number="([^"]+)"', response.content.decode())


@pytest.mark.req("R19")
@pytest.mark.req("S2")
def test_the_queue_is_for_executing_staff_only(client, client_of, sr, anna, controller):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client_of(anna).get(QUEUE).status_code == 403
    assert client_of(controller).get(QUEUE).status_code == 403
    assert client_of(controller).get(LIVE).status_code == 403


@pytest.mark.req("R19")
@pytest.mark.req("S2")
def test_the_new_tab_lists_the_organisations_new_requests_and_not_anothers(
    client_of, sr, uo_dispatcher, other_uo, other_uo_dispatcher, file_request
):
    elsewhere = f.BuildingFactory(territory=sr.building.territory)
    f.manage(elsewhere, other_uo)
    theirs = file_request(building=elsewhere, text="Не закрывается дверь в подъезд")
    response = client_of(uo_dispatcher).get(QUEUE)
    assert response.status_code == 200
    assert numbers(response) == [sr.number]
    assert f'value="{sr.pk}:{sr.version}"' in response.content.decode()  # bulk-accept box
    assert numbers(client_of(other_uo_dispatcher).get(QUEUE)) == [theirs.number]


@pytest.mark.req("R16")
@pytest.mark.req("R8")
def test_emergency_and_obscene_rows_are_marked_and_late_crews_flagged(
    client_of, file_request, uo_dispatcher
):
    leak = file_request("water-leak", "Течёт труба в подвале")
    rude = file_request(text="Опять сломали дверь, бляди")
    client = client_of(uo_dispatcher)
    body = client.get(QUEUE).content.decode()
    assert numbers(client.get(QUEUE))[0] == leak.number  # emergencies first
    assert "аварийная" in body and "нецензурная лексика" in body
    assert "бригада не направлена" not in body
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        body = client.get(QUEUE).content.decode()
    assert "бригада не направлена" in body
    assert rude.has_obscene


@pytest.mark.req("R14")
def test_overdue_due_today_and_not_accepted_in_24_hours_have_their_tabs_and_marks(
    client_of, file_request, uo_dispatcher
):
    with time_machine.travel(T0, tick=False):
        slow = file_request("water-low-pressure", "Слабый напор на 9 этаже")  # 3 days
    client = client_of(uo_dispatcher)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert numbers(client.get(QUEUE, {"tab": "overdue"})) == []
        body = client.get(QUEUE).content.decode()
        assert "не принята за 24 ч" in body
    with time_machine.travel(slow.deadline_at - dt.timedelta(minutes=30), tick=False):
        assert numbers(client.get(QUEUE, {"tab": "today"})) == [slow.number]
    with time_machine.travel(slow.deadline_at + dt.timedelta(minutes=1), tick=False):
        response = client.get(QUEUE, {"tab": "overdue"})
        assert numbers(response) == [slow.number]
        assert "просрочена" in response.content.decode()
        assert numbers(client.get(QUEUE, {"tab": "today"})) == []


@pytest.mark.req("R5")
@pytest.mark.req("R6")
@pytest.mark.req("R10")
def test_control_verification_returned_and_mine_tabs(
    client_of, file_request, sr, uo, uo_dispatcher, uo_engineer, contractor,
    contractor_dispatcher, rso_dispatcher,
):  # fmt: skip
    act(sr, "redirect", uo_dispatcher, reason="Подрядчику", organization=contractor,
        keep_control=True)  # fmt: skip
    client = client_of(uo_dispatcher)
    assert numbers(client.get(QUEUE, {"tab": "control"})) == [sr.number]
    act(sr, "start", contractor_dispatcher, comment="Взяли в работу")
    act(sr, "complete", contractor_dispatcher, report="Готово")
    assert numbers(client.get(QUEUE, {"tab": "verification"})) == [sr.number]

    water = file_request("water-no-hot", "Нет горячей воды")
    act(water, "return_to_uo", rso_dispatcher, return_reason="outside_zone",
        reason="Внутридомовые сети — зона УО")  # fmt: skip
    assert numbers(client.get(QUEUE, {"tab": "returned"})) == [water.number]

    engineer = uo_engineer.employee
    act(water, "redirect", uo_dispatcher, reason="Инженеру", employee=engineer)
    assert numbers(client_of(uo_engineer).get(QUEUE, {"tab": "mine"})) == [water.number]
    assert numbers(client_of(uo_dispatcher).get(QUEUE, {"tab": "mine"})) == []


@pytest.mark.req("R19")
def test_filters_by_topic_address_emergency_and_status(client_of, file_request, uo_dispatcher):
    door = file_request()
    leak = file_request("water-leak", "Течёт труба")
    other = f.BuildingFactory(territory=door.building.territory, street="ул. Ленина", house="7")
    f.manage(other, door.executor_org)
    lenina = file_request(building=other, text="Дверь не закрывается")
    client = client_of(uo_dispatcher)
    assert numbers(client.get(QUEUE, {"emergency": "true"})) == [leak.number]
    assert numbers(client.get(QUEUE, {"topic": leak.topic_id})) == [leak.number]
    assert numbers(client.get(QUEUE, {"address": "ленина 7"})) == [lenina.number]
    assert numbers(client.get(QUEUE, {"tab": "all", "status": "accepted"})) == []
    act(door, "accept", uo_dispatcher, comment="Принята")
    assert numbers(client.get(QUEUE, {"tab": "all", "status": "accepted"})) == [door.number]


@pytest.mark.req("R19")
def test_the_queue_runs_the_same_number_of_queries_for_5_and_50_rows(
    client_of, file_request, uo_dispatcher, uo_engineer
):
    client = client_of(uo_dispatcher)
    made = [file_request() for _ in range(5)]
    # Assigned to an employee: the row shows the department and the employee too.
    act(made[0], "redirect", uo_dispatcher, reason="Инженеру", employee=uo_engineer.employee)
    client.get(QUEUE)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(QUEUE, {"tab": "all"})
    assert len(numbers(response)) == 5
    for _ in range(45):
        file_request("water-leak", "Течёт труба")
    with CaptureQueriesContext(connection) as many:
        response = client.get(QUEUE, {"tab": "all"})
    assert len(numbers(response)) == 50
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.req("R4")
def test_bulk_accept_accepts_the_allowed_rows_and_names_the_refused_ones(
    client_of, file_request, uo_dispatcher, uo_engineer
):
    first, second, third = (file_request() for _ in range(3))
    rows = [f"{r.pk}:{r.version}" for r in (first, second, third)]
    act(third, "accept", uo_engineer, comment="Беру сам")  # a colleague was faster
    client = client_of(uo_dispatcher)

    before = [state(r) for r in (first, second)]
    response = client.post(BULK, {"rows": rows[:2], "comment": ""})
    assert response.status_code == 302
    assert [state(r) for r in (first, second)] == before  # no comment, nothing done

    response = client.post(BULK, {"rows": rows, "comment": "Приняли, ждите мастера"}, follow=True)
    for r in (first, second):
        r.refresh_from_db()
        assert r.status == Status.ACCEPTED
        assert r.events.latest("id").comment == "Приняли, ждите мастера"
    third.refresh_from_db()
    assert third.events.filter(action="accept").count() == 1
    body = response.content.decode()
    assert "Принято заявок: 2" in body
    assert f"Заявка № {third.number} не принята" in body


@pytest.mark.req("S2")
def test_bulk_accept_cannot_touch_another_organisations_request(client_of, sr, other_uo_dispatcher):
    before = state(sr)
    response = client_of(other_uo_dispatcher).post(
        BULK, {"rows": [f"{sr.pk}:{sr.version}"], "comment": "Примем чужую"}, follow=True
    )
    assert "не принята" in response.content.decode()
    assert state(sr) == before


@pytest.mark.req("R19")
def test_the_live_partial_brings_a_new_request_after_it_is_created_and_not_before(
    client_of, file_request, uo_dispatcher, other_uo, other_uo_dispatcher, building
):
    client = client_of(uo_dispatcher)
    with time_machine.travel(T0, tick=False):
        page = client.get(QUEUE)
        since = re.search(r"since=([^\"&]+)", page.content.decode()).group(1)
        quiet = client.get(f"{LIVE}?since={since}")
        assert quiet.status_code == 200
        assert 'data-changed="0"' in quiet.content.decode()
        assert "data-alert-number" not in quiet.content.decode()
    with time_machine.travel(T0 + dt.timedelta(seconds=7), tick=False):
        leak = file_request("water-leak", "Течёт труба в подвале")
        answer = client.get(f"{LIVE}?since={since}").content.decode()
        assert f'data-alert-number="{leak.number}"' in answer
        assert "Аварийная заявка" in answer
        assert 'data-changed="1"' in answer
        # The next poll starts from the server's time: the same change is not news again.
        next_since = re.search(r"since=([^\"&]+)", answer).group(1)
        # Another organisation's poll does not see it.
        other = client_of(other_uo_dispatcher).get(f"{LIVE}?since={since}").content.decode()
        assert leak.number not in other
        client = client_of(uo_dispatcher)
    with time_machine.travel(T0 + dt.timedelta(seconds=17), tick=False):
        # The poll looks a few seconds behind its «since» (a change committed during the last
        # poll is not lost); the page drops the repeated alert by its key.
        again = client.get(f"{LIVE}?since={next_since}").content.decode()
        assert leak.number in again
        since_3 = re.search(r"since=([^\"&]+)", again).group(1)
    with time_machine.travel(T0 + dt.timedelta(seconds=27), tick=False):
        later = client.get(f"{LIVE}?since={since_3}").content.decode()
        assert leak.number not in later and 'data-changed="0"' in later
        since_4 = re.search(r"since=([^\"&]+)", later).group(1)
    with time_machine.travel(T0 + dt.timedelta(seconds=35), tick=False):
        act(leak, "accept", uo_dispatcher, comment="Бригада выехала")
        changed = client.get(f"{LIVE}?since={since_4}").content.decode()
        # A status change refreshes the rows but is not an alert about a new request.
        assert 'data-changed="1"' in changed and "data-alert-number" not in changed


@pytest.mark.req("R19")
def test_the_rows_partial_returns_only_the_table(client_of, sr, uo_dispatcher):
    response = client_of(uo_dispatcher).get(QUEUE, {"partial": "rows"})
    body = response.content.decode()
    assert response.status_code == 200 and sr.number in body
    assert "<html" not in body and "sd-live" not in body
