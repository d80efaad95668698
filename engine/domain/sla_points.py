"""Points on a running SLA clock: when a given share of its target will have been used.

The reminder and the amber light of a complaint sit at such a point (by default 75 % of the time).
Pauses that start before the point push it back by the time they cover; pauses that start after it
do not, so a reminder that was due before the customer was asked for information is not sent again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.domain.calendar import add_business_time, add_sla_duration, business_time_between
from engine.domain.sla import SlaClock, due_at

_ZERO = timedelta(0)


def _measure(clock: SlaClock, start: datetime, end: datetime) -> timedelta:
    if clock.target.business:
        return business_time_between(clock.calendar, start, end)
    return end - start


def _advance(clock: SlaClock, start: datetime, amount: timedelta) -> datetime:
    if clock.target.business:
        return add_business_time(clock.calendar, start, amount)
    return start + amount


def target_length(clock: SlaClock) -> timedelta:
    """The target in the clock's measure: business time for business targets, real time otherwise."""
    return _measure(clock, clock.started_at, add_sla_duration(clock.calendar, clock.started_at, clock.target))


def point_at(clock: SlaClock, share: float, now: datetime | None = None) -> datetime:
    """The moment (UTC) when ``share`` (0..1) of the target has elapsed, pauses excluded.

    ``share`` 1.0 is the due time itself. While the clock stands, an open pause that starts before the
    point is counted up to ``now`` (required then), exactly as :func:`engine.domain.sla.due_at` does.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError("share must lie between 0 and 1")
    if share == 1.0:
        return due_at(clock, now)
    remaining = target_length(clock) * share
    cursor = clock.started_at
    for start, end in clock.pauses:
        running = _measure(clock, cursor, start) if start > cursor else _ZERO
        if running >= remaining:
            break
        remaining -= running
        if end is None:
            if now is None:
                raise ValueError("the SLA clock is paused; pass now to get its points")
            end = max(now, start)
        cursor = max(cursor, end)
    return _advance(clock, cursor, remaining)
