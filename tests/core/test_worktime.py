import datetime as dt

import pytest

from domovoy.core import worktime
from domovoy.core.models import CalendarOverride

pytestmark = pytest.mark.req("R15")


@pytest.mark.django_db
def test_new_year_holidays_and_the_transferred_day_off_are_skipped():
    # 2026-01-09 (Friday) is a day off transferred from 3 January.
    assert not worktime.is_working_day(dt.date(2026, 1, 9))
    assert worktime.add_working_days(dt.date(2025, 12, 30), 1) == dt.date(2026, 1, 12)
    # 31 December 2026 is a transferred day off too.
    assert worktime.add_working_days(dt.date(2026, 12, 30), 1) == dt.date(2027, 1, 11)


@pytest.mark.django_db
def test_an_operator_override_wins_over_the_package():
    CalendarOverride.objects.create(date=dt.date(2026, 12, 30), is_working=False, comment="test")
    assert not worktime.is_working_day(dt.date(2026, 12, 30))
    CalendarOverride.objects.create(date=dt.date(2026, 12, 26), is_working=True)
    assert worktime.is_working_day(dt.date(2026, 12, 26))  # a Saturday made working


@pytest.mark.django_db
def test_belarus_calendar_is_available():
    assert not worktime.is_working_day(dt.date(2026, 7, 3), country="BY")  # Independence Day
    assert worktime.working_days_between(dt.date(2026, 11, 23), dt.date(2026, 11, 27)) == 4
