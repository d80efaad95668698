"""Business calendars kept in the database: validation, the versions in force, and the process registry.

Each save adds a version (``engine.store.calendars``). :func:`sync_registry` installs the stored versions into
the process-wide registry of ``engine.domain.calendars``; SLA steps call it before they compute, and the
admin pages after a change, so every process (web workers, scheduler) computes with what is stored. The
settings file (``COMPLAINTFLOW_CALENDARS_FILE``) still registers its calendars at start-up and can be
imported (:func:`import_calendars`); a stored calendar of the same name takes precedence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.calendar import (
    END_OF_DAY,
    BusinessCalendar,
    DayHours,
    add_sla_duration,
    parse_hours,
    parse_sla_duration,
)
from engine.domain.calendars import REVISION_MARK, known_calendars, use_stored_calendars
from engine.domain.errors import FormValidationError, PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import ROLE_ADMIN
from engine.store.calendars import NAME_MAX, BusinessCalendarVersion

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Names the admin pages use as paths.
_RESERVED = {"new", "import"}
# What was installed last, so an unchanged table costs one small query and no rebuild.
_installed: tuple[object, ...] | None = None


@dataclass
class CalendarData:
    """A calendar as the admin form and the settings file describe it."""

    name: str
    timezone: str = "Europe/Berlin"
    # Seven entries, Monday first: "08:00-12:00, 13:00-17:00", or "" for a closed day.
    week: list[str] = field(default_factory=lambda: ["08:00-17:00"] * 5 + ["", ""])
    country: str | None = "DE"
    subdivision: str | None = None
    closing_days: list[str] = field(default_factory=list)
    always_open: bool = False
    team: str | None = None


def require_admin(actor: Actor) -> None:
    """Calendars are administration: admins only."""
    if ROLE_ADMIN not in actor.roles:
        raise PermissionDenied(msg("denied.calendars"))


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def build_calendar(data: CalendarData) -> BusinessCalendar:
    """The calendar the data describes; FormValidationError maps each bad field to a message."""
    errors: dict[str, str] = {}
    if not _NAME.match(data.name or "") or len(data.name) > NAME_MAX or data.name in _RESERVED:
        errors["name"] = msg("calendar.name_rule")
    if len(data.week) != 7:
        errors["week"] = msg("calendar.seven_weekdays")
    hours: list[DayHours] = []
    for index, spec in enumerate(data.week[:7]):
        try:
            hours.append(parse_hours(spec) if spec.strip() else ())
        except ValueError:
            errors[f"week_{index}"] = msg("calendar.hours_format")
    closing: set[date] = set()
    for value in data.closing_days:
        try:
            closing.add(date.fromisoformat(value.strip()))
        except ValueError:
            errors["closing_days"] = msg("field.date")
    if not data.always_open and not any(hours) and not any(key.startswith("week") for key in errors):
        errors["week"] = msg("calendar.no_working_hours")
    country, subdivision = _clean(data.country), _clean(data.subdivision)
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = msg("calendar.unknown_timezone")
    if country:
        try:
            holidays.country_holidays(country, subdiv=subdivision)
        except NotImplementedError:
            errors["subdivision" if subdivision and country in holidays.list_supported_countries() else "country"] = (
                msg("calendar.unknown_country")
            )
    elif subdivision:
        errors["country"] = msg("calendar.unknown_country")
    if errors:
        raise FormValidationError(errors)
    if data.always_open:
        return BusinessCalendar.round_the_clock(data.timezone)
    return BusinessCalendar(data.timezone, tuple(hours), country, subdivision, frozenset(closing))


def _hours_text(day: DayHours) -> str:
    parts = []
    for start, end in day:
        finish = "24:00" if end == END_OF_DAY else end.strftime("%H:%M")
        parts.append(f"{start.strftime('%H:%M')}-{finish}")
    return ", ".join(parts)


def data_from_calendar(name: str, calendar: BusinessCalendar) -> CalendarData:
    """The form data of a calendar (to import a file calendar or show a built-in one)."""
    week = [_hours_text(day) for day in calendar.hours] if calendar.hours else [""] * 7
    return CalendarData(
        name=name,
        timezone=calendar.timezone,
        week=week,
        country=calendar.country,
        subdivision=calendar.subdivision,
        closing_days=sorted(day.isoformat() for day in calendar.closing_days),
        always_open=calendar.always_open,
    )


def data_from_row(row: BusinessCalendarVersion) -> CalendarData:
    """The form data of a stored version."""
    return CalendarData(
        name=row.name,
        timezone=row.timezone,
        week=list(row.week),
        country=row.country,
        subdivision=row.subdivision,
        closing_days=list(row.closing_days),
        always_open=row.always_open,
        team=row.team,
    )


def all_versions(session: Session) -> list[BusinessCalendarVersion]:
    """Every stored version, by name and revision."""
    query = select(BusinessCalendarVersion).order_by(BusinessCalendarVersion.name, BusinessCalendarVersion.revision)
    return list(session.scalars(query))


def current_versions(session: Session) -> dict[str, BusinessCalendarVersion]:
    """The version in force per name (deleted names left out)."""
    latest: dict[str, BusinessCalendarVersion] = {}
    for row in all_versions(session):
        latest[row.name] = row
    return {name: row for name, row in latest.items() if not row.deleted}


def version_key(row: BusinessCalendarVersion) -> str:
    """The pinned key of a stored version, ``name@revision``."""
    return f"{row.name}{REVISION_MARK}{row.revision}"


def sync_registry(session: Session) -> None:
    """Install the stored calendars into this process's registry if the table changed since the last call."""
    global _installed
    rows = all_versions(session)
    fingerprint = tuple(
        (r.name, r.revision, r.timezone, tuple(r.week), r.country, r.subdivision, tuple(r.closing_days),
         r.always_open, r.deleted)
        for r in rows
    )  # fmt: skip
    if fingerprint == _installed:
        return
    versions: dict[str, BusinessCalendar] = {}
    current: dict[str, str] = {}
    for row in rows:
        if row.deleted:
            current.pop(row.name, None)
            continue
        try:
            versions[version_key(row)] = build_calendar(data_from_row(row))
        except FormValidationError:
            continue  # validated when saved; a row that no longer builds (e.g. a removed zone) is skipped
        current[row.name] = version_key(row)
    use_stored_calendars(versions, current)
    _installed = fingerprint


def forget_stored() -> None:
    """Drop the stored calendars from this process's registry (tests switch databases)."""
    global _installed
    use_stored_calendars({}, {})
    _installed = None


def business_days_from(calendar: BusinessCalendar, start: datetime, days: int = 5) -> datetime:
    """The preview "``days`` business days from ``start``" (UTC), as an SLA target would count it."""
    return add_sla_duration(calendar, start, parse_sla_duration(f"{days} business days", business=True))


def upcoming_holidays(calendar: BusinessCalendar, today: date, language: str = "en") -> list[tuple[date, str]]:
    """Public holidays and closing days of the next twelve months, with their names."""
    found: dict[date, str] = {}
    if calendar.country and not calendar.always_open:
        years = [today.year, today.year + 1]
        table = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision, years=years, language=language)
        found.update({day: str(name) for day, name in table.items()})
    if not calendar.always_open:
        for day in calendar.closing_days:
            found.setdefault(day, "")
    end = today + timedelta(days=366)
    return sorted((day, name) for day, name in found.items() if today <= day <= end)


__all__ = ["CalendarData", "build_calendar", "current_versions", "known_calendars", "sync_registry"]
