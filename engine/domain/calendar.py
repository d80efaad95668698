"""Business calendars: working hours, public holidays, company closing days, SLA durations.

Working hours are local wall-clock intervals in the calendar's IANA zone; working time is the real
time that elapses inside them. A 08:00-17:00 day is therefore nine hours on DST change days too
(the change happens at night), while an interval that spans the change is one hour shorter or longer.
Every function takes timezone-aware datetimes only (ValueError otherwise) and returns UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

Interval = tuple[time, time]
DayHours = tuple[Interval, ...]

# As an interval end, 00:00 means midnight at the end of the day ("24:00").
END_OF_DAY = time(0)
_ONE_DAY = timedelta(days=1)
# Stops the day-by-day search on calendars that (nearly) never open instead of looping forever.
_MAX_IDLE_DAYS = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    """When an SLA clock runs.

    ``hours`` has seven entries, Monday first, each a tuple of ``(start, end)`` local times
    (sorted, not overlapping; an end of ``time(0)`` means 24:00). Public holidays come from the
    ``holidays`` package (``country`` such as "DE", optional ``subdivision`` such as "NW");
    ``closing_days`` are extra company holidays. ``always_open`` makes every moment working time
    (24/7 channels such as social media); hours, holidays and closing days are then ignored.
    """

    timezone: str
    hours: tuple[DayHours, ...] = ()
    country: str | None = None
    subdivision: str | None = None
    closing_days: frozenset[date] = frozenset()
    always_open: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        object.__setattr__(self, "hours", tuple(tuple(day) for day in self.hours))
        object.__setattr__(self, "closing_days", frozenset(self.closing_days))
        if self.subdivision and not self.country:
            raise ValueError("a holiday subdivision needs a country")
        if self.country:
            try:
                holidays.country_holidays(self.country, subdiv=self.subdivision)
            except NotImplementedError as exc:
                raise ValueError(str(exc)) from exc
        if self.always_open:
            return
        if len(self.hours) != 7:
            raise ValueError("hours needs seven entries, Monday first")
        for day in self.hours:
            _check_day(day)
        if not any(self.hours):
            raise ValueError("a calendar without working hours never opens; use always_open")

    @classmethod
    def office(
        cls,
        timezone: str,
        hours: str | DayHours = "08:00-17:00",
        weekdays: Iterable[int] = (0, 1, 2, 3, 4),
        country: str | None = None,
        subdivision: str | None = None,
        closing_days: Iterable[date] = (),
    ) -> BusinessCalendar:
        """The same ``hours`` (e.g. ``"08:00-12:00, 13:00-17:00"``) on each of ``weekdays`` (0=Monday)."""
        day = parse_hours(hours) if isinstance(hours, str) else tuple(hours)
        open_days = set(weekdays)
        week = tuple(day if weekday in open_days else () for weekday in range(7))
        return cls(timezone, week, country, subdivision, frozenset(closing_days))

    @classmethod
    def round_the_clock(cls, timezone: str = "UTC") -> BusinessCalendar:
        """A 24/7 calendar: calendar time, no holidays."""
        return cls(timezone, always_open=True)


def _minutes(moment: time, is_end: bool) -> timedelta:
    if is_end and moment == END_OF_DAY:
        return _ONE_DAY
    return timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second)


def _check_day(day: DayHours) -> None:
    previous_end = timedelta(0)
    for start, end in day:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("working hours are local wall times without tzinfo")
        begin, finish = _minutes(start, False), _minutes(end, True)
        if begin >= finish:
            raise ValueError(f"working interval {start}-{end} is empty")
        if begin < previous_end:
            raise ValueError(f"working interval {start}-{end} overlaps or is out of order")
        previous_end = finish


def parse_hours(spec: str) -> DayHours:
    """Parse ``"08:00-12:00, 13:00-17:00"`` into intervals; ``24:00`` is accepted as an end."""
    intervals = []
    for part in spec.split(","):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", part)
        if not match:
            raise ValueError(f"cannot read working hours {part.strip()!r}; expected HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(group) for group in match.groups())
        end = END_OF_DAY if (h2, m2) == (24, 0) else time(h2, m2)
        intervals.append((time(h1, m1), end))
    day = tuple(intervals)
    _check_day(day)
    return day


def _aware(moment: datetime, name: str = "datetime") -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def is_working_day(calendar: BusinessCalendar, day: date) -> bool:
    """Whether ``day`` (a local date) has working hours and is neither a holiday nor a closing day."""
    if calendar.always_open:
        return True
    if not calendar.hours[day.weekday()] or day in calendar.closing_days:
        return False
    return not (calendar.country and day in _holiday_dates(calendar.country, calendar.subdivision, day.year))


def _day_intervals(calendar: BusinessCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The working intervals of a local date as UTC instants, in order."""
    if not is_working_day(calendar, day):
        return []
    zone = ZoneInfo(calendar.timezone)
    result = []
    for start, end in calendar.hours[day.weekday()]:
        # Wall times inside a DST gap resolve (fold=0) to the earlier offset, i.e. shift forward.
        begin = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
        end_day = day + _ONE_DAY if end == END_OF_DAY else day
        finish = datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)
        if finish > begin:
            result.append((begin, finish))
    return result


def _intervals_from(calendar: BusinessCalendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals (UTC) that end after ``start``, clipped to begin no earlier than it."""
    # Intervals never cross local midnight, so earlier dates cannot contain ``start``.
    day = start.astimezone(ZoneInfo(calendar.timezone)).date()
    idle = 0
    while idle < _MAX_IDLE_DAYS:
        intervals = [(max(a, start), b) for a, b in _day_intervals(calendar, day) if b > start]
        idle = 0 if intervals else idle + 1
        yield from intervals
        day += _ONE_DAY
    raise ValueError(f"calendar has no working time for {_MAX_IDLE_DAYS} days after {start.isoformat()}")


def is_working_time(calendar: BusinessCalendar, moment: datetime) -> bool:
    """Whether ``moment`` lies inside working hours (start inclusive, end exclusive)."""
    moment = _aware(moment, "moment").astimezone(UTC)
    if calendar.always_open:
        return True
    day = moment.astimezone(ZoneInfo(calendar.timezone)).date()
    return any(a <= moment < b for a, b in _day_intervals(calendar, day))


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The moment when ``duration`` of working time has elapsed after ``start`` (e.g. 8 working hours).

    A result that exactly fills an interval is that interval's end (17:00, not 08:00 next morning);
    a zero duration returns ``start`` itself, even outside working hours.
    """
    start = _aware(start, "start").astimezone(UTC)
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    if calendar.always_open or not duration:
        return start + duration
    remaining = duration
    for begin, end in _intervals_from(calendar, start):
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable: _intervals_from raises when it runs dry")


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time between two moments; negative when ``end`` is before ``start``."""
    start = _aware(start, "start").astimezone(UTC)
    end = _aware(end, "end").astimezone(UTC)
    if end < start:
        return -business_time_between(calendar, end, start)
    if calendar.always_open:
        return end - start
    total = timedelta(0)
    for begin, finish in _intervals_from(calendar, start):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total


def close_of_business(calendar: BusinessCalendar, day: date) -> datetime:
    """When work ends on the local date ``day`` (UTC): the end of its last working interval.

    A date without working hours (weekend, holiday, closing day) falls back to the close of the working
    day before it: "needed by Saturday" means by Friday evening, when someone is still there to answer.
    A 24/7 calendar closes at local midnight at the end of ``day``.
    """
    if calendar.always_open:
        return datetime.combine(day + _ONE_DAY, time(0), tzinfo=ZoneInfo(calendar.timezone)).astimezone(UTC)
    for _ in range(_MAX_IDLE_DAYS):
        intervals = _day_intervals(calendar, day)
        if intervals:
            return intervals[-1][1]
        day -= _ONE_DAY
    raise ValueError(f"calendar has no working day in the {_MAX_IDLE_DAYS} days before {day.isoformat()}")


def _on_local_date(calendar: BusinessCalendar, start: datetime, day: date) -> datetime:
    local = start.astimezone(ZoneInfo(calendar.timezone))
    # replace() keeps the wall time; a time in a DST gap comes out shifted forward by the gap.
    return local.replace(year=day.year, month=day.month, day=day.day).astimezone(UTC)


def add_business_days(calendar: BusinessCalendar, start: datetime, days: int) -> datetime:
    """The same local wall time as ``start`` on the ``days``-th working day after ``start``'s local date.

    Counting starts on the following date whatever the time of day or kind of day ``start`` is:
    Saturday 10:00 + 5 business days is Friday 10:00 (no holidays in that week). The result may lie
    outside working hours (a complaint mailed at 22:00 is due at 22:00). ``days=0`` returns ``start``.
    """
    start = _aware(start, "start").astimezone(UTC)
    if days < 0:
        raise ValueError("days must not be negative")
    day = start.astimezone(ZoneInfo(calendar.timezone)).date()
    counted = idle = 0
    while counted < days:
        day += _ONE_DAY
        if is_working_day(calendar, day):
            counted, idle = counted + 1, 0
        else:
            idle += 1
            if idle > _MAX_IDLE_DAYS:
                raise ValueError(f"calendar has no working day for {_MAX_IDLE_DAYS} days")
    return _on_local_date(calendar, start, day)


@dataclass(frozen=True)
class SlaDuration:
    """An SLA target: an exact ``timedelta`` or a number of whole days, in business or calendar time."""

    amount: timedelta | int
    business: bool

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int | timedelta):
            raise ValueError("amount must be a timedelta or a whole number of days")
        negative = self.amount < 0 if isinstance(self.amount, int) else self.amount < timedelta(0)
        if negative:
            raise ValueError("an SLA duration must not be negative")


_WORDS = re.compile(r"(\d+)\s+(?:(business|working|calendar)\s+)?(minute|hour|day)s?")
_ISO = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")


def parse_sla_duration(spec: str, business: bool = False) -> SlaDuration:
    """Read ``"5 business days"``, ``"8 working hours"``, ``"3 calendar days"``, ``"PT4H"``, ``"P5D"``.

    Words: ``<n> [business|working|calendar] minute(s)|hour(s)|day(s)``. ISO 8601: weeks, days, hours,
    minutes, seconds (no years or months, their length varies). Day-only specs (``P5D``, ``P1W``,
    ``"2 days"``) give whole days (``int``); anything with a time part gives a ``timedelta`` (``P1DT2H``
    is 26 hours). ``business`` is the mode when the spec does not name one (ISO never does).
    """
    text = spec.strip()
    words = _WORDS.fullmatch(text.lower())
    if words:
        count, mode, unit = int(words[1]), words[2], words[3]
        is_business = business if mode is None else mode != "calendar"
        if unit == "day":
            return SlaDuration(count, is_business)
        return SlaDuration(timedelta(**{unit + "s": count}), is_business)
    iso = _ISO.fullmatch(text.upper())
    if not iso or text.upper() in ("P", "PT") or text.upper().endswith("T"):
        raise ValueError(f"cannot read SLA duration {spec!r}; try '5 business days', '8 working hours' or 'PT4H'")
    weeks, days, hours, minutes, seconds = (int(group) if group else 0 for group in iso.groups())
    if not any(iso.groups()[2:]):
        return SlaDuration(weeks * 7 + days, business)
    return SlaDuration(timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds), business)


def add_sla_duration(calendar: BusinessCalendar, start: datetime, duration: SlaDuration) -> datetime:
    """``start`` plus ``duration``: business days/time per the calendar, or calendar days/real time.

    Calendar days keep the local wall time (P1D over a DST change is 23 or 25 hours).
    """
    start = _aware(start, "start").astimezone(UTC)
    amount = duration.amount
    if isinstance(amount, timedelta):
        return add_business_time(calendar, start, amount) if duration.business else start + amount
    if duration.business:
        return add_business_days(calendar, start, amount)
    local_day = start.astimezone(ZoneInfo(calendar.timezone)).date()
    return _on_local_date(calendar, start, local_day + timedelta(days=amount))
