"""Reading an organisation's working hours as organisations write them (R15).

``parse_hours(text)`` turns the «время работы» of an organisation's card into data — office
hours per weekday with their breaks, and a separate duty (emergency) service — or raises
``WorkingHoursError`` naming the part it could not read. The arithmetic of deadlines on that
data stays in ``core.worktime`` (the one calendar module).

Understood (case-insensitive, «ё» = «е», any of - – — between values):

- segments separated by «;», new lines, or commas / full stops between day groups:
  «пн–чт 8:00–17:00; пт 8:00–16:00», «пн-пт 9-18, сб 10-14»;
- days: пн вт ср чт пт сб вс (with or without a dot), понедельник … воскресенье, their
  three-letter forms, ranges «пн–чт», lists «пн, ср» / «пн и ср», groups «будни»,
  «рабочие дни», «ежедневно», «без выходных»;
- times «8:00», «8.00», «8»; ranges «8:00–17:00» or «с 8:00 до 17:00»; «24:00» as an end;
- breaks «перерыв 12:00–13:00», «обед 12–13» for every day, or inside a day group for those
  days («пт 8–16, обед 12–12:30»); «без перерыва»; without either, the usual lunch hour
  13:00–14:00 is assumed on days it fits in (Labour Code art. 108: a day over 4 hours has a
  break) and shown as assumed;
- «сб, вс выходной» (also «выходные», «не работает»);
- round the clock: «аварийная служба круглосуточно» (any segment naming a service — аварийная,
  диспетчерская, дежурная, АДС — is the duty schedule, also with hours: «диспетчерская служба
  пн–пт 17–24»); a bare «круглосуточно» / «24/7» next to office hours is a duty service too;
  alone, it means the organisation itself works round the clock, every day.

Refused, with the part named: unknown words, a day given twice, hours without days, a range
through midnight («20:00–8:00»: write it as two ranges or «круглосуточно»), an empty range, a
break outside the hours of a day it was given for or overlapping another, a card with no
office hours at all.
"""

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

END_OF_DAY = dt.time.max  # «24:00»
Interval = tuple[dt.time, dt.time]
ALL_WEEK = tuple(range(7))
DEFAULT_LUNCH: Interval = (dt.time(13), dt.time(14))

_WEEKDAYS = {
    "пн": 0, "пон": 0, "понед": 0, "понедельник": 0,
    "вт": 1, "втр": 1, "вторник": 1,
    "ср": 2, "срд": 2, "сре": 2, "среда": 2,
    "чт": 3, "чтв": 3, "чет": 3, "четв": 3, "четверг": 3,
    "пт": 4, "птн": 4, "пят": 4, "пятн": 4, "пятница": 4,
    "сб": 5, "суб": 5, "субб": 5, "суббота": 5,
    "вс": 6, "вск": 6, "вос": 6, "воскр": 6, "воскресенье": 6,
}  # fmt: skip
_DAY_GROUPS = {
    "будни": range(0, 5),
    "будние дни": range(0, 5),
    "рабочие дни": range(0, 5),
    "ежедневно": ALL_WEEK,
    "каждый день": ALL_WEEK,
    "без выходных": ALL_WEEK,
    "без выходных дней": ALL_WEEK,
}
_DUTY_STEMS = ("авари", "диспетчер", "дежур", "служб", "адс", "бригад")

_T = r"(\d{1,2})(?:[:.](\d{2}))?"
_TOKEN_RE = re.compile(
    r"(?P<r24>24\s*/\s*7|круглосуточн[а-я]*|24\s*часа)"
    rf"|(?P<range>{_T}\s*-\s*{_T})"
    r"|(?P<nobreak>без\s+(?:перерыв[а-я]*|обеда?)(?:\s+на\s+обед)?)"
    r"|(?P<brk>(?:технический\s+)?(?:перерыв[а-я]*|обед[а-я]*)(?:\s+на\s+обед)?)"
    r"|(?P<off>выходн[а-я]*(?:\s+дн[а-я]*)?|не\s+работа[а-я]*|закрыто)"
    r"|(?P<group>" + "|".join(sorted(map(re.escape, _DAY_GROUPS), key=len, reverse=True)) + r")"
    r"|(?P<sep>[,:()]|\bи\b)"
    r"|(?P<word>[а-яa-z]+\.?)"
    r"|(?P<dash>-)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)"
)
_RANGE_RE = re.compile(rf"{_T}\s*-\s*{_T}")
_FROM_TO_RE = re.compile(rf"(?<![а-я])с\s*{_T}\s*до\s*{_T}")
# «, » or «. » after a time and before a new day group; a break keeps to its day group.
_SEGMENT_BREAK_RE = re.compile(
    r"(?<=\d)\s*(?:[,.]\s+|,)(?!\s*(?:перерыв|обед|технический|без))(?=[^\d\s])",
    re.IGNORECASE,
)
_DAY_NAMES = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


class WorkingHoursError(ValueError):
    """The text cannot be read; ``part`` is the piece that failed, ``reason`` why."""

    def __init__(self, part: str, reason: str):
        self.part, self.reason = part, reason
        super().__init__(
            _("Не удалось разобрать время работы в части «%(part)s»: %(reason)s")
            % {"part": part, "reason": reason}
            if part
            else reason
        )


@dataclass(frozen=True)
class DayHours:
    start: dt.time
    end: dt.time  # END_OF_DAY for «24:00»
    breaks: tuple[Interval, ...] = ()
    break_assumed: bool = False  # the lunch hour nobody wrote (Labour Code art. 108)

    @property
    def intervals(self) -> tuple[Interval, ...]:
        result, cursor = [], self.start
        for begin, finish in self.breaks:
            result.append((cursor, begin))
            cursor = finish
        result.append((cursor, self.end))
        return tuple(result)

    @property
    def round_the_clock(self) -> bool:
        return self.start == dt.time(0) and self.end == END_OF_DAY and not self.breaks


@dataclass(frozen=True)
class WorkingHours:
    """Office hours per weekday (0 = Monday; absent = day off) and the duty service.

    ``office_every_day``: the organisation itself works round the clock, holidays included.
    ``duty`` is empty when the card names no duty service; a duty service works on holidays."""

    office: tuple[tuple[int, DayHours], ...]
    duty: tuple[tuple[int, DayHours], ...] = ()
    duty_name: str = ""
    office_every_day: bool = False

    def office_day(self, weekday: int) -> DayHours | None:
        return dict(self.office).get(weekday)

    def duty_day(self, weekday: int) -> DayHours | None:
        return dict(self.duty).get(weekday)

    @property
    def duty_round_the_clock(self) -> bool:
        days = dict(self.duty)
        return len(days) == 7 and all(d.round_the_clock for d in days.values())


def format_time(value: dt.time) -> str:
    return "24:00" if value == END_OF_DAY else value.strftime("%H:%M")


def format_interval(interval: Interval) -> str:
    return f"{format_time(interval[0])}–{format_time(interval[1])}"


def _time(hour: str, minute: str | None, *, part: str) -> dt.time:
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0:
        return END_OF_DAY
    if not (0 <= h <= 23 and 0 <= m <= 59):
        shown = f"{hour}:{minute}" if minute else hour
        raise WorkingHoursError(part, _("время «%(time)s» вне суток") % {"time": shown})
    return dt.time(h, m)


def _interval(groups, *, part: str) -> Interval:
    start = _time(groups[0], groups[1], part=part)
    end = _time(groups[2], groups[3], part=part)
    if start == END_OF_DAY:
        raise WorkingHoursError(part, _("интервал не может начинаться в 24:00"))
    shown = format_interval((start, end))
    if end == start:
        raise WorkingHoursError(part, _("пустой интервал «%(range)s»") % {"range": shown})
    if end < start:
        raise WorkingHoursError(
            part,
            _(
                "интервал «%(range)s» переходит через полночь: разделите его на два "
                "(«%(evening)s» и «%(morning)s» следующего дня) или напишите «круглосуточно»"
            )
            % {
                "range": shown,
                "evening": format_interval((start, END_OF_DAY)),
                "morning": format_interval((dt.time(0), end)),
            },
        )
    return start, end


def _day(word: str) -> int | None:
    return _WEEKDAYS.get(word.rstrip("."))


def _split(text: str) -> list[tuple[str, bool]]:
    """Segments: by «;» and new lines, then by «,» or «. » where a new day group starts after a
    time («пн–чт 8–17, пт 8–16»; not inside a list of days «пн, ср 9–18»). Each with whether it
    continues the previous one's chunk (a duty service's hours go on: «диспетчерская служба
    пн–пт 17–24, сб, вс 0–24»)."""
    result = []
    for chunk in re.split(r"[;\n]+", text):
        parts = [p.strip().strip(".").strip() for p in _SEGMENT_BREAK_RE.split(chunk)]
        result.extend((p, i > 0) for i, p in enumerate(q for q in parts if q))
    return result


def _normalise(segment: str) -> str:
    text = segment.lower().replace("ё", "е").replace("\xa0", " ")
    text = re.sub(r"[‐‑‒–—―−]", "-", text)
    return _FROM_TO_RE.sub(lambda m: f"{m[1]}:{m[2] or '00'}-{m[3]}:{m[4] or '00'}", text)


class _Reader:
    def __init__(self):
        self.office: dict[int, Interval] = {}
        self.duty: dict[int, Interval] = {}
        self.days_off: set[int] = set()
        self.breaks_all: list[Interval] = []
        self.breaks_of: dict[int, list[Interval]] = {}
        self.no_break = False
        self.bare_round_the_clock = False
        self.duty_names: list[str] = []
        self.part = ""

    def fail(self, reason):
        raise WorkingHoursError(self.part, reason)

    def _assign(self, target, days, interval):
        for day in dict.fromkeys(days):
            if day in target or (target is self.office and day in self.days_off):
                self.fail(_("день «%(day)s» указан дважды") % {"day": _DAY_NAMES[day]})
            target[day] = interval

    def segment(self, original: str, *, still_duty: bool = False):
        """Read one segment; ``still_duty``: it continues a duty service's segment."""
        self.part = original
        text = _normalise(original)
        pending: list[int] = []
        range_from: int | None = None  # a day followed by a dash: the start of a day range
        last_days: list[int] = []  # days that got hours in this segment (a break's scope)
        expect_break, duty = False, still_duty
        name_span = None  # where the duty service's name is in the segment
        for match in _TOKEN_RE.finditer(text):
            kind, value = match.lastgroup, match.group()
            if kind == "space":
                continue
            if kind == "dash":
                range_from = pending[-1] if pending and range_from is None else None
                continue
            if kind == "word":
                day = _day(value)
                if day is None and "-" not in value and value.rstrip(".").startswith(_DUTY_STEMS):
                    duty = True
                    name_span = (name_span or match.span())[:1] + match.span()[1:]
                    continue
                if day is None:
                    self.fail(_("непонятное слово «%(word)s»") % {"word": value})
                if range_from is not None:
                    if day < range_from:
                        self.fail(
                            _("дни «%(first)s–%(last)s» идут в обратном порядке")
                            % {"first": _DAY_NAMES[range_from], "last": _DAY_NAMES[day]}
                        )
                    pending.extend(range(range_from + 1, day + 1))
                    range_from = None
                else:
                    pending.append(day)
                continue
            range_from = None
            if kind == "group":
                pending.extend(_DAY_GROUPS[value])
            elif kind == "sep":
                continue
            elif kind == "nobreak":
                self.no_break = True
            elif kind == "brk":
                expect_break = True
            elif kind == "range":
                interval = _interval(_RANGE_RE.fullmatch(value).groups(), part=original)
                if expect_break:
                    expect_break = False
                    scope = pending or last_days
                    pending = []
                    if scope:
                        for day in scope:
                            self.breaks_of.setdefault(day, []).append(interval)
                    else:
                        self.breaks_all.append(interval)
                    continue
                if not pending and not duty:
                    self.fail(
                        _("не указаны дни недели для «%(range)s»")
                        % {"range": format_interval(interval)}
                    )
                days = pending or list(ALL_WEEK)
                self._assign(self.duty if duty else self.office, days, interval)
                last_days, pending = days, []
            elif kind == "r24":
                days = pending or list(ALL_WEEK)
                if duty:
                    self._assign(self.duty, days, (dt.time(0), END_OF_DAY))
                elif pending and len(set(pending)) < 7:
                    self._assign(self.office, pending, (dt.time(0), END_OF_DAY))
                else:
                    if self.bare_round_the_clock:
                        self.fail(_("«круглосуточно» указано дважды"))
                    self.bare_round_the_clock = True
                last_days, pending = days, []
            elif kind == "off":
                if not pending:
                    self.fail(_("не указано, какие дни выходные"))
                for day in pending:
                    if day in self.office or day in self.days_off:
                        self.fail(_("день «%(day)s» указан дважды") % {"day": _DAY_NAMES[day]})
                    self.days_off.add(day)
                pending = []
            else:  # "other"
                self.fail(_("непонятный знак «%(char)s»") % {"char": value})
        if expect_break:
            self.fail(_("не указано время перерыва"))
        if name_span:
            self.duty_names.append(original[name_span[0] : name_span[1]].rstrip("."))
        if pending:
            self.fail(
                _("для дней «%(days)s» не указано время")
                % {"days": ", ".join(_DAY_NAMES[d] for d in dict.fromkeys(pending))}
            )
        return duty

    def _day_hours(self, day, interval) -> DayHours:
        start, end = interval
        own = self.breaks_of.get(day)
        breaks = []
        for b_start, b_end in own or self.breaks_all:
            if start < b_start and b_end < end:
                breaks.append((b_start, b_end))
            elif own or (b_start < end and start < b_end):  # partly outside the day
                self.fail(
                    _("перерыв %(brk)s выходит за часы работы %(hours)s в «%(day)s»")
                    % {
                        "brk": format_interval((b_start, b_end)),
                        "hours": format_interval(interval),
                        "day": _DAY_NAMES[day],
                    }
                )
        breaks.sort()
        for (_s1, e1), (s2, _e2) in zip(breaks, breaks[1:], strict=False):
            if s2 < e1:
                self.fail(_("перерывы пересекаются в «%(day)s»") % {"day": _DAY_NAMES[day]})
        assumed = False
        if not breaks and not own and not self.breaks_all and not self.no_break:
            if start < DEFAULT_LUNCH[0] and DEFAULT_LUNCH[1] < end:
                breaks, assumed = [DEFAULT_LUNCH], True
        return DayHours(start, end, tuple(breaks), assumed)

    def result(self, text: str) -> WorkingHours:
        self.part = text.strip()
        for day in self.breaks_of:
            if day not in self.office:
                self.fail(
                    _("перерыв указан для дня «%(day)s» без часов работы")
                    % {"day": _DAY_NAMES[day]}
                )
        full_day = DayHours(dt.time(0), END_OF_DAY)
        duty = {d: DayHours(*i) for d, i in self.duty.items()}
        duty_name = "; ".join(self.duty_names)
        every_day = False
        if self.bare_round_the_clock:
            if self.office or self.duty:
                if self.duty:
                    self.fail(_("дежурная служба указана дважды"))
                duty = dict.fromkeys(ALL_WEEK, full_day)
            else:
                every_day = True
        if not self.office and not every_day:
            self.fail(_("не указаны часы работы организации"))
        office = (
            dict.fromkeys(ALL_WEEK, full_day)
            if every_day
            else {d: self._day_hours(d, i) for d, i in self.office.items()}
        )
        for brk in self.breaks_all:
            if not any(brk in day.breaks for day in office.values()):
                self.fail(
                    _("перерыв %(brk)s не приходится ни на один рабочий день")
                    % {"brk": format_interval(brk)}
                )
        return WorkingHours(
            office=tuple(sorted(office.items())),
            duty=tuple(sorted(duty.items())),
            duty_name=duty_name,
            office_every_day=every_day,
        )


@lru_cache(maxsize=256)
def parse_hours(text: str) -> WorkingHours:
    """Read the working hours of an organisation's card; ``WorkingHoursError`` if it cannot."""
    if not text or not text.strip():
        raise WorkingHoursError("", _("Укажите время работы"))
    reader = _Reader()
    duty = False
    for segment, continues in _split(text):
        duty = reader.segment(segment, still_duty=duty and continues)
    return reader.result(text)
