"""The named business calendars SLA targets are measured in.

``default`` is a German office (Mon-Fri 08:00-17:00, Europe/Berlin, public holidays of NRW);
``24/7`` counts calendar time (social media, chat). Deployments register their own calendars
(per team, country or site) with :func:`register_calendar` at start-up (the settings file).

Calendars kept in the database are versioned: :func:`use_stored_calendars` installs every stored version
under ``name@revision`` and the newest one under ``name``. A clock started on a stored calendar keeps
the pinned key (:func:`pinned_key`), so editing a calendar changes new deadlines only; running ones
keep theirs until an administrator recomputes them.
"""

from __future__ import annotations

from datetime import date, datetime

from engine.domain.calendar import (
    BusinessCalendar,
    add_business_time,
    add_sla_duration,
    business_time_between,
    close_of_business,
    parse_sla_duration,
)

DEFAULT_CALENDAR = "default"

_CALENDARS: dict[str, BusinessCalendar] = {
    DEFAULT_CALENDAR: BusinessCalendar.office("Europe/Berlin", "08:00-17:00", country="DE", subdivision="NW"),
    "24/7": BusinessCalendar.round_the_clock("Europe/Berlin"),
}


# Stored calendars: every version under "name@revision", and the newest version's key per name.
_STORED_VERSIONS: dict[str, BusinessCalendar] = {}
_STORED_CURRENT: dict[str, str] = {}
REVISION_MARK = "@"


def register_calendar(name: str, calendar: BusinessCalendar) -> None:
    """Make ``calendar`` available to SLA targets and diagrams under ``name``."""
    _CALENDARS[name] = calendar


def use_stored_calendars(versions: dict[str, BusinessCalendar], current: dict[str, str]) -> None:
    """Replace the stored calendars: ``versions`` by ``name@revision``, ``current`` maps a name to its newest key.

    A stored calendar of the same name as a built-in or file one hides it; deleting it shows it again.
    """
    _STORED_VERSIONS.clear()
    _STORED_VERSIONS.update(versions)
    _STORED_CURRENT.clear()
    _STORED_CURRENT.update(current)


def pinned_key(name: str | None) -> str | None:
    """The key a clock started now keeps: ``name@revision`` for a stored calendar, else the name itself."""
    if name is None:
        return _STORED_CURRENT.get(DEFAULT_CALENDAR)
    return _STORED_CURRENT.get(name, name)


def display_name(key: str | None) -> str:
    """The calendar's name without its pinned revision."""
    return (key or DEFAULT_CALENDAR).split(REVISION_MARK, 1)[0]


def known_calendars() -> list[str]:
    """Names a target may use: built-in, file and stored calendars (without revisions)."""
    return sorted(set(_CALENDARS) | set(_STORED_CURRENT))


def calendar_named(name: str | None) -> BusinessCalendar:
    """The calendar registered under ``name`` (``default`` when None); ValueError names the known ones."""
    key = name or DEFAULT_CALENDAR
    if key in _STORED_VERSIONS:
        return _STORED_VERSIONS[key]
    if key in _STORED_CURRENT:
        return _STORED_VERSIONS[_STORED_CURRENT[key]]
    if key not in _CALENDARS:
        raise ValueError(f"unknown business calendar {key!r}; known: {', '.join(known_calendars())}")
    return _CALENDARS[key]


def sla_due(start: datetime, target: str, calendar: str | None = None) -> datetime:
    """When a target such as ``"2 business days"`` or ``"PT4H"`` started at ``start`` runs out (UTC)."""
    return add_sla_duration(calendar_named(calendar), start, parse_sla_duration(target, business=True))


def sla_point(start: datetime, target: str, share: float, calendar: str | None = None) -> datetime:
    """The moment ``share`` (0..1) of the target has been used, e.g. 0.75 for a reminder before the deadline."""
    if not 0 <= share <= 1:
        raise ValueError("share must be between 0 and 1")
    business_calendar = calendar_named(calendar)
    due = sla_due(start, target, calendar)
    duration = parse_sla_duration(target, business=True)
    if not duration.business or business_calendar.always_open:
        return start + (due - start) * share
    return add_business_time(business_calendar, start, business_time_between(business_calendar, start, due) * share)


def end_of_business_day(day: date, calendar: str | None = None) -> datetime:
    """Close of business on ``day`` in the named calendar (UTC); see :func:`close_of_business`."""
    return close_of_business(calendar_named(calendar), day)
