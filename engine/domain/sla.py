"""The SLA clock of one complaint: target, business calendar, pauses, due time and traffic light.

Everything is a pure function of the clock and a ``now`` passed in. A clock measures in business
time when its target is a business duration and in real time otherwise; pauses (e.g. waiting for
the customer) stop it, so they push the due time back by the time they covered in that measure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from engine.domain.calendar import (
    BusinessCalendar,
    SlaDuration,
    add_business_time,
    add_sla_duration,
    business_time_between,
)

_ZERO = timedelta(0)


class TrafficLight(StrEnum):
    """Green: on track; amber: most of the time is used; red: overdue."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Pause(NamedTuple):
    """A stretch in which the clock stood still; ``end`` is None while it still stands."""

    start: datetime
    end: datetime | None = None


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class SlaClock:
    """An SLA clock started at ``started_at`` (stored in UTC) with ``target`` to run on ``calendar``."""

    started_at: datetime
    target: SlaDuration
    calendar: BusinessCalendar
    pauses: tuple[Pause, ...] = ()

    def __post_init__(self) -> None:
        started = _utc(self.started_at, "started_at")
        pauses = tuple(
            Pause(_utc(p.start, "pause start"), None if p.end is None else _utc(p.end, "pause end"))
            for p in (Pause(*p) for p in self.pauses)
        )
        previous_end = started
        for index, (start, end) in enumerate(pauses):
            if start < previous_end:
                raise ValueError("pauses must start after the clock and after the previous pause")
            if end is None and index != len(pauses) - 1:
                raise ValueError("only the last pause may still be open")
            if end is not None and end < start:
                raise ValueError("a pause cannot end before it starts")
            previous_end = end if end is not None else start
        object.__setattr__(self, "started_at", started)
        object.__setattr__(self, "pauses", pauses)


@dataclass(frozen=True)
class SlaOutcome:
    """How a finished SLA went; ``overdue_by`` is real time after the due time (zero when met)."""

    met: bool
    due_at: datetime
    met_at: datetime
    overdue_by: timedelta


def is_paused(clock: SlaClock) -> bool:
    """Whether the clock currently stands still."""
    return bool(clock.pauses) and clock.pauses[-1].end is None


def pause(clock: SlaClock, at: datetime) -> SlaClock:
    """The clock stopped at ``at``; ValueError if it already stands or ``at`` lies before its history."""
    if is_paused(clock):
        raise ValueError("the SLA clock is already paused")
    return replace(clock, pauses=(*clock.pauses, Pause(_utc(at, "at"))))


def resume(clock: SlaClock, at: datetime) -> SlaClock:
    """The clock running again from ``at``; ValueError if it is not paused."""
    if not is_paused(clock):
        raise ValueError("the SLA clock is not paused")
    return replace(clock, pauses=(*clock.pauses[:-1], Pause(clock.pauses[-1].start, _utc(at, "at"))))


def _measure(clock: SlaClock, start: datetime, end: datetime) -> timedelta:
    if clock.target.business:
        return business_time_between(clock.calendar, start, end)
    return end - start


def _paused_time(clock: SlaClock, now: datetime | None, clip: bool) -> timedelta:
    """Time covered by pauses; an open pause counts up to ``now``, ``clip`` cuts all pauses at ``now``."""
    total = _ZERO
    for start, end in clock.pauses:
        if end is None:
            if now is None:
                raise ValueError("the SLA clock is paused; pass now to get its due time")
            end = now
        if clip and now is not None:
            end = min(end, now)
        if end > start:
            total += _measure(clock, start, end)
    return total


def _base_due(clock: SlaClock) -> datetime:
    return add_sla_duration(clock.calendar, clock.started_at, clock.target)


def due_at(clock: SlaClock, now: datetime | None = None) -> datetime:
    """The due time (UTC): the target after the start, pushed back by the time the pauses covered.

    While the clock is paused the due time moves with the time, so ``now`` is then required.
    """
    now = None if now is None else _utc(now, "now")
    extension = _paused_time(clock, now, clip=False)
    base = _base_due(clock)
    if clock.target.business:
        return add_business_time(clock.calendar, base, extension)
    return base + extension


def elapsed(clock: SlaClock, now: datetime) -> timedelta:
    """Time counted against the SLA up to ``now`` (business or real time, pauses excluded)."""
    now = _utc(now, "now")
    if now <= clock.started_at:
        return _ZERO
    return max(_ZERO, _measure(clock, clock.started_at, now) - _paused_time(clock, now, clip=True))


def share_used(clock: SlaClock, now: datetime) -> float:
    """Elapsed time as a share of the target (1.0 at the due time, above 1.0 once overdue)."""
    total = _measure(clock, clock.started_at, _base_due(clock))
    if total <= _ZERO:
        # A zero target is used up from the first moment.
        return 1.0
    return elapsed(clock, now) / total


def _light(overdue: bool, share: float, amber_share: float) -> TrafficLight:
    if not 0.0 <= amber_share <= 1.0:
        raise ValueError("amber_share must lie between 0 and 1")
    if overdue:
        return TrafficLight.RED
    return TrafficLight.AMBER if share >= amber_share else TrafficLight.GREEN


def traffic_light(clock: SlaClock, now: datetime, amber_share: float = 0.75) -> TrafficLight:
    """Red once ``now`` is past the due time, amber from ``amber_share`` of the target, else green."""
    now = _utc(now, "now")
    return _light(now > due_at(clock, now), share_used(clock, now), amber_share)


def traffic_light_for(
    created_at: datetime, due_at: datetime | None, now: datetime, amber_share: float = 0.75
) -> TrafficLight:
    """The light of a task known only by its created and due times, in real time; no due time is green."""
    created, now = _utc(created_at, "created_at"), _utc(now, "now")
    if due_at is None:
        return _light(False, 0.0, amber_share)
    due = _utc(due_at, "due_at")
    total = due - created
    share = 1.0 if total <= _ZERO else (now - created) / total
    return _light(now > due, share, amber_share)


def sla_outcome(clock: SlaClock, met_at: datetime) -> SlaOutcome:
    """Whether the SLA was met at ``met_at`` (an open pause counts up to then), and how late it was."""
    met_at = _utc(met_at, "met_at")
    due = due_at(clock, met_at)
    return SlaOutcome(met=met_at <= due, due_at=due, met_at=met_at, overdue_by=max(_ZERO, met_at - due))
