"""The SLA clock of one complaint, kept on its row: start, first response, pause, resume, stop.

These functions run inside the caller's unit of work (the SLA system actions in
``engine/actions/sla.py``); they change the complaint row and return what the diagram needs
as process variables. The maths is pure and lives in ``engine.domain.sla`` / ``sla_points``.

The clock starts when the complaint was received (``complaint.created_at``), so a later ``sla_start``
(for example after the SLA decision ran again on a corrected category) recomputes the same clock with
the new targets. First response and resolution clocks share the pauses: while the complaint waits for
the customer, neither runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.domain.calendar import parse_sla_duration
from engine.domain.calendars import calendar_named
from engine.domain.messages import msg
from engine.domain.sla import Pause, SlaClock, due_at, sla_outcome
from engine.domain.sla_points import point_at
from engine.domain.tasks import DEFAULT_AMBER_SHARE
from engine.store.complaints import Complaint, complaint_of_instance


class SlaError(ValueError):
    """The SLA clock cannot do this (no complaint, no targets, unreadable target); becomes an incident."""


@dataclass(frozen=True)
class SlaTimes:
    """Due times of a complaint's clocks (UTC); ``reminder_at`` is when the amber share is used."""

    first_response_due_at: datetime | None
    resolution_due_at: datetime
    reminder_at: datetime


def complaint_for_instance(session: Session, instance_id: int) -> Complaint | None:
    """The complaint a process instance handles, if it was opened as one."""
    return complaint_of_instance(session, instance_id)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _pauses(complaint: Complaint) -> tuple[Pause, ...]:
    pauses = []
    for entry in complaint.sla_pauses or []:
        start, end = entry[0], entry[1] if len(entry) > 1 else None
        if start is None:
            continue
        pauses.append(Pause(datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None))
    return tuple(pauses)


def _clock(complaint: Complaint, target: str) -> SlaClock:
    try:
        duration = parse_sla_duration(target, business=True)
        calendar = calendar_named(complaint.sla_calendar)
    except ValueError as error:
        raise SlaError(str(error)) from None
    return SlaClock(complaint.created_at, duration, calendar, _pauses(complaint))


def _require_started(complaint: Complaint) -> str:
    if not complaint.resolution_target:
        raise SlaError(msg("sla.clock_not_started", reference=complaint.reference))
    return complaint.resolution_target


def compute_times(complaint: Complaint, now: datetime, share: float = DEFAULT_AMBER_SHARE) -> SlaTimes:
    """Due times and reminder point of the complaint's clocks as of ``now`` (pauses included)."""
    resolution = _clock(complaint, _require_started(complaint))
    first = _clock(complaint, complaint.first_response_target) if complaint.first_response_target else None
    return SlaTimes(
        first_response_due_at=due_at(first, now) if first is not None else None,
        resolution_due_at=due_at(resolution, now),
        reminder_at=point_at(resolution, share, now),
    )


def _store_times(complaint: Complaint, times: SlaTimes) -> None:
    complaint.first_response_due_at = times.first_response_due_at
    complaint.resolution_due_at = times.resolution_due_at
    complaint.resolution_amber_at = times.reminder_at


def times_as_variables(times: SlaTimes) -> dict[str, Any]:
    """The process variables timers read (``timeDate ${resolution_due_at}``): ISO strings in UTC."""
    return {
        "first_response_due_at": _iso(times.first_response_due_at),
        "resolution_due_at": _iso(times.resolution_due_at),
        "sla_reminder_at": _iso(times.reminder_at),
    }


def start_clock(
    complaint: Complaint,
    first_response_target: str | None,
    resolution_target: str,
    calendar: str | None,
    now: datetime,
    share: float = DEFAULT_AMBER_SHARE,
) -> SlaTimes:
    """Set the targets from the SLA decision and compute the due times; checks everything before writing."""
    if not 0.0 <= share <= 1.0:
        raise SlaError(msg("sla.reminder_share", share=share))
    for name, target in (("first_response_target", first_response_target), ("resolution_target", resolution_target)):
        if target is None:
            continue
        try:
            parse_sla_duration(target, business=True)
        except ValueError as error:
            raise SlaError(msg("sla.named_error", name=name, error=error)) from None
    try:
        calendar_named(calendar)
    except ValueError as error:
        raise SlaError(str(error)) from None
    complaint.first_response_target = first_response_target
    complaint.resolution_target = resolution_target
    complaint.sla_calendar = calendar
    complaint.updated_at = now
    times = compute_times(complaint, now, share)
    _store_times(complaint, times)
    return times


def record_first_response(complaint: Complaint, now: datetime) -> tuple[datetime, bool | None]:
    """Record the first answer to the customer once; later calls keep the first one."""
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        complaint.updated_at = now
        if complaint.first_response_target:
            outcome = sla_outcome(_clock(complaint, complaint.first_response_target), now)
            complaint.first_response_met = outcome.met
    return complaint.first_response_at, complaint.first_response_met


def is_paused(complaint: Complaint) -> bool:
    """Whether the complaint's SLA clock stands (waiting for the customer)."""
    return complaint.sla_paused_at is not None


def pause_clock(complaint: Complaint, now: datetime) -> bool:
    """Stop the clock while the complaint waits for the customer; False if it already stood."""
    _require_started(complaint)
    if is_paused(complaint) or complaint.resolved_at is not None:
        return False
    last = _pauses(complaint)[-1:] or None
    if last and last[0].end is not None and now < last[0].end:
        raise SlaError(msg("sla.pause_overlaps"))
    if now < complaint.created_at:
        raise SlaError(msg("sla.pause_before_received"))
    complaint.sla_pauses = [*(complaint.sla_pauses or []), [_iso(now), None]]
    complaint.sla_paused_at = now
    complaint.updated_at = now
    return True


def resume_clock(complaint: Complaint, now: datetime, share: float = DEFAULT_AMBER_SHARE) -> SlaTimes:
    """Let the clock run again; the due times move back by the paused time. A running clock stays as is."""
    _require_started(complaint)
    if is_paused(complaint):
        paused_at = complaint.sla_paused_at
        assert paused_at is not None
        end = max(now, paused_at)
        pauses = [list(entry) for entry in complaint.sla_pauses or []]
        pauses[-1][1] = _iso(end)
        complaint.sla_pauses = pauses
        complaint.sla_paused_at = None
        complaint.updated_at = now
    times = compute_times(complaint, now, share)
    _store_times(complaint, times)
    return times


def stop_clock(complaint: Complaint, now: datetime) -> tuple[datetime, bool]:
    """Record the resolution: an open pause ends now; the first response counts as given if it was not."""
    target = _require_started(complaint)
    if complaint.resolved_at is not None:
        return complaint.resolved_at, bool(complaint.resolution_met)
    if is_paused(complaint):
        resume_clock(complaint, now)
    # Resolving a complaint answers the customer: without an earlier answer it is the first response.
    record_first_response(complaint, now)
    outcome = sla_outcome(_clock(complaint, target), now)
    complaint.resolved_at = now
    complaint.resolution_met = outcome.met
    complaint.updated_at = now
    return now, outcome.met
