"""Control lists (R14, R8, R10) and an organisation's statistics with the XLSX export (R18)."""

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from domovoy.servicedesk import statistics
from tests.servicedesk.helpers import act

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def lst(kind):
    return reverse("servicedesk:staff_list", args=[kind])


def numbers(response):
    return re.findall(r'data-number="([^"]+)"', response.content.decode())


@pytest.mark.req("R14")
@pytest.mark.req("R8")
def test_the_uo_sees_its_overdue_not_accepted_and_crew_lists(
    client_of, file_request, uo_dispatcher
):
    with time_machine.travel(T0, tick=False):
        slow = file_request("water-low-pressure", "Слабый напор")
        leak = file_request("water-leak", "Течёт труба")
    client = client_of(uo_dispatcher)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        assert numbers(client.get(lst("crew"))) == []
        assert numbers(client.get(lst("not-accepted"))) == []
    with time_machine.travel(T0 + dt.timedelta(minutes=40), tick=False):
        assert numbers(client.get(lst("crew"))) == [leak.number]
    with time_machine.travel(T0 + dt.timedelta(hours=25), tick=False):
        # Emergencies follow the crew rule, not the 24-hour acceptance rule (R14).
        assert numbers(client.get(lst("not-accepted"))) == [slow.number]
        assert set(numbers(client.get(lst("new")))) == {slow.number, leak.number}
    with time_machine.travel(slow.deadline_at + dt.timedelta(hours=1), tick=False):
        assert slow.number in numbers(client.get(lst("overdue")))


@pytest.mark.req("R14")
def test_the_postponed_list(client_of, sr, uo_dispatcher):
    act(sr, "accept", uo_dispatcher, comment="Принята")
    act(sr, "postpone", uo_dispatcher, reason="Ждём запчасть",
        until=dt.date.today() + dt.timedelta(days=3))  # fmt: skip
    assert numbers(client_of(uo_dispatcher).get(lst("postponed"))) == [sr.number]


@pytest.mark.req("S2")
@pytest.mark.req("R14")
def test_lists_are_scoped_to_the_organisation_or_the_readers_territory(
    client_of, sr, other_uo_dispatcher, controller, anna, territory
):
    assert numbers(client_of(other_uo_dispatcher).get(lst("new"))) == []
    assert numbers(client_of(controller).get(lst("new"))) == [sr.number]
    assert client_of(anna).get(lst("new")).status_code == 403
    # The conflict queue belongs to the functional operator.
    assert client_of(other_uo_dispatcher).get(lst("conflicts")).status_code == 403
    assert client_of(other_uo_dispatcher).get(lst("nonsense")).status_code == 404


@pytest.mark.req("R10")
def test_the_functional_operator_has_the_conflict_queue(
    client_of, sr, uo_dispatcher, anna, functional_operator
):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Сделано", comment="Готово")
    client = client_of(functional_operator)
    assert numbers(client.get(lst("conflicts"))) == []
    act(sr, "dispute", anna, comment="Ничего не сделано")
    assert numbers(client.get(lst("conflicts"))) == [sr.number]


@pytest.mark.req("R10")
@pytest.mark.req("R5")
def test_moderation_and_verification_lists_of_the_uo(
    client_of, sr, file_request, uo_dispatcher, contractor, contractor_dispatcher
):
    act(sr, "redirect", uo_dispatcher, reason="Подрядчику", organization=contractor,
        keep_control=True)  # fmt: skip
    act(sr, "start", contractor_dispatcher, comment="Взяли в работу")
    act(sr, "complete", contractor_dispatcher, report="Готово")
    lift = file_request("lift-stopped", "Лифт стоит")
    act(lift, "start", contractor_dispatcher, comment="Взяли в работу")
    act(lift, "complete", contractor_dispatcher, report="Починили")
    client = client_of(uo_dispatcher)
    assert numbers(client.get(lst("moderation"))) == [sr.number]
    assert numbers(client.get(lst("verification"))) == [lift.number]
    assert client_of(contractor_dispatcher).get(lst("verification")).status_code == 403


def _stats_setup(file_request, uo_dispatcher):
    with time_machine.travel(T0, tick=False):
        on_time = file_request()
        late = file_request("water-low-pressure", "Слабый напор")
        leak = file_request("water-leak", "Течёт труба")
        rejected = file_request(text="Дверь в соседнем доме")
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        act(on_time, "accept", uo_dispatcher, comment="Принята")
        act(late, "accept", uo_dispatcher, comment="Принята")
        act(rejected, "reject", uo_dispatcher, reject_reason="not_our_zone", comment="Не наш дом")
    with time_machine.travel(T0 + dt.timedelta(hours=4), tick=False):
        act(on_time, "start", uo_dispatcher, comment="Взяли в работу")
        act(on_time, "complete", uo_dispatcher, report="Отрегулирован", comment="Готово")
    with time_machine.travel(late.deadline_at + dt.timedelta(hours=1), tick=False):
        act(late, "start", uo_dispatcher, comment="Взяли в работу")
        act(late, "complete", uo_dispatcher, report="Заменён редуктор", comment="Готово")
    statistics.refresh_rollups()  # the worker's step (R18: the page reads the rollups)
    return on_time, late, leak, rejected


@pytest.mark.req("R18")
def test_statistics_count_by_status_topic_building_with_on_time_share_and_averages(
    client_of, file_request, uo_dispatcher
):
    _stats_setup(file_request, uo_dispatcher)
    client = client_of(uo_dispatcher)
    with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
        response = client.get(
            reverse("servicedesk:staff_stats"), {"date_from": "2026-03-01", "date_to": "2026-03-31"}
        )
    assert response.status_code == 200
    stats = response.context["stats"]
    summary = stats["summary"]
    assert summary["total"] == 4
    assert summary["completed"] == 2 and summary["done"] == 2
    assert summary["on_time"] == 1 and summary["on_time_share"] == 50.0
    assert summary["rejected"] == 1
    assert summary["avg_accept_hours"] == 2.0  # both accepted two hours after filing
    by_status = dict(stats["by_status"])
    assert by_status["Выполнено"] == 2 and by_status["Отклонено"] == 1
    assert by_status["Открыто"] == 1
    topics = {row["label"].split(" / ")[-1]: row["total"] for row in stats["by_topic"]}
    assert topics["Слабый напор воды"] == 1 and sum(topics.values()) == 4
    assert [row["total"] for row in stats["by_building"]] == [4]
    assert [(row["label"], row["total"]) for row in stats["by_period"]] == [("03.03.2026", 4)]
    body = response.content.decode()
    assert "50.0%" in body or "50,0%" in body


@pytest.mark.req("R18")
def test_statistics_export_to_xlsx(client_of, file_request, uo_dispatcher):
    _stats_setup(file_request, uo_dispatcher)
    response = client_of(uo_dispatcher).get(
        reverse("servicedesk:staff_stats_xlsx"),
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Сводка",
        "По статусам",
        "По темам",
        "По домам",
        "По периодам",
        "По организациям",
    ]
    summary = {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True)}
    assert summary["Всего заявок"] == 4
    assert summary["Доля выполненных в срок, %"] == 50
    periods = list(book["По периодам"].iter_rows(values_only=True))
    assert periods[1][:2] == ("03.2026", 4)  # a year: by month


@pytest.mark.req("R18")
@pytest.mark.req("S2")
def test_statistics_refuse_a_bad_period_and_people_without_an_organisation(
    client_of, uo_dispatcher, anna
):
    client = client_of(uo_dispatcher)
    bad = client.get(
        reverse("servicedesk:staff_stats"), {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert bad.status_code == 400 and "Конец периода раньше начала" in bad.content.decode()
    assert client_of(anna).get(reverse("servicedesk:staff_stats")).status_code == 403
    assert client_of(anna).get(reverse("servicedesk:staff_stats_xlsx")).status_code == 403


@pytest.mark.req("R18")
def test_another_organisation_sees_none_of_these_numbers(
    client_of, file_request, uo_dispatcher, other_uo_dispatcher
):
    _stats_setup(file_request, uo_dispatcher)
    response = client_of(other_uo_dispatcher).get(
        reverse("servicedesk:staff_stats"), {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )
    assert response.context["stats"]["summary"]["total"] == 0
