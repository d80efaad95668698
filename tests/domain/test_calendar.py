"""Business calendar: working hours, holidays, closing days, DST, 24/7, duration specs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.domain.calendar import (
    END_OF_DAY,
    BusinessCalendar,
    SlaDuration,
    add_business_days,
    add_business_time,
    add_sla_duration,
    business_time_between,
    close_of_business,
    is_working_day,
    is_working_time,
    parse_hours,
    parse_sla_duration,
)

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)

NRW = BusinessCalendar.office("Europe/Berlin", country="DE", subdivision="NW")
NRW_CLOSED_AT_YEAR_END = BusinessCalendar.office(
    "Europe/Berlin",
    country="DE",
    subdivision="NW",
    closing_days={date(2026, 12, 24), date(2026, 12, 31)},
)
NO_HOLIDAYS = BusinessCalendar.office("Europe/Berlin")
LUNCH = BusinessCalendar.office("Europe/Berlin", "08:00-12:00, 13:00-17:00")
ALL_DAY = BusinessCalendar.office("Europe/Berlin", "00:00-24:00", weekdays=range(7))
NIGHT_SHIFT = BusinessCalendar.office("Europe/Berlin", "01:00-04:00", weekdays=range(7))
SOCIAL = BusinessCalendar.round_the_clock("Europe/Berlin")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_add_business_time_within_one_day_returns_utc() -> None:
    due = add_business_time(NRW, local(2026, 6, 1, 10), 4 * H)
    assert due == utc(2026, 6, 1, 12)
    assert due.tzinfo is UTC


def test_add_business_time_rolls_over_to_next_morning() -> None:
    # Monday 15:00 + 8h: 2h on Monday, 6h on Tuesday from 08:00.
    assert add_business_time(NRW, local(2026, 6, 1, 15), 8 * H) == local(2026, 6, 2, 14)


def test_duration_that_fills_the_day_ends_at_closing_time() -> None:
    assert add_business_time(NRW, local(2026, 6, 1, 8), 9 * H) == utc(2026, 6, 1, 15)


def test_start_before_opening_and_on_weekend_wait_for_working_hours() -> None:
    assert add_business_time(NRW, local(2026, 6, 1, 6), H) == local(2026, 6, 1, 9)
    assert add_business_time(NRW, local(2026, 5, 30, 11), H) == local(2026, 6, 1, 9)


def test_weekend_is_skipped() -> None:
    # Friday 2026-05-29 16:00 + 2h -> Monday 09:00 CEST.
    assert add_business_time(NRW, local(2026, 5, 29, 16), 2 * H) == utc(2026, 6, 1, 7)


def test_zero_duration_returns_start_and_negative_is_rejected() -> None:
    assert add_business_time(NRW, local(2026, 5, 30, 11), timedelta(0)) == utc(2026, 5, 30, 9)
    with pytest.raises(ValueError):
        add_business_time(NRW, local(2026, 6, 1, 10), -H)


def test_corpus_christi_is_a_holiday_in_nrw_only_with_holidays_enabled() -> None:
    assert not is_working_day(NRW, date(2026, 6, 4))
    assert is_working_day(NO_HOLIDAYS, date(2026, 6, 4))
    # Wednesday 16:00 + 2h: Thursday is Fronleichnam, so Friday 09:00.
    assert add_business_time(NRW, local(2026, 6, 3, 16), 2 * H) == local(2026, 6, 5, 9)
    assert add_business_time(NO_HOLIDAYS, local(2026, 6, 3, 16), 2 * H) == local(2026, 6, 4, 9)


def test_corpus_christi_is_not_a_holiday_in_berlin_state() -> None:
    berlin_state = BusinessCalendar.office("Europe/Berlin", country="DE", subdivision="BE")
    assert is_working_day(berlin_state, date(2026, 6, 4))


def test_all_saints_on_sunday_gives_no_substitute_monday() -> None:
    assert not is_working_day(NRW, date(2026, 11, 1))
    assert is_working_day(NRW, date(2026, 11, 2))
    # Friday 2026-10-30 16:00 CET + 2h -> Monday 09:00 CET = 08:00 UTC.
    assert add_business_time(NRW, local(2026, 10, 30, 16), 2 * H) == utc(2026, 11, 2, 8)


def test_christmas_and_company_closing_days() -> None:
    # 24 Dec (Thu) closed by the company, 25/26 Dec holidays, then the weekend.
    assert add_business_time(NRW_CLOSED_AT_YEAR_END, local(2026, 12, 23, 16), 2 * H) == local(2026, 12, 28, 9)
    assert add_business_time(NRW, local(2026, 12, 23, 16), 2 * H) == local(2026, 12, 24, 9)


def test_new_year_across_the_year_end() -> None:
    start = local(2026, 12, 30, 10)
    # 31 Dec closed, 1 Jan 2027 holiday (Friday), weekend -> Monday 4 Jan 2027 10:00 CET.
    assert add_business_days(NRW_CLOSED_AT_YEAR_END, start, 1) == utc(2027, 1, 4, 9)
    assert add_business_days(NRW, start, 1) == utc(2026, 12, 31, 9)
    assert add_business_days(NRW, start, 2) == utc(2027, 1, 4, 9)
    between = business_time_between(NRW_CLOSED_AT_YEAR_END, local(2026, 12, 30, 8), local(2027, 1, 4, 17))
    assert between == 18 * H


def test_business_time_between_and_reverse_order() -> None:
    # Monday 10:00 to Wednesday 12:00: 7h + 9h + 4h.
    assert business_time_between(NRW, local(2026, 6, 1, 10), local(2026, 6, 3, 12)) == 20 * H
    assert business_time_between(NRW, local(2026, 6, 3, 12), local(2026, 6, 1, 10)) == -20 * H
    assert business_time_between(NRW, local(2026, 5, 30, 8), local(2026, 5, 31, 20)) == timedelta(0)


def test_is_working_time_boundaries() -> None:
    assert is_working_time(NRW, local(2026, 6, 1, 8))
    assert is_working_time(NRW, local(2026, 6, 1, 16, 59))
    assert not is_working_time(NRW, local(2026, 6, 1, 17))
    assert not is_working_time(NRW, local(2026, 6, 1, 7, 59))
    assert not is_working_time(NRW, local(2026, 6, 4, 10))  # Fronleichnam
    assert not is_working_time(NRW, local(2026, 6, 6, 10))  # Saturday
    # 06:30 UTC is 08:30 in Berlin in summer.
    assert is_working_time(NRW, utc(2026, 6, 1, 6, 30))


def test_lunch_break_is_not_working_time() -> None:
    assert add_business_time(LUNCH, local(2026, 6, 1, 11), 2 * H) == local(2026, 6, 1, 14)
    assert add_business_time(LUNCH, local(2026, 6, 1, 8), 4 * H) == local(2026, 6, 1, 12)
    assert business_time_between(LUNCH, local(2026, 6, 1, 7), local(2026, 6, 1, 18)) == 8 * H
    assert is_working_time(LUNCH, local(2026, 6, 1, 11, 59))
    assert not is_working_time(LUNCH, local(2026, 6, 1, 12))
    assert not is_working_time(LUNCH, local(2026, 6, 1, 12, 30))
    assert is_working_time(LUNCH, local(2026, 6, 1, 13))


def test_spring_forward_weekend_keeps_local_office_hours() -> None:
    # Friday 16:00 CET (15:00 UTC) + 2h -> Monday 09:00 CEST (07:00 UTC).
    assert add_business_time(NRW, local(2026, 3, 27, 16), 2 * H) == utc(2026, 3, 30, 7)
    assert business_time_between(NRW, local(2026, 3, 27, 8), local(2026, 3, 30, 17)) == 18 * H
    assert add_business_days(NRW, local(2026, 3, 27, 10), 1) == utc(2026, 3, 30, 8)


def test_fall_back_weekend_keeps_local_office_hours() -> None:
    assert add_business_time(NRW, local(2026, 10, 23, 16), 2 * H) == utc(2026, 10, 26, 8)
    assert add_business_days(NRW, local(2026, 10, 23, 10), 1) == utc(2026, 10, 26, 9)


def test_dst_days_are_23_and_25_hours_long() -> None:
    assert business_time_between(ALL_DAY, local(2026, 3, 29), local(2026, 3, 30)) == 23 * H
    assert business_time_between(ALL_DAY, local(2026, 10, 25), local(2026, 10, 26)) == 25 * H
    assert business_time_between(ALL_DAY, local(2026, 3, 28), local(2026, 3, 29)) == 24 * H
    # A full day of working time starting Saturday 12:00 CET ends Sunday 13:00 CEST.
    assert add_business_time(ALL_DAY, local(2026, 3, 28, 12), 24 * H) == utc(2026, 3, 29, 11)


def test_interval_across_the_dst_change_is_shorter_or_longer() -> None:
    # 01:00-04:00 wall time: 02:00-03:00 is skipped in spring and repeated in autumn.
    assert business_time_between(NIGHT_SHIFT, local(2026, 3, 29), local(2026, 3, 30)) == 2 * H
    assert business_time_between(NIGHT_SHIFT, local(2026, 10, 25), local(2026, 10, 26)) == 4 * H
    assert add_business_time(NIGHT_SHIFT, local(2026, 10, 25, 1), 3 * H) == utc(2026, 10, 25, 2)


def test_round_the_clock_calendar_counts_calendar_time_and_ignores_holidays() -> None:
    assert add_business_time(SOCIAL, local(2026, 12, 26, 22), 8 * H) == local(2026, 12, 27, 6)
    assert is_working_time(SOCIAL, local(2026, 12, 25, 3))
    assert add_business_days(SOCIAL, local(2026, 12, 24, 10), 2) == local(2026, 12, 26, 10)
    assert business_time_between(SOCIAL, local(2026, 10, 25), local(2026, 10, 26)) == 25 * H


def test_calendar_days_keep_wall_time_over_dst() -> None:
    one_day = SlaDuration(1, business=False)
    # Saturday 12:00 CET + 1 calendar day = Sunday 12:00 CEST, 23 hours later.
    assert add_sla_duration(SOCIAL, local(2026, 3, 28, 12), one_day) == utc(2026, 3, 29, 10)
    assert add_sla_duration(SOCIAL, local(2026, 3, 28, 12), SlaDuration(24 * H, False)) == utc(2026, 3, 29, 11)
    # 02:30 does not exist on 29 March; the wall time moves forward to 03:30 CEST.
    assert add_sla_duration(SOCIAL, local(2026, 3, 28, 2, 30), one_day) == utc(2026, 3, 29, 1, 30)


def test_add_business_days_semantics() -> None:
    # Saturday 10:00 + 5 business days: Mon 1, Tue 2, Wed 3, (Thu holiday), Fri 4, Mon 5.
    assert add_business_days(NRW, local(2026, 5, 30, 10), 5) == local(2026, 6, 8, 10)
    # After-hours start keeps its wall time.
    assert add_business_days(NRW, local(2026, 6, 1, 22), 1) == local(2026, 6, 2, 22)
    assert add_business_days(NRW, local(2026, 6, 1, 22), 0) == utc(2026, 6, 1, 20)
    with pytest.raises(ValueError):
        add_business_days(NRW, local(2026, 6, 1, 10), -1)


def test_add_sla_duration_dispatches_on_mode() -> None:
    start = local(2026, 6, 1, 15)
    assert add_sla_duration(NRW, start, SlaDuration(8 * H, True)) == local(2026, 6, 2, 14)
    assert add_sla_duration(NRW, start, SlaDuration(8 * H, False)) == local(2026, 6, 1, 23)
    assert add_sla_duration(NRW, start, SlaDuration(3, True)) == local(2026, 6, 5, 15)
    assert add_sla_duration(NRW, start, SlaDuration(3, False)) == local(2026, 6, 4, 15)


def test_other_input_zones_are_accepted() -> None:
    new_york = ZoneInfo("America/New_York")
    # 09:00 EDT = 15:00 in Berlin: 2h left on Monday, 1h on Tuesday.
    start = datetime(2026, 6, 1, 9, tzinfo=new_york)
    assert add_business_time(NRW, start, 3 * H) == local(2026, 6, 2, 9)


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_business_time(NRW, datetime(2026, 6, 1, 10), H),
        lambda: add_business_days(NRW, datetime(2026, 6, 1, 10), 1),
        lambda: business_time_between(NRW, datetime(2026, 6, 1, 10), local(2026, 6, 1, 12)),
        lambda: business_time_between(NRW, local(2026, 6, 1, 10), datetime(2026, 6, 1, 12)),
        lambda: is_working_time(NRW, datetime(2026, 6, 1, 10)),
        lambda: add_sla_duration(SOCIAL, datetime(2026, 6, 1, 10), SlaDuration(1, False)),
    ],
)
def test_naive_datetimes_are_rejected(call: object) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("5 business days", SlaDuration(5, True)),
        ("1 working day", SlaDuration(1, True)),
        ("8 working hours", SlaDuration(8 * H, True)),
        ("30 business minutes", SlaDuration(timedelta(minutes=30), True)),
        ("3 calendar days", SlaDuration(3, False)),
        ("4 hours", SlaDuration(4 * H, False)),
        ("  2 Days ", SlaDuration(2, False)),
        ("PT4H", SlaDuration(4 * H, False)),
        ("PT1H30M", SlaDuration(timedelta(hours=1, minutes=30), False)),
        ("P5D", SlaDuration(5, False)),
        ("P2W", SlaDuration(14, False)),
        ("P1DT2H", SlaDuration(26 * H, False)),
        ("pt45s", SlaDuration(timedelta(seconds=45), False)),
    ],
)
def test_parse_sla_duration(spec: str, expected: SlaDuration) -> None:
    assert parse_sla_duration(spec) == expected


def test_parse_sla_duration_default_mode_applies_only_without_explicit_mode() -> None:
    assert parse_sla_duration("PT8H", business=True) == SlaDuration(8 * H, True)
    assert parse_sla_duration("P5D", business=True) == SlaDuration(5, True)
    assert parse_sla_duration("2 calendar days", business=True) == SlaDuration(2, False)


@pytest.mark.parametrize("spec", ["", "P", "PT", "P1DT", "P1M", "P1Y", "five days", "-5 days", "5 fortnights"])
def test_parse_sla_duration_rejects_nonsense(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_sla_duration(spec)


def test_parse_hours() -> None:
    assert parse_hours("08:00-12:00, 13:00-17:00") == ((time(8), time(12)), (time(13), time(17)))
    assert parse_hours("00:00-24:00") == ((time(0), END_OF_DAY),)
    for bad in ("8-17", "12:00-08:00", "08:00-12:00, 11:00-17:00"):
        with pytest.raises(ValueError):
            parse_hours(bad)


@pytest.mark.parametrize(
    "make",
    [
        lambda: BusinessCalendar.office("Mars/Olympus_Mons"),
        lambda: BusinessCalendar.office("Europe/Berlin", country="XX"),
        lambda: BusinessCalendar.office("Europe/Berlin", country="DE", subdivision="ZZ"),
        lambda: BusinessCalendar.office("Europe/Berlin", subdivision="NW"),
        lambda: BusinessCalendar.office("Europe/Berlin", weekdays=()),
        lambda: BusinessCalendar("Europe/Berlin", hours=((),) * 5),
    ],
)
def test_invalid_calendars_are_rejected(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


def test_calendar_is_hashable_value() -> None:
    again = BusinessCalendar.office("Europe/Berlin", country="DE", subdivision="NW")
    assert again == NRW
    assert hash(again) == hash(NRW)


def test_close_of_business_follows_summer_time() -> None:
    # 17:00 in Berlin is 16:00 UTC in winter and 15:00 UTC in summer; a fixed +01:00 would be wrong in June.
    assert close_of_business(NRW, date(2026, 11, 26)) == utc(2026, 11, 26, 16)
    assert close_of_business(NRW, date(2026, 6, 17)) == utc(2026, 6, 17, 15)


def test_close_of_business_on_a_free_day_is_the_previous_working_days_close() -> None:
    assert close_of_business(NRW, date(2026, 11, 28)) == local(2026, 11, 27, 17)  # Saturday -> Friday
    assert close_of_business(NRW_CLOSED_AT_YEAR_END, date(2026, 12, 26)) == local(2026, 12, 23, 17)
    assert close_of_business(LUNCH, date(2026, 11, 26)) == local(2026, 11, 26, 17)


def test_close_of_business_of_a_round_the_clock_calendar_is_local_midnight() -> None:
    assert close_of_business(SOCIAL, date(2026, 6, 17)) == local(2026, 6, 18)
