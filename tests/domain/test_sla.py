"""SLA clock: due time, pauses, elapsed share, traffic light, outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.domain.calendar import BusinessCalendar, SlaDuration
from engine.domain.sla import (
    Pause,
    SlaClock,
    SlaOutcome,
    TrafficLight,
    due_at,
    elapsed,
    is_paused,
    pause,
    resume,
    share_used,
    sla_outcome,
    traffic_light,
    traffic_light_for,
)

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
NRW = BusinessCalendar.office("Europe/Berlin", country="DE", subdivision="NW")
SOCIAL = BusinessCalendar.round_the_clock("Europe/Berlin")
EIGHT_WORKING_HOURS = SlaDuration(8 * H, business=True)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# Monday 2026-06-01 10:00 CEST, 8 working hours: 7h on Monday, 1h on Tuesday.
CLOCK = SlaClock(local(2026, 6, 1, 10), EIGHT_WORKING_HOURS, NRW)
# Paused Monday 14:00 until Tuesday 10:00: 3h + 2h of working time.
PAUSED_AND_RESUMED = resume(pause(CLOCK, local(2026, 6, 1, 14)), local(2026, 6, 2, 10))
STILL_PAUSED = pause(CLOCK, local(2026, 6, 1, 14))


def test_started_at_is_stored_in_utc() -> None:
    assert CLOCK.started_at == utc(2026, 6, 1, 8)
    assert CLOCK.started_at.tzinfo is UTC


def test_due_at_without_pauses() -> None:
    assert due_at(CLOCK) == utc(2026, 6, 2, 7)


def test_pause_and_resume_extend_due_by_covered_business_time() -> None:
    assert PAUSED_AND_RESUMED.pauses == (Pause(utc(2026, 6, 1, 12), utc(2026, 6, 2, 8)),)
    assert not is_paused(PAUSED_AND_RESUMED)
    assert due_at(PAUSED_AND_RESUMED) == local(2026, 6, 2, 14)


def test_pause_over_night_and_holiday_counts_only_working_time() -> None:
    # Paused Wednesday 16:00 to Friday 09:00 (Thursday is Fronleichnam): 1h + 1h.
    clock = SlaClock(local(2026, 6, 3, 9), EIGHT_WORKING_HOURS, NRW)
    assert due_at(clock) == local(2026, 6, 3, 17)
    clock = resume(pause(clock, local(2026, 6, 3, 16)), local(2026, 6, 5, 9))
    assert due_at(clock) == local(2026, 6, 5, 10)


def test_open_pause_needs_now_and_moves_the_due_time() -> None:
    assert is_paused(STILL_PAUSED)
    with pytest.raises(ValueError, match="paused"):
        due_at(STILL_PAUSED)
    assert due_at(STILL_PAUSED, now=local(2026, 6, 2, 9)) == local(2026, 6, 2, 13)
    assert due_at(STILL_PAUSED, now=local(2026, 6, 2, 12)) == local(2026, 6, 2, 16)


def test_pause_and_resume_misuse_is_rejected() -> None:
    with pytest.raises(ValueError, match="already paused"):
        pause(STILL_PAUSED, local(2026, 6, 1, 15))
    with pytest.raises(ValueError, match="not paused"):
        resume(CLOCK, local(2026, 6, 1, 15))
    with pytest.raises(ValueError):
        pause(CLOCK, local(2026, 6, 1, 9))  # before the clock started
    with pytest.raises(ValueError):
        resume(STILL_PAUSED, local(2026, 6, 1, 13))  # before the pause started
    with pytest.raises(ValueError):
        pause(PAUSED_AND_RESUMED, local(2026, 6, 2, 9))  # inside the previous pause
    with pytest.raises(ValueError, match="only the last pause"):
        SlaClock(
            CLOCK.started_at,
            EIGHT_WORKING_HOURS,
            NRW,
            (Pause(utc(2026, 6, 1, 9)), Pause(utc(2026, 6, 1, 10))),
        )


def test_elapsed_excludes_pauses() -> None:
    # Monday 10:00 to Tuesday 12:00 is 11 working hours, 5 of them paused.
    assert elapsed(PAUSED_AND_RESUMED, local(2026, 6, 2, 12)) == 6 * H
    # While paused, or looking back into the pause, the clock stands at 4h.
    assert elapsed(STILL_PAUSED, local(2026, 6, 1, 16)) == 4 * H
    assert elapsed(PAUSED_AND_RESUMED, local(2026, 6, 1, 16)) == 4 * H
    assert elapsed(CLOCK, local(2026, 6, 1, 9)) == timedelta(0)


def test_share_used() -> None:
    assert share_used(PAUSED_AND_RESUMED, local(2026, 6, 2, 11)) == 5 / 8
    assert share_used(PAUSED_AND_RESUMED, local(2026, 6, 2, 12)) == 0.75
    assert share_used(PAUSED_AND_RESUMED, local(2026, 6, 2, 16)) == 10 / 8


def test_traffic_light_thresholds() -> None:
    clock = PAUSED_AND_RESUMED  # due Tuesday 14:00
    assert traffic_light(clock, local(2026, 6, 2, 11, 59)) is TrafficLight.GREEN
    assert traffic_light(clock, local(2026, 6, 2, 12)) is TrafficLight.AMBER
    assert traffic_light(clock, local(2026, 6, 2, 14)) is TrafficLight.AMBER
    assert traffic_light(clock, local(2026, 6, 2, 14, 0, 1)) is TrafficLight.RED
    assert traffic_light(clock, local(2026, 6, 2, 10), amber_share=0.5) is TrafficLight.AMBER
    assert traffic_light(clock, local(2026, 6, 1, 13, 59), amber_share=0.5) is TrafficLight.GREEN
    assert TrafficLight.RED == "red"
    with pytest.raises(ValueError):
        traffic_light(clock, local(2026, 6, 2, 10), amber_share=1.5)


def test_a_paused_clock_does_not_turn_red() -> None:
    assert traffic_light(STILL_PAUSED, local(2026, 6, 10, 12)) is TrafficLight.GREEN


def test_after_hours_counts_nothing() -> None:
    # Monday 17:00 to Tuesday 08:00 is not working time: the light stays where it was.
    assert share_used(CLOCK, local(2026, 6, 1, 17)) == share_used(CLOCK, local(2026, 6, 2, 8)) == 7 / 8


def test_business_days_target_with_pause() -> None:
    # Friday 2026-05-29 10:00 + 5 business days (Thursday 4 June is a holiday) -> Monday 8 June 10:00.
    clock = SlaClock(local(2026, 5, 29, 10), SlaDuration(5, business=True), NRW)
    assert due_at(clock) == utc(2026, 6, 8, 8)
    # 45 working hours in all; by Wednesday 12:00, 7 + 9 + 9 + 4 of them.
    assert share_used(clock, local(2026, 6, 3, 12)) == 29 / 45
    paused = resume(pause(clock, local(2026, 6, 1, 8)), local(2026, 6, 1, 17))
    assert due_at(paused) == local(2026, 6, 9, 10)
    assert share_used(paused, local(2026, 6, 9, 10)) == 1.0


def test_calendar_mode_clock_runs_in_real_time() -> None:
    # PT4H on a 24/7 calendar, Saturday 10:00, paused 11:00-12:00.
    clock = SlaClock(local(2026, 6, 6, 10), SlaDuration(4 * H, business=False), SOCIAL)
    clock = resume(pause(clock, local(2026, 6, 6, 11)), local(2026, 6, 6, 12))
    assert due_at(clock) == utc(2026, 6, 6, 13)
    assert elapsed(clock, local(2026, 6, 6, 13)) == 2 * H
    # Calendar mode ignores office hours even on an office calendar.
    office = SlaClock(local(2026, 6, 6, 10), SlaDuration(4 * H, business=False), NRW)
    office = resume(pause(office, local(2026, 6, 6, 11)), local(2026, 6, 6, 11, 30))
    assert due_at(office) == local(2026, 6, 6, 14, 30)


def test_calendar_days_target_across_dst() -> None:
    # P1D from Saturday 12:00 CET is Sunday 12:00 CEST; a 30-minute pause adds 30 real minutes.
    clock = SlaClock(local(2026, 3, 28, 12), SlaDuration(1, business=False), SOCIAL)
    assert due_at(clock) == utc(2026, 3, 29, 10)
    clock = resume(pause(clock, local(2026, 3, 28, 13)), local(2026, 3, 28, 13, 30))
    assert due_at(clock) == utc(2026, 3, 29, 10, 30)


def test_zero_target_is_due_immediately() -> None:
    clock = SlaClock(local(2026, 6, 1, 10), SlaDuration(timedelta(0), business=True), NRW)
    assert due_at(clock) == utc(2026, 6, 1, 8)
    assert traffic_light(clock, local(2026, 6, 1, 10)) is TrafficLight.AMBER
    assert traffic_light(clock, local(2026, 6, 1, 10, 0, 1)) is TrafficLight.RED


def test_sla_outcome_met_and_missed() -> None:
    assert sla_outcome(CLOCK, local(2026, 6, 2, 8)) == SlaOutcome(
        met=True, due_at=utc(2026, 6, 2, 7), met_at=utc(2026, 6, 2, 6), overdue_by=timedelta(0)
    )
    late = sla_outcome(CLOCK, local(2026, 6, 3, 9))
    assert (late.met, late.overdue_by) == (False, 24 * H)
    # Closed while still paused: the pause counts up to the closing time (3h + 8h of working time).
    closed = sla_outcome(STILL_PAUSED, local(2026, 6, 2, 16))
    assert (closed.met, closed.due_at) == (True, local(2026, 6, 3, 11))


def test_traffic_light_for_created_and_due_times() -> None:
    created, due = utc(2026, 6, 1, 10), utc(2026, 6, 1, 18)
    assert traffic_light_for(created, None, utc(2026, 7, 1)) is TrafficLight.GREEN
    assert traffic_light_for(created, due, utc(2026, 6, 1, 15, 59)) is TrafficLight.GREEN
    assert traffic_light_for(created, due, utc(2026, 6, 1, 16)) is TrafficLight.AMBER
    assert traffic_light_for(created, due, utc(2026, 6, 1, 18)) is TrafficLight.AMBER
    assert traffic_light_for(created, due, utc(2026, 6, 1, 18, 0, 1)) is TrafficLight.RED
    assert traffic_light_for(created, due, utc(2026, 6, 1, 14), amber_share=0.5) is TrafficLight.AMBER
    assert traffic_light_for(created, created, created) is TrafficLight.AMBER
    assert traffic_light_for(created, created, utc(2026, 6, 1, 10, 1)) is TrafficLight.RED


@pytest.mark.parametrize(
    "call",
    [
        lambda: SlaClock(datetime(2026, 6, 1, 10), EIGHT_WORKING_HOURS, NRW),
        lambda: pause(CLOCK, datetime(2026, 6, 1, 14)),
        lambda: resume(STILL_PAUSED, datetime(2026, 6, 1, 15)),
        lambda: due_at(STILL_PAUSED, datetime(2026, 6, 1, 15)),
        lambda: elapsed(CLOCK, datetime(2026, 6, 1, 15)),
        lambda: traffic_light(CLOCK, datetime(2026, 6, 1, 15)),
        lambda: sla_outcome(CLOCK, datetime(2026, 6, 1, 15)),
        lambda: traffic_light_for(datetime(2026, 6, 1, 10), None, utc(2026, 6, 1, 11)),
        lambda: traffic_light_for(utc(2026, 6, 1, 10), datetime(2026, 6, 1, 12), utc(2026, 6, 1, 11)),
    ],
)
def test_naive_datetimes_are_rejected(call: object) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()  # type: ignore[operator]
