"""FEEL dates and times beyond Python's datetime: years before 1 and after 9999, nanoseconds."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from engine.bpmn.feel import YearsMonths, evaluate, ops, temporal, to_python, wide


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Years as ISO 8601 counts them (year 0 is 1 BC), printed with at least four digits.
        ('string(date("-2021-01-01") + duration("P1D"))', "-2021-01-02"),
        ('string(date("-2021-01-01") - duration("P1D"))', "-2022-12-31"),
        ('string(date("0001-01-01") - duration("P1D"))', "0000-12-31"),
        ('string(date("9999-12-31") + duration("P1D"))', "10000-01-01"),
        ('string(date("-0001-03-01") - duration("P1D"))', "-0001-02-28"),
        ('string(date("-0004-03-01") - duration("P1D"))', "-0004-02-29"),
        ('string(@"-2021-01-31T10:10:10+11:00" + @"P1M")', "-2021-02-28T10:10:10+11:00"),
        ('string(@"-2021-01-01T10:10:10@Australia/Melbourne" - @"PT11H")', "-2022-12-31T23:10:10@Australia/Melbourne"),
        ('string(date and time("9999-12-31T23:00:00Z") + duration("PT2H"))', "10000-01-01T01:00:00Z"),
        ("string(date(999999999, 12, 31))", "999999999-12-31"),
        ('string(date("-999999999-12-31"))', "-999999999-12-31"),
        ('date("9999999999-12-25")', None),
        ('date("01211-12-31")', None),
        ('date("-999999999-01-01") - duration("P1Y")', None),
        # Differences, order, properties and calendar functions across the range.
        ('date("10000-01-01") - date("9999-12-31")', dt.timedelta(days=1)),
        ('date("2024-01-01") - date("-2024-01-01")', dt.timedelta(days=1478502)),
        ('date("10000-01-01") > date("9999-12-31")', True),
        ('date("-0005-01-01") < date("0001-01-01")', True),
        ('date("-0005-01-01") in [date("-0010-01-01")..date("2000-01-01")]', True),
        ('date("-0005-01-01") = date("-0005-01-01")', True),
        ('date("-0005-01-01") = date("0395-01-01")', False),
        ('date("-0001-12-31").year', Decimal(-1)),
        ('date("12345-06-07").month', Decimal(6)),
        ('day of week(date("-0001-01-01"))', "Friday"),
        ('day of week(date("10000-01-01"))', "Saturday"),
        ('date("-0005-01-01") instance of date', True),
        ('@"-0005-01-01T00:00:00" instance of date and time', True),
        ('string(years and months duration(date("-2021-01-31"), date("2021-03-01")))', "P4042Y1M"),
        ('string(years and months duration(date("-2016-01-30"), date("-2017-02-28")))', "-P11M"),
        ('string(date(date and time("12345-06-07T01:02:03")))', "12345-06-07"),
        (
            'string(sort([date("20000-01-01"), date("-0005-01-01"), date("2020-01-01")]))',
            "[-0005-01-01, 2020-01-01, 20000-01-01]",
        ),
        # Nanoseconds are kept and printed; equality and order look at whole milliseconds.
        ('string(time("10:30:00.123456789"))', "10:30:00.123456789"),
        ('time("10:30:00.123456789").second', Decimal("0.123456789")),
        ("string(time(10, 30, 0.123456789))", "10:30:00.123456789"),
        ('time(10, 30, 0.0005) = time("10:30:00")', True),
        (
            'string(date and time("2011-12-31T10:15:30.123456789@Europe/Paris"))',
            "2011-12-31T10:15:30.123456789@Europe/Paris",
        ),
        ('string(date and time(date("2017-01-01"), time("23:59:01.123456789Z")))', "2017-01-01T23:59:01.123456789Z"),
        ('string(time(date and time("12345-06-07T01:02:03.000000001Z")))', "01:02:03.000000001Z"),
        ('string(time("10:30:00.0001") + duration("PT0.0009S"))', "10:30:00.001"),
        (
            'date and time("2018-12-10T10:30:00.0001") - date and time("2018-12-10T10:30:00")',
            dt.timedelta(microseconds=100),
        ),
        ('time("10:30:00.0001") = time("10:30:00.0002")', True),
        ('time("10:30:00.0001") < time("10:30:00.001")', True),
        ('date and time("2018-12-08T00:00:00.0001") = date and time("2018-12-08T00:00:00")', True),
        ('date and time("2018-12-08T00:00:00.0001") = date and time("2018-12-08T00:00:00Z")', False),
        ('time("10:30:00.0001") = date("2018-12-08")', None),
    ],
)
def test_wide_values(text: str, expected: object) -> None:
    assert evaluate(text) == expected


def test_wide_values_leave_feel_as_text() -> None:
    """Process variables cannot hold a year Python has no date for: such a result is its ISO text."""
    value = evaluate('date("-0044-03-15")')
    assert isinstance(value, wide.WideDate)
    assert to_python(value) == "-0044-03-15"
    assert to_python(evaluate('date("2020-03-15")')) == dt.date(2020, 3, 15)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def test_wide_dates_agree_with_the_proleptic_gregorian_calendar() -> None:
    """Adding days and months, differences, order and the ISO text agree with the calendar's rules for
    years far outside Python's range (a fixed seed: the same cases every run)."""
    randomness = random.Random(16)
    for _ in range(2000):
        year, month = randomness.randint(-(10**6), 10**6), randomness.randint(1, 12)
        lengths = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        value = wide.date_of(year, month, randomness.randint(1, lengths[month - 1]))
        assert temporal.parse_date(temporal.format_temporal(value)) == value
        days = randomness.randint(-(10**6), 10**6)
        moved = ops.add(value, dt.timedelta(days=days))
        assert ops.subtract(moved, value) == dt.timedelta(days=days)
        assert ops.compare(moved, value) == (days > 0) - (days < 0)
        months = randomness.randint(-5000, 5000)
        new_year, new_month, new_day, _ = wide.fields(ops.add(value, YearsMonths(months)))
        assert new_year * 12 + new_month == year * 12 + month + months
        new_lengths = [31, 29 if _leap(new_year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        assert new_day == min(wide.fields(value)[2], new_lengths[new_month - 1])
