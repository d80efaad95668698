"""FEEL dates, date-times and times that Python's ``datetime`` cannot hold.

FEEL's date values reach back and forward as far as XML Schema's (the TCK uses ``-2021-01-01``,
``999999999-12-31``) and its seconds carry nanoseconds (``10:15:30.123456789``); ``datetime`` holds
years 1 to 9999 and microseconds. Values that fit stay ``datetime`` objects (the fast, common case);
the others are the three classes here, made only by ``date_of``/``date_time_of``/``time_of``.

The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks), so a date of
any year is the same day of a year Python can hold (``base``) plus whole 400-year ``cycles``: months,
leap days, weekdays and days of the year are the base's, only the year differs. Years before 1 are
held in a base year of 1-400 and years after 9999 in 9600-9999, so a zone id gives them its earliest
offset and its rule for the future respectively, as java.time does. Years run as ISO 8601's
(year 0 is 1 BC), to +-999,999,999.

Like the other FEEL times and date-times (see ``temporal.parse_time``), equality and order look at
whole milliseconds; the digits below are kept in ``nanos`` (0-999,999) for ``string()``, properties
and arithmetic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

CYCLE_DAYS = 146_097
LIMIT = 999_999_999


@dataclass(frozen=True, slots=True, eq=False)
class WideDate:
    """A date whose year is outside 1-9999."""

    base: dt.date
    cycles: int

    def __eq__(self, other: object) -> bool:
        return _date_key(self) == _date_key(other) if is_date(other) else NotImplemented

    def __hash__(self) -> int:
        return hash(_date_key(self))

    def __lt__(self, other: Any) -> bool:
        return _date_key(self) < _date_key(other)

    def __gt__(self, other: Any) -> bool:
        return _date_key(self) > _date_key(other)


@dataclass(frozen=True, slots=True, eq=False)
class WideDateTime:
    """A date-time whose year is outside 1-9999 or whose seconds have digits below the microsecond
    (then ``base`` is truncated to the millisecond and ``nanos`` holds the rest, 0-999,999)."""

    base: dt.datetime
    cycles: int
    nanos: int

    def __eq__(self, other: object) -> bool:
        if not is_date_time(other):
            return NotImplemented
        if (self.base.tzinfo is None) != (base_of(other).tzinfo is None):
            return False
        return instant_ms(self) == instant_ms(other)

    def __hash__(self) -> int:
        return hash(instant_ms(self))

    def __lt__(self, other: Any) -> bool:
        return instant_ms(self) < instant_ms(_aware_like(other, self))

    def __gt__(self, other: Any) -> bool:
        return instant_ms(self) > instant_ms(_aware_like(other, self))


@dataclass(frozen=True, slots=True, eq=False)
class WideTime:
    """A time with digits below the microsecond: ``base`` to the millisecond, ``nanos`` the rest."""

    base: dt.time
    nanos: int

    def __eq__(self, other: object) -> bool:
        if not is_time(other):
            return NotImplemented
        return bool(self.base == base_of(other).replace(microsecond=base_of(other).microsecond // 1000 * 1000))

    def __hash__(self) -> int:
        return hash(self.base)

    def __lt__(self, other: Any) -> bool:
        return bool(self.base < base_of(other))

    def __gt__(self, other: Any) -> bool:
        return bool(self.base > base_of(other))


WIDE_TYPES = (WideDate, WideDateTime, WideTime)


def is_date(value: object) -> bool:
    return type(value) is dt.date or type(value) is WideDate


def is_date_time(value: object) -> bool:
    return type(value) is dt.datetime or type(value) is WideDateTime


def is_time(value: object) -> bool:
    return type(value) is dt.time or type(value) is WideTime


def base_of(value: Any) -> Any:
    """The `datetime` object a value holds (itself when it is one)."""
    return value.base if type(value) in WIDE_TYPES else value


def _cycles(value: Any) -> int:
    return value.cycles if type(value) in (WideDate, WideDateTime) else 0


def nanos_of(value: Any) -> int:
    """Nanoseconds of the second (0-999,999,999) of a time or date-time."""
    base = base_of(value)
    return base.microsecond * 1000 + (value.nanos if type(value) in (WideDateTime, WideTime) else 0)


def year_of(value: Any) -> int:
    return base_of(value).year + 400 * _cycles(value)


def _window(year: int) -> tuple[int, int]:
    """(base year, cycles) for a year: itself when Python holds it, else 1-400 or 9600-9999."""
    if not -LIMIT <= year <= LIMIT:
        raise OverflowError("a FEEL year is at most 999,999,999 from year 0")
    if 1 <= year <= 9999:
        return year, 0
    cycles = (year - 1) // 400 if year < 1 else (year - 9600) // 400
    return year - 400 * cycles, cycles


def proxy_year(year: int) -> int:
    """A year Python holds with the same calendar as ``year`` (leap days and weekdays)."""
    return 2000 + year % 400


def date_of(year: int, month: int, day: int) -> Any:
    """The date, as ``datetime.date`` when Python holds it; ``ValueError``/``OverflowError`` when invalid."""
    base_year, cycles = _window(year)
    base = dt.date(base_year, month, day)
    return base if cycles == 0 else WideDate(base, cycles)


def date_time_of(day: Any, clock: Any) -> Any:
    """The date-time of a date and a time (each plain or wide), in the time's zone."""
    base_clock = base_of(clock)
    joined = dt.datetime.combine(base_of(day), base_clock, tzinfo=base_clock.tzinfo)
    cycles, nanos = _cycles(day), clock.nanos if type(clock) is WideTime else 0
    if cycles == 0 and nanos == 0:
        return joined
    return WideDateTime(joined, cycles, nanos)


def time_of(clock: dt.time, nanos: int = 0) -> Any:
    """A time; ``nanos`` are the nanoseconds below its milliseconds (0-999,999)."""
    if nanos == 0:
        return clock
    return WideTime(clock.replace(microsecond=clock.microsecond // 1000 * 1000), nanos)


def date_part(value: Any) -> Any:
    """The date of a date-time (plain or wide)."""
    if type(value) is WideDateTime:
        return WideDate(value.base.date(), value.cycles) if value.cycles else value.base.date()
    return value.date()


def time_part(value: Any) -> Any:
    """The time (with its zone) of a date-time (plain or wide)."""
    if type(value) is WideDateTime:
        return time_of(value.base.timetz(), value.nanos)
    return value.timetz()


def fields(value: Any) -> tuple[int, int, int, dt.time]:
    """Year, month, day and time of day of a date or date-time (plain or wide)."""
    base = base_of(value)
    clock = base.time() if isinstance(base, dt.datetime) else dt.time()
    return year_of(value), base.month, base.day, clock


def _rebuild(value: Any, year: int, base: Any, nanos: int = 0) -> Any:
    """``base`` (a plain date or date-time with some year) as the value of ``year``."""
    base_year, cycles = _window(year)
    base = base.replace(year=base_year)
    if cycles == 0 and nanos == 0:
        return base
    return WideDate(base, cycles) if type(base) is dt.date else WideDateTime(base, cycles, nanos)


def add_months(value: Any, months: int) -> Any:
    """A date or date-time (plain or wide) moved by whole months, the day clamped to the month's length."""
    base = base_of(value)
    index = year_of(value) * 12 + base.month - 1 + months
    year, month = divmod(index, 12)
    day = min(base.day, calendar.monthrange(proxy_year(year), month + 1)[1])
    moved = base.replace(year=proxy_year(year), month=month + 1, day=day)
    return _rebuild(value, year, moved, value.nanos if type(value) is WideDateTime else 0)


def _fold(delta: dt.timedelta, nanos: int) -> tuple[dt.timedelta, int]:
    """A duration and the nanoseconds below a millisecond as a whole-millisecond duration and the rest."""
    below = nanos + delta.microseconds % 1000 * 1000
    whole = delta - dt.timedelta(microseconds=delta.microseconds % 1000)
    return whole + dt.timedelta(milliseconds=below // 1_000_000), below % 1_000_000


def add_delta(value: Any, delta: dt.timedelta) -> Any:
    """A date or date-time (plain or wide) moved by a days-and-time duration, on the wall clock."""
    base, year = base_of(value), year_of(value)
    nanos = value.nanos if type(value) is WideDateTime else 0
    if nanos:
        delta, nanos = _fold(delta, nanos)
    # Move a copy that sits in the middle of Python's range, so that any 400 years fit around it.
    cycles, days = divmod(delta.days, CYCLE_DAYS)
    start = base.replace(year=4000 + year % 400)
    step = dt.timedelta(days, delta.seconds, delta.microseconds)
    if type(base) is dt.date:
        moved: Any = (dt.datetime(start.year, start.month, start.day) + step).date()
    else:
        moved = start + step
    return _rebuild(value, year - start.year + moved.year + 400 * cycles, moved, nanos)


def shift_time(value: Any, delta: dt.timedelta) -> Any:
    """A time (plain or wide) moved by a days-and-time duration, around the clock."""
    base = base_of(value)
    nanos = value.nanos if type(value) is WideTime else 0
    if nanos:
        delta, nanos = _fold(delta, nanos)
    moved = dt.datetime.combine(dt.date(2000, 1, 1), base.replace(tzinfo=None)) + delta
    return time_of(moved.time().replace(tzinfo=base.tzinfo), nanos)


def instant_ms(value: Any) -> int:
    """Milliseconds from 0001-01-01T00:00 (UTC when the value has a zone) to a date-time."""
    base = base_of(value)
    seconds = (base.toordinal() + CYCLE_DAYS * _cycles(value)) * 86_400
    seconds += base.hour * 3600 + base.minute * 60 + base.second
    offset = base.utcoffset()
    if offset is not None:
        seconds -= int(offset.total_seconds())
    return seconds * 1000 + base.microsecond // 1000


def _nanos(value: Any) -> int:
    return value.nanos if type(value) in (WideDateTime, WideTime) else 0


def _below_ms(value: Any) -> int:
    """Microseconds below the millisecond (what a duration can hold of them)."""
    return base_of(value).microsecond % 1000 + _nanos(value) // 1000


def difference(left: Any, right: Any) -> dt.timedelta:
    """``left - right`` of two date-times (plain or wide; both with a zone or both without)."""
    micros = (instant_ms(left) - instant_ms(right)) * 1000 + _below_ms(left) - _below_ms(right)
    return dt.timedelta(microseconds=micros)


def time_difference(left: Any, right: Any) -> dt.timedelta:
    """``left - right`` of two times (plain or wide) on the same day."""
    day = dt.date(2000, 1, 1)
    whole = dt.datetime.combine(day, base_of(left)) - dt.datetime.combine(day, base_of(right))
    return whole + dt.timedelta(microseconds=_nanos(left) // 1000 - _nanos(right) // 1000)


def _date_key(value: Any) -> int:
    return base_of(value).toordinal() + CYCLE_DAYS * _cycles(value)


def _aware_like(other: Any, value: WideDateTime) -> Any:
    """``other`` for an ordering against ``value``: a naive and an aware date-time are not ordered."""
    if not is_date_time(other) or (base_of(other).tzinfo is None) != (value.base.tzinfo is None):
        raise TypeError("not comparable")
    return other


def midnight(value: Any, zone: dt.tzinfo | None) -> Any:
    """A date (plain or wide) as a date-time at midnight, for arithmetic with a date-time."""
    base = base_of(value)
    day = dt.datetime(base.year, base.month, base.day, tzinfo=zone)
    cycles = _cycles(value)
    return WideDateTime(day, cycles, 0) if cycles else day


def format_year(year: int) -> str:
    """A year as XML Schema writes it: at least four digits, a minus sign before 1 BC (year 0)."""
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def fraction(value: Any) -> str:
    """The fraction of a second of a time or date-time (plain or wide), ``.123456789`` or empty."""
    nanos = nanos_of(value)
    return f".{nanos:09d}".rstrip("0") if nanos else ""


def _offset_text(offset: dt.timedelta) -> str:
    if offset == dt.timedelta(0):
        return "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    seconds = abs(int(offset.total_seconds()))
    text = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return text + (f":{seconds % 60:02d}" if seconds % 60 else "")


def _clock_text(value: Any) -> str:
    base = base_of(value)
    text = f"{base.hour:02d}:{base.minute:02d}:{base.second:02d}{fraction(value)}"
    zone = base.tzinfo
    if isinstance(zone, zoneinfo.ZoneInfo):
        return f"{text}@{zone.key}"
    offset = zone.utcoffset(None) if zone is not None else None
    return text if offset is None else text + _offset_text(offset)


def iso_text(value: Any) -> str:
    """A date, date-time or time (plain or wide) as FEEL's ``string()`` writes it."""
    if is_date_time(value):
        return f"{iso_text(date_part(value))}T{_clock_text(value)}"
    if is_date(value):
        year, month, day, _ = fields(value)
        return f"{format_year(year)}-{month:02d}-{day:02d}"
    if is_time(value):
        return _clock_text(value)
    raise TypeError(value)
