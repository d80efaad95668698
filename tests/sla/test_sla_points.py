"""Points on an SLA clock (the reminder / amber moment), with and without pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.domain.calendar import BusinessCalendar, SlaDuration
from engine.domain.sla import SlaClock, due_at, pause, resume
from engine.domain.sla_points import point_at, target_length

H = timedelta(hours=1)
NRW = BusinessCalendar.office("Europe/Berlin", country="DE", subdivision="NW")
SOCIAL = BusinessCalendar.round_the_clock("Europe/Berlin")
MONDAY_10 = datetime(2026, 11, 23, 9, tzinfo=UTC)  # 10:00 in Berlin
TWO_DAYS = SlaClock(MONDAY_10, SlaDuration(2, business=True), NRW)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_without_pauses() -> None:
    assert target_length(TWO_DAYS) == 18 * H  # Mon 7 h, Tue 9 h, Wed 2 h
    assert point_at(TWO_DAYS, 0.0) == MONDAY_10
    assert point_at(TWO_DAYS, 0.75) == utc(24, 13, 30)
    assert point_at(TWO_DAYS, 1.0) == due_at(TWO_DAYS) == utc(25, 9)


def test_real_time_clock() -> None:
    clock = SlaClock(MONDAY_10, SlaDuration(8 * H, business=False), SOCIAL)
    assert point_at(clock, 0.75) == MONDAY_10 + 6 * H


def test_a_pause_before_the_point_pushes_it_back() -> None:
    # Paused Monday 12:00-Tuesday 12:00 Berlin (9 working hours): 2 h before, 11.5 h after the pause.
    clock = resume(pause(TWO_DAYS, utc(23, 11)), utc(24, 11))
    assert point_at(clock, 0.75) == utc(25, 13, 30)


def test_a_pause_after_the_point_leaves_it() -> None:
    clock = resume(pause(TWO_DAYS, utc(24, 15)), utc(25, 10))
    assert point_at(clock, 0.75) == utc(24, 13, 30)
    assert due_at(clock) > utc(25, 9)  # the due time still moves


def test_an_open_pause_counts_until_now() -> None:
    clock = pause(TWO_DAYS, utc(23, 11))
    with pytest.raises(ValueError, match="pass now"):
        point_at(clock, 0.75)
    # Still paused on Tuesday 12:00 Berlin: as if resumed then.
    assert point_at(clock, 0.75, now=utc(24, 11)) == utc(25, 13, 30)


def test_share_out_of_range() -> None:
    with pytest.raises(ValueError, match="share"):
        point_at(TWO_DAYS, 1.5)
