"""FEEL dates, times, date-times and durations: parsing, printing, arithmetic and properties."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from typing import Any

from engine.bpmn.feel import wide
from engine.bpmn.feel.values import CONTEXT, YearsMonths, format_number

_DATE = re.compile(r"(-?(?:[1-9]\d{4,8}|\d{4}))-(\d\d)-(\d\d)")
_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d(?::\d\d)?|@[A-Za-z0-9_+\-/]+)?")
_DURATION = re.compile(
    r"(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?"
)
_UTC_NAMES = {"Z", "UTC", "GMT", "Etc/UTC"}


def _zone(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return dt.UTC
    if text.startswith("@"):
        try:
            return zoneinfo.ZoneInfo(text[1:])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {text[1:]!r}") from None
    sign = -1 if text[0] == "-" else 1
    parts = [int(part) for part in text[1:].split(":")]
    offset = dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) > 2 else 0)
    if offset > dt.timedelta(hours=14):
        raise ValueError("a time offset is at most 14 hours")
    return dt.timezone(sign * offset)


def parse_date(text: str) -> Any:
    """``YYYY-MM-DD``, the year with a minus sign before 1 BC and more digits after 9999 (``wide``)."""
    found = _DATE.fullmatch(text)
    if not found:
        return None
    try:
        return wide.date_of(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except (ValueError, OverflowError):
        return None


def parse_time(text: str) -> Any:
    """``hh:mm:ss[.fffffffff][Z|+hh:mm|@zone]``.

    Times and date-times compare by whole milliseconds, as the TCK's equality tests ask
    (``time("10:30:00.0001") = time("10:30:00.0002")``); the digits below, to the nanosecond, make a
    ``wide.WideTime`` that prints them.
    """
    found = _TIME.fullmatch(text)
    if not found:
        return None
    hour, minute, second = int(found.group(1)), int(found.group(2)), int(found.group(3))
    digits = (found.group(4) or ".")[1:10].ljust(9, "0")
    milli, nanos = int(digits[:3]), int(digits[3:])
    if hour == 24 and minute == 0 and second == 0 and milli == 0 and nanos == 0:
        hour = 0
    try:
        return wide.time_of(dt.time(hour, minute, second, milli * 1000, tzinfo=_zone(found.group(5))), nanos)
    except ValueError:
        return None


def parse_date_time(text: str) -> Any:
    """``date 'T' time``; a date alone is midnight of that date."""
    if "T" not in text:
        day = parse_date(text)
        return None if day is None else wide.date_time_of(day, dt.time())
    date_text, _, time_text = text.partition("T")
    day, clock = parse_date(date_text), parse_time(time_text)
    if day is None or clock is None:
        return None
    result = wide.date_time_of(day, clock)
    if time_text.startswith("24:"):
        try:
            result = wide.add_delta(result, dt.timedelta(days=1))
        except OverflowError:
            return None
    return result


def parse_duration(text: str) -> dt.timedelta | YearsMonths | None:
    """An ISO 8601 duration: years/months give a years-and-months duration, days/time the other kind."""
    found = _DURATION.fullmatch(text)
    if not found:
        return None
    sign, years, months, days, hours, minutes, seconds = found.groups()
    negative = -1 if sign else 1
    if (years or months) and not (days or hours or minutes or seconds):
        return YearsMonths(negative * (int(years or 0) * 12 + int(months or 0)))
    if years or months:
        total_months = int(years or 0) * 12 + int(months or 0)
        if days or hours or minutes or seconds:
            return None
        return YearsMonths(negative * total_months)
    delta = dt.timedelta(
        days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0), seconds=float(seconds or 0)
    )
    return -delta if negative < 0 else delta


def format_temporal(value: Any) -> str:
    """The FEEL ``string()`` of a date, time, date-time or duration."""
    kind = type(value)
    if kind is YearsMonths:
        return str(value)
    if kind is dt.timedelta:
        return format_days_time(value)
    return wide.iso_text(value)


def format_days_time(value: dt.timedelta) -> str:
    micros = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    seconds, micro = divmod(micros, 1_000_000)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{sign}P"
    if days:
        text += f"{days}D"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or micro:
        clock += f"{seconds}" + (f".{micro:06d}".rstrip("0") if micro else "") + "S"
    if clock:
        text += "T" + clock
    if text in ("P", "-P"):
        return "PT0S"
    return text


def months_between(start: Any, end: Any) -> int:
    """Whole months from ``start`` to ``end`` (dates or date-times, plain or wide; negative when
    ``end`` is earlier)."""
    start_year, start_month, start_day, start_clock = wide.fields(start)
    end_year, end_month, end_day, end_clock = wide.fields(end)
    months = (end_year - start_year) * 12 + end_month - start_month
    start_rest, end_rest = (start_day, start_clock), (end_day, end_clock)
    if months > 0 and end_rest < start_rest:
        months -= 1
    elif months < 0 and end_rest > start_rest:
        months += 1
    return months


def seconds(value: dt.timedelta) -> Decimal:
    """A duration's length in seconds as a FEEL number."""
    micros = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    return CONTEXT.divide(Decimal(micros), Decimal(1_000_000))


def from_seconds(value: Decimal) -> dt.timedelta:
    micros = int(CONTEXT.to_integral_value(CONTEXT.multiply(value, Decimal(1_000_000))))
    return dt.timedelta(microseconds=micros)


def property_of(value: Any, name: str) -> Any:
    """``value.name`` for dates, times, date-times and durations; ``KeyError`` when it has none."""
    if type(value) in wide.WIDE_TYPES:
        if name == "year" and type(value) is not wide.WideTime:
            return Decimal(wide.year_of(value))
        if name == "second":
            return Decimal(value.base.second) + Decimal(wide.nanos_of(value)) / Decimal(1_000_000_000)
        return property_of(value.base, name)
    if isinstance(value, (dt.date, dt.datetime)):
        if name in ("year", "month", "day"):
            return Decimal(getattr_date(value, name))
        if name == "weekday":
            return Decimal(value.isoweekday())
    if isinstance(value, (dt.datetime, dt.time)):
        if name == "hour":
            return Decimal(value.hour)
        if name == "minute":
            return Decimal(value.minute)
        if name == "second":
            return Decimal(value.second) + Decimal(value.microsecond) / Decimal(1_000_000)
        if name == "time offset":
            offset = _offset(value)
            return offset
        if name == "timezone":
            zone = value.tzinfo
            if isinstance(zone, zoneinfo.ZoneInfo):
                return zone.key
            return None
    if isinstance(value, YearsMonths):
        if name == "years":
            return Decimal(int(value.months / 12))
        if name == "months":
            return Decimal(abs(value.months) % 12 * (1 if value.months >= 0 else -1))
    if isinstance(value, dt.timedelta):
        micros = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
        sign = -1 if micros < 0 else 1
        total = abs(micros) // 1_000_000
        parts = {"days": total // 86400, "hours": total % 86400 // 3600, "minutes": total % 3600 // 60}
        if name in parts:
            return Decimal(sign * parts[name])
        if name == "seconds":
            return Decimal(sign * (total % 60))
    raise KeyError(name)


def getattr_date(value: dt.date, name: str) -> int:
    """Year, month or day of a date (an explicit table: no attribute access by a FEEL name)."""
    return {"year": value.year, "month": value.month, "day": value.day}[name]


def _offset(value: dt.datetime | dt.time) -> dt.timedelta | None:
    zone = value.tzinfo
    if zone is None:
        return None
    if isinstance(value, dt.datetime):
        return value.utcoffset()
    if isinstance(zone, zoneinfo.ZoneInfo):
        return zone.utcoffset(dt.datetime.now())
    return zone.utcoffset(None)


def format_number_or_temporal(value: Any) -> str:
    """Helper for messages."""
    if isinstance(value, Decimal):
        return format_number(value)
    return format_temporal(value)
