"""Regulation packs: legal deadlines, mandated letters and record retention, read from data (processes/regulation).

A pack is what one rule book asks of a complaint: deadlines on a business calendar (``"15 business days"``), letters
with content blocks that must not be dropped, and how long the record is kept. Every rule carries its source. The
functions here are pure: they validate a pack's mapping and compute due times from a receipt time and ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.domain.calendar import is_working_day, parse_sla_duration
from engine.domain.calendars import calendar_named, end_of_business_day, sla_due

# Files beside the packs in processes/regulation that are not packs: the calendars and the returns' mapping tables.
NOT_PACK_FILES = frozenset({"calendars.toml", "returns.toml"})
BREACH_GROUP = "team_lead"  # not a role: the candidate group a breached deadline's open tasks go to by default
BREACH_PRIORITIES = ("normal", "high", "critical")  # a breach never lowers a priority; "low" would mean nothing


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: the provision, its address and what was checked against the primary text."""

    text: str
    url: str
    verified: str


@dataclass(frozen=True)
class DeadlineRule:
    """A legal deadline counted from receipt; ``met_by`` letters meet it, ``extended_by`` letters move it."""

    id: str
    label: str
    label_de: str
    target: str
    remind_before: str | None
    met_by: tuple[str, ...]
    extended_by: dict[str, str]
    source: Source
    # Escalation on breach (issue 19: "escalation on breach"): the open tasks go to this candidate group and the
    # complaint's priority rises to ``escalate_priority`` (None: one level up), as the SLA ``escalate`` action does.
    escalate_to: str = BREACH_GROUP
    escalate_priority: str | None = None


@dataclass(frozen=True)
class LetterRule:
    """A mandated letter: its template (per language) and the content blocks it must keep."""

    id: str
    label: str
    label_de: str
    template: str
    required_blocks: tuple[str, ...]
    source: Source
    replaces: str | None = None
    within_business_days: int | None = None


@dataclass(frozen=True)
class Retention:
    """How many years after receipt the complaint record must be kept."""

    years: int
    source: Source


@dataclass(frozen=True)
class Classification:
    """Process variables the register and the returns need for a complaint under the pack (required in forms)."""

    required: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class Pack:
    """One regulation pack."""

    id: str
    title: str
    title_de: str
    authority: str
    calendar: str
    deadlines: tuple[DeadlineRule, ...] = ()
    letters: tuple[LetterRule, ...] = ()
    retention: Retention | None = None
    classification: Classification | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def letter(self, letter_id: str) -> LetterRule | None:
        """The letter with this id, or None."""
        return next((letter for letter in self.letters if letter.id == letter_id), None)


def _text(entry: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key} is required (text)")
    return value.strip()


def _source(entry: dict[str, Any], where: str) -> Source:
    return Source(_text(entry, "source", where), _text(entry, "url", where), _text(entry, "verified", where))


def _strings(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = entry.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"{where}: {key} must be a list of ids")
    return tuple(values)


def _duration(spec: str, where: str) -> str:
    try:
        parse_sla_duration(spec, business=True)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    return spec


def _deadline(entry: dict[str, Any], where: str) -> DeadlineRule:
    where = f"{where}, deadline {entry.get('id', '?')!r}"
    extended = entry.get("extended_by", {})
    if not isinstance(extended, dict):
        raise ValueError(f"{where}: extended_by maps a letter id to a target")
    remind = entry.get("remind_before")
    priority = entry.get("escalate_priority")
    if priority is not None and priority not in BREACH_PRIORITIES:
        raise ValueError(f"{where}: escalate_priority must be one of {', '.join(BREACH_PRIORITIES)}")
    return DeadlineRule(
        id=_text(entry, "id", where),
        label=_text(entry, "label", where),
        label_de=_text(entry, "label_de", where),
        target=_duration(_text(entry, "target", where), where),
        remind_before=_duration(str(remind), where) if remind else None,
        met_by=_strings(entry, "met_by", where),
        extended_by={str(k): _duration(str(v), where) for k, v in extended.items()},
        source=_source(entry, where),
        escalate_to=_text(entry, "escalate_to", where, default=BREACH_GROUP),
        escalate_priority=priority,
    )


def _letter(entry: dict[str, Any], where: str) -> LetterRule:
    where = f"{where}, letter {entry.get('id', '?')!r}"
    within = entry.get("within_business_days")
    if within is not None and (not isinstance(within, int) or isinstance(within, bool) or within < 0):
        raise ValueError(f"{where}: within_business_days must be a whole number")
    return LetterRule(
        id=_text(entry, "id", where),
        label=_text(entry, "label", where),
        label_de=_text(entry, "label_de", where),
        template=_text(entry, "template", where),
        required_blocks=_strings(entry, "required_blocks", where),
        source=_source(entry, where),
        replaces=entry.get("replaces"),
        within_business_days=within,
    )


def letters_from_mapping(entry: dict[str, Any], where: str = "pack") -> tuple[str, tuple[LetterRule, ...]]:
    """A pack's id and letters alone (no calendar needed): what the designer check reads; ValueError names the fault."""
    where = f"{where} {entry.get('id', '?')!r}"
    return _text(entry, "id", where), tuple(_letter(item, where) for item in entry.get("letters", []))


def pack_from_mapping(entry: dict[str, Any], where: str = "pack") -> Pack:
    """A pack from its TOML table; ValueError names the pack and the rule at fault."""
    where = f"{where} {entry.get('id', '?')!r}"
    calendar = _text(entry, "calendar", where)
    calendar_named(calendar)  # ValueError names the known calendars
    retention = entry.get("retention")
    classification = entry.get("classification")
    known = {"id", "title", "title_de", "authority", "calendar", "deadlines", "letters", "retention", "classification"}
    pack = Pack(
        id=_text(entry, "id", where),
        title=_text(entry, "title", where),
        title_de=_text(entry, "title_de", where),
        authority=_text(entry, "authority", where),
        calendar=calendar,
        deadlines=tuple(_deadline(d, where) for d in entry.get("deadlines", [])),
        letters=tuple(_letter(item, where) for item in entry.get("letters", [])),
        retention=Retention(int(retention["years"]), _source(retention, f"{where}, retention")) if retention else None,
        classification=Classification(
            _strings(classification, "required", f"{where}, classification"),
            _source(classification, f"{where}, classification"),
        )
        if classification
        else None,
        extra={key: value for key, value in entry.items() if key not in known},
    )
    letters = {letter.id for letter in pack.letters}
    for deadline in pack.deadlines:
        for letter_id in (*deadline.met_by, *deadline.extended_by):
            if letter_id not in letters:
                raise ValueError(f"{where}, deadline {deadline.id!r}: no letter {letter_id!r} in the pack")
    return pack


def due_at(received: datetime, target: str, calendar: str) -> datetime:
    """When a deadline counted from receipt runs out (UTC)."""
    return sla_due(received, target, calendar)


def remind_at(due: datetime, remind_before: str | None, received: datetime, calendar: str) -> datetime | None:
    """The reminder point: ``remind_before`` ahead of the due time, never before receipt; None without one.

    Whole business days step back over working days keeping the wall time (3 business days before Monday 09:00
    is the Wednesday before, 09:00); anything else is subtracted in real time.
    """
    if not remind_before:
        return None
    duration = parse_sla_duration(remind_before, business=True)
    business_calendar = calendar_named(calendar)
    if isinstance(duration.amount, int) and duration.business and not business_calendar.always_open:
        zone = ZoneInfo(business_calendar.timezone)
        local = due.astimezone(zone)
        day, counted = local.date(), 0
        while counted < duration.amount:
            day -= timedelta(days=1)
            counted += is_working_day(business_calendar, day)
        point = local.replace(year=day.year, month=day.month, day=day.day).astimezone(UTC)
    else:
        point = due - (sla_due(received, remind_before, calendar) - received)
    return max(received, point)


def close_of_nth_business_day(received: datetime, days: int, calendar: str) -> datetime:
    """Close of business on the ``days``-th business day after the day of receipt (DISP 1.5.1 R)."""
    later = sla_due(received, f"{days} business days", calendar)
    local_day: date = later.astimezone(ZoneInfo(calendar_named(calendar).timezone)).date()
    return end_of_business_day(local_day, calendar)
