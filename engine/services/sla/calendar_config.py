"""Business calendars from a settings file (``COMPLAINTFLOW_CALENDARS_FILE``, JSON or TOML).

The file names calendars under a ``calendars`` table; each is registered with
:func:`engine.domain.calendars.register_calendar` at start-up, next to the built-in ``default``
(German office, NRW holidays) and ``24/7``. A calendar of the same name replaces the built-in one.
Example (TOML)::

    [calendars.vienna]
    timezone = "Europe/Vienna"
    hours = "08:00-12:00, 13:00-17:00"      # every working day
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    country = "AT"
    subdivision = "9"
    closing_days = ["2026-12-24", "2026-12-31"]

    [calendars.weekend_desk]
    timezone = "Europe/Berlin"
    week = { mon = "08:00-20:00", sat = "10:00-14:00" }   # hours per weekday; missing days are closed

    [calendars.social]
    always_open = true
    timezone = "Europe/Berlin"

A file that cannot be read or has a bad entry raises ``ValueError`` naming the file and calendar, so a
deployment fails at start-up instead of computing wrong due times later.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from engine.domain.calendar import BusinessCalendar, parse_hours
from engine.domain.calendars import register_calendar
from engine.settings import Settings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KEYS = {"timezone", "hours", "weekdays", "week", "country", "subdivision", "closing_days", "always_open"}


def _weekday(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower()[:3] in WEEKDAYS:
        return WEEKDAYS.index(value.strip().lower()[:3])
    raise ValueError(f"unknown weekday {value!r}; use mon..sun or 0 (Monday)..6")


def _closing_days(values: Any) -> frozenset[date]:
    if not isinstance(values, list):
        raise ValueError("closing_days must be a list of dates (YYYY-MM-DD)")
    days = set()
    for value in values:
        if isinstance(value, date):
            days.add(value)
            continue
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            raise ValueError(f"closing day {value!r} is not a date (YYYY-MM-DD)") from None
    return frozenset(days)


def calendar_from_mapping(entry: dict[str, Any]) -> BusinessCalendar:
    """One calendar from its settings table; ValueError names the offending key."""
    if not isinstance(entry, dict):
        raise ValueError("a calendar must be a table of settings")
    unknown = set(entry) - _KEYS
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}")
    timezone = entry.get("timezone")
    if not isinstance(timezone, str) or not timezone:
        raise ValueError("timezone is required, e.g. 'Europe/Berlin'")
    if entry.get("always_open"):
        return BusinessCalendar.round_the_clock(timezone)
    country = entry.get("country")
    subdivision = entry.get("subdivision")
    closing = _closing_days(entry.get("closing_days", []))
    if "week" in entry:
        if "hours" in entry or "weekdays" in entry:
            raise ValueError("give either week or hours/weekdays, not both")
        week = entry["week"]
        if not isinstance(week, dict):
            raise ValueError("week must map weekdays to hours, e.g. { mon = '08:00-17:00' }")
        by_day = {_weekday(day): parse_hours(str(spec)) for day, spec in week.items()}
        hours = tuple(by_day.get(day, ()) for day in range(7))
        return BusinessCalendar(timezone, hours, country, subdivision, closing)
    weekdays = [_weekday(day) for day in entry.get("weekdays", [0, 1, 2, 3, 4])]
    return BusinessCalendar.office(
        timezone,
        str(entry.get("hours", "08:00-17:00")),
        weekdays,
        country=country,
        subdivision=subdivision,
        closing_days=closing,
    )


def load_calendar_file(path: Path) -> dict[str, BusinessCalendar]:
    """The calendars a JSON (``.json``) or TOML (any other suffix) file defines."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"cannot read calendars file {path}: {error.strerror}") from None
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise ValueError(f"calendars file {path} is not valid {kind}: {error}") from None
    tables = document.get("calendars") if isinstance(document, dict) else None
    if not isinstance(tables, dict) or not tables:
        raise ValueError(f"calendars file {path} has no [calendars.<name>] tables")
    calendars = {}
    for name, entry in tables.items():
        try:
            calendars[str(name)] = calendar_from_mapping(entry)
        except ValueError as error:
            raise ValueError(f"calendars file {path}, calendar {name!r}: {error}") from None
    return calendars


def register_configured_calendars(settings: Settings) -> list[str]:
    """Register the calendars of ``settings.calendars_file`` (if any); returns their names."""
    if settings.calendars_file is None:
        return []
    calendars = load_calendar_file(settings.calendars_file)
    for name, calendar in calendars.items():
        register_calendar(name, calendar)
    return sorted(calendars)
