"""Reading organisations' working hours as they write them (R15, issue 11)."""

import datetime as dt

import pytest

from domovoy.core.hours_text import (
    DEFAULT_LUNCH,
    END_OF_DAY,
    WorkingHoursError,
    format_interval,
    parse_hours,
)

pytestmark = pytest.mark.req("R15")

DEMO = "пн–чт 8:00–17:00; пт 8:00–16:00; аварийная служба круглосуточно"


def week(text):
    """{weekday: "HH:MM–HH:MM / breaks"} of the office hours."""
    hours = parse_hours(text)
    return {
        d: format_interval((h.start, h.end)) + "".join(f" / {format_interval(b)}" for b in h.breaks)
        for d, h in hours.office
    }


def refusal(text):
    with pytest.raises(WorkingHoursError) as caught:
        parse_hours(text)
    return caught.value


def test_it_reads_the_demo_organisations_hours_with_the_duty_service_apart():
    hours = parse_hours(DEMO)
    assert week(DEMO) == {
        0: "08:00–17:00 / 13:00–14:00",
        1: "08:00–17:00 / 13:00–14:00",
        2: "08:00–17:00 / 13:00–14:00",
        3: "08:00–17:00 / 13:00–14:00",
        4: "08:00–16:00 / 13:00–14:00",
    }
    assert hours.office_day(5) is None and hours.office_day(6) is None
    assert hours.office_day(0).break_assumed  # nobody wrote the lunch hour
    assert hours.duty_name == "аварийная служба"
    assert hours.duty_round_the_clock
    assert not hours.office_every_day


@pytest.mark.parametrize(
    "text",
    [
        "Пн-Пт 9-18, обед 13-14, сб, вс выходной",
        "пн–пт 9.00–18.00; перерыв 13:00–14:00; сб, вс выходной",
        "Понедельник - пятница: с 9:00 до 18:00, перерыв 13-14. "
        "Суббота, воскресенье - выходные дни.",
        "будни 9:00—18:00\nобед 13:00—14:00",
        "пн., вт., ср., чт., пт. 9-18; перерыв на обед 13-14",
        "пн, вт, ср, чт и пт 09:00 – 18:00; обед 13:00 – 14:00",
    ],
)
def test_it_reads_the_ways_organisations_write_a_five_day_week(text):
    assert week(text) == dict.fromkeys(range(5), "09:00–18:00 / 13:00–14:00")


def test_breaks_belong_to_their_day_group_and_can_be_switched_off():
    text = "пн–чт 8:00–17:00, пт 8:00–16:00, обед 12–12:30"
    assert week(text)[3] == "08:00–17:00 / 13:00–14:00"  # the usual lunch hour, assumed
    assert week(text)[4] == "08:00–16:00 / 12:00–12:30"
    assert week("будни 10:00–16:00; без перерыва")[0] == "10:00–16:00"
    # A short Saturday is outside the common break: it simply has none.
    assert week("пн-пт 9-18; сб 10-12; перерыв 13-14")[5] == "10:00–12:00"
    assert week("пн, ср 9-18; вт, чт 12-20 перерыв 15-16")[1] == "12:00–20:00 / 15:00–16:00"


def test_round_the_clock_alone_is_the_organisation_working_every_day():
    for text in ("круглосуточно", "24/7", "Ежедневно, круглосуточно"):
        hours = parse_hours(text)
        assert hours.office_every_day, text
        assert [d for d, _ in hours.office] == list(range(7))
        assert hours.office_day(6).end == END_OF_DAY
        assert not hours.duty


def test_a_bare_round_the_clock_next_to_office_hours_is_a_duty_service():
    hours = parse_hours("пн-пт 9-18; 24/7")
    assert week("пн-пт 9-18; 24/7")[0] == "09:00–18:00 / 13:00–14:00"
    assert hours.duty_round_the_clock and hours.duty_name == ""
    named = parse_hours("пн-пт 9:00-18:00; аварийно-диспетчерская служба — круглосуточно")
    assert named.duty_name == "аварийно-диспетчерская служба"
    evening = parse_hours("пн-пт 8-17; диспетчерская служба пн-пт 17:00-24:00, сб, вс 0-24")
    assert evening.duty_day(0).start == dt.time(17) and evening.duty_day(0).end == END_OF_DAY
    assert evening.duty_day(6).round_the_clock and not evening.duty_round_the_clock


@pytest.mark.parametrize(
    ("text", "part", "reason"),
    [
        ("пн - чт 9:00-18:00; пн 9:00-17:00", "пн 9:00-17:00", "день «пн» указан дважды"),
        ("пн-пт 9–18, пт 9-17", "пт 9-17", "день «пт» указан дважды"),
        ("пн-пт 9-18; пт выходной", "пт выходной", "день «пт» указан дважды"),
        ("пн-пт 20:00-8:00", "пн-пт 20:00-8:00", "переходит через полночь"),
        ("пн-пт 9:00-9:00", "пн-пт 9:00-9:00", "пустой интервал «09:00–09:00»"),
        ("пн-пт 25:00-26:00", "пн-пт 25:00-26:00", "время «25:00» вне суток"),
        ("пн-пт 9-18 приём граждан", "пн-пт 9-18 приём граждан", "непонятное слово «прием»"),
        ("9-18", "9-18", "не указаны дни недели"),
        ("пт-пн 9-18", "пт-пн 9-18", "в обратном порядке"),
        ("пн-пт", "пн-пт", "для дней «пн, вт, ср, чт, пт» не указано время"),
        ("сб, вс выходной", "сб, вс выходной", "не указаны часы работы организации"),
        ("пн-пт 9-18; перерыв", "перерыв", "не указано время перерыва"),
        ("пн-пт 9-18; перерыв 19-20", "пн-пт 9-18; перерыв 19-20", "не приходится ни на один"),
        ("пн-пт 9-18, обед 17-19", "пн-пт 9-18, обед 17-19", "выходит за часы работы"),
        (
            "пн-пт 9-18 перерыв 12-14 обед 13-15",
            "пн-пт 9-18 перерыв 12-14 обед 13-15",
            "пересекаются",
        ),
        ("пн-пт 9-18; 24/7; круглосуточно", "круглосуточно", "указано дважды"),
        ("пн-пт 9-18 #", "пн-пт 9-18 #", "непонятный знак «#»"),
    ],
)
def test_it_refuses_what_it_cannot_read_naming_the_part(text, part, reason):
    error = refusal(text)
    assert error.part == part
    assert reason in error.reason
    assert str(error).startswith(f"Не удалось разобрать время работы в части «{part}»")


def test_empty_hours_are_refused():
    for text in ("", "   ", ";"):
        error = refusal(text)
        assert "время работы" in str(error).lower()


def test_the_usual_lunch_hour_is_assumed_only_where_it_fits():
    assert parse_hours("пн-пт 8-12").office_day(0).breaks == ()
    assert parse_hours("пн-пт 9-18").office_day(0).breaks == (DEFAULT_LUNCH,)


def test_the_example_on_the_card_form_is_read():
    from domovoy.directory.forms import OrganizationCardForm

    help_text = str(OrganizationCardForm().fields["working_hours"].help_text)
    example = help_text.split("«", 1)[1].split("»", 1)[0]
    assert week(example)[4] == "08:00–16:00 / 12:00–13:00"
    assert parse_hours(example).duty_round_the_clock
