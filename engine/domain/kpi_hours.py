"""The durations the cockpit summarises, worked out once per complaint: first response and net resolution hours.

Stored on the complaint row (``first_response_hours``, ``resolution_net_hours``) so that the dashboard's medians
and p90 sort a plain indexed column instead of computing hours and taking SLA pauses out of JSON on every request.
Real (wall-clock) hours, like the figures were defined before they were stored (docs/cockpit.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

_HOUR = 3600.0


def first_response_hours(created_at: datetime | None, first_response_at: datetime | None) -> float | None:
    """Hours from receipt to the first answer; ``None`` while unanswered."""
    if created_at is None or first_response_at is None:
        return None
    return (first_response_at - created_at).total_seconds() / _HOUR


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # stored pauses are UTC


def _paused(created_at: datetime, resolved_at: datetime, pauses: Sequence[Sequence[str | None]]) -> timedelta:
    """SLA pauses between receipt and resolution; an open pause runs until the resolution, no start: skipped."""
    total = timedelta(0)
    for entry in pauses:
        if not entry or entry[0] is None:
            continue
        start = _moment(entry[0])
        end = _moment(entry[1]) if len(entry) > 1 and entry[1] else resolved_at
        total += max(timedelta(0), min(end, resolved_at) - max(start, created_at))
    return total


def resolution_net_hours(
    created_at: datetime | None, resolved_at: datetime | None, pauses: Sequence[Sequence[str | None]] | None
) -> float | None:
    """Hours from receipt to resolution minus the SLA pauses in between; ``None`` while unresolved."""
    if created_at is None or resolved_at is None:
        return None
    return (resolved_at - created_at - _paused(created_at, resolved_at, pauses or [])).total_seconds() / _HOUR
