"""The statistics page with its charts (R18) at desktop and phone width, for the control body
(screenshots in var/screenshots/ for a person to look at); the charts draw without a CSP
violation (no inline script: data in json_script, drawing in a static file)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from domovoy.servicedesk import statistics
from tests.servicedesk.helpers import act

from .test_service_desk_pages import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.req("R18")
def test_the_statistics_page_draws_its_charts(
    page, live_server, shot, file_request, uo_dispatcher, rso_dispatcher, controller, anna
):
    today = timezone.localdate()
    start = today - dt.timedelta(days=20)
    for n in range(21):
        day = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=n), dt.time(9)))
        with time_machine.travel(day, tick=False):
            door = file_request(text=f"Сломан доводчик <b>{n}</b>")
            water = file_request("water-no-hot", "Нет горячей воды")
        if n % 3 == 0:
            continue
        with time_machine.travel(day + dt.timedelta(hours=1 + n % 5), tick=False):
            act(door, "accept", uo_dispatcher, comment="Принята")
            act(water, "accept", rso_dispatcher, comment="Принята")
        with time_machine.travel(day + dt.timedelta(hours=6 + n), tick=False):
            act(door, "start", uo_dispatcher, comment="В работе")
            act(door, "complete", uo_dispatcher, report="Готово", comment="Готово")
            act(door, "confirm", anna)
            if n % 4 == 0:
                act(water, "return_to_uo", rso_dispatcher, return_reason="outside_zone",
                    reason="Не наше")  # fmt: skip
    statistics.refresh_rollups()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, controller)
    query = f"?date_from={start:%Y-%m-%d}&date_to={today:%Y-%m-%d}"
    response = page.goto(live_server.url + "/requests/stats/" + query)
    assert response.status == 200
    page.get_by_text("Медиана времени по организациям").wait_for()
    page.wait_for_function(
        "Chart.getChart('stats-chart-period') && Chart.getChart('stats-chart-orgs')"
    )
    shot(page, "sd-stats-charts")
    assert not errors, errors
    assert "<b>" not in page.inner_text("main")
