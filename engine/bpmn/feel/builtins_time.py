"""FEEL temporal built-ins and the range functions of DMN 1.4 (before, meets, overlaps, ...)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.bpmn.feel import ops, wide
from engine.bpmn.feel.builtins_core import builtin
from engine.bpmn.feel.values import Range

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date(value: Any) -> dt.date:
    """A date or date-time as a ``datetime.date``; for a year Python cannot hold, a day in a year
    with the same calendar (weekdays, days and weeks of the year repeat every 400 years)."""
    if not (wide.is_date(value) or wide.is_date_time(value)):
        raise TypeError("not a date")
    return wide.base_of(value)


@builtin("day of year", "date")
def _day_of_year(value: Any) -> Any:
    return Decimal(_date(value).timetuple().tm_yday)


@builtin("day of week", "date")
def _day_of_week(value: Any) -> Any:
    return _DAYS[_date(value).weekday()]


@builtin("month of year", "date")
def _month_of_year(value: Any) -> Any:
    return _MONTHS[_date(value).month - 1]


@builtin("week of year", "date")
def _week_of_year(value: Any) -> Any:
    return Decimal(_date(value).isocalendar()[1])


@builtin("now", "")
def _now() -> Any:
    return dt.datetime.now(dt.UTC)


@builtin("today", "")
def _today() -> Any:
    return dt.date.today()


def _cmp(left: Any, right: Any) -> int:
    order = ops.compare(left, right)
    if order is None:
        raise TypeError("not comparable")
    return order


def _lt(left: Any, right: Any) -> bool:
    return _cmp(left, right) < 0


def _eq(left: Any, right: Any) -> bool:
    return _cmp(left, right) == 0


def _start_before(first: Range, second: Range) -> bool:
    """``first`` starts before ``second`` (an unbounded start is before everything)."""
    if first.unbounded_start:
        return not second.unbounded_start
    return not second.unbounded_start and _lt(first.start, second.start)


def _is_range(value: Any) -> bool:
    return type(value) is Range


_POINTS = "point1, point2"
_ALTS = ("point, range", "range, point", "range1, range2")


@builtin("before", _POINTS, alt=_ALTS)
def _before(first: Any, second: Any) -> Any:
    if _is_range(first) and _is_range(second):
        return _lt(first.end, second.start) or (
            _eq(first.end, second.start) and not (first.end_included and second.start_included)
        )
    if _is_range(first):
        return _lt(first.end, second) or (_eq(first.end, second) and not first.end_included)
    if _is_range(second):
        return _lt(first, second.start) or (_eq(first, second.start) and not second.start_included)
    return _lt(first, second)


@builtin("after", _POINTS, alt=_ALTS)
def _after(first: Any, second: Any) -> Any:
    if _is_range(first) and _is_range(second):
        return _lt(second.end, first.start) or (
            _eq(first.start, second.end) and not (first.start_included and second.end_included)
        )
    if _is_range(first):
        return _lt(second, first.start) or (_eq(first.start, second) and not first.start_included)
    if _is_range(second):
        return _lt(second.end, first) or (_eq(first, second.end) and not second.end_included)
    return _lt(second, first)


def _ranges(first: Any, second: Any) -> tuple[Range, Range]:
    if not _is_range(first) or not _is_range(second):
        raise TypeError("not ranges")
    return first, second


@builtin("meets", "range1, range2")
def _meets(first: Any, second: Any) -> Any:
    one, two = _ranges(first, second)
    return one.end_included and two.start_included and _eq(one.end, two.start)


@builtin("met by", "range1, range2")
def _met_by(first: Any, second: Any) -> Any:
    one, two = _ranges(first, second)
    return one.start_included and two.end_included and _eq(one.start, two.end)


def _overlaps(one: Range, two: Range) -> bool:
    ends_after_start = _lt(two.start, one.end) or (_eq(one.end, two.start) and one.end_included and two.start_included)
    starts_before_end = _lt(one.start, two.end) or (_eq(one.start, two.end) and one.start_included and two.end_included)
    return ends_after_start and starts_before_end


@builtin("overlaps", "range1, range2")
def _overlaps_builtin(first: Any, second: Any) -> Any:
    return _overlaps(*_ranges(first, second))


def _overlaps_before(one: Range, two: Range) -> bool:
    return (
        (_lt(one.start, two.start) or (_eq(one.start, two.start) and one.start_included and not two.start_included))
        and (_lt(two.start, one.end) or (_eq(one.end, two.start) and one.end_included and two.start_included))
        and (_lt(one.end, two.end) or (_eq(one.end, two.end) and (not one.end_included or two.end_included)))
    )


@builtin("overlaps before", "range1, range2")
def _overlaps_before_builtin(first: Any, second: Any) -> Any:
    return _overlaps_before(*_ranges(first, second))


@builtin("overlaps after", "range1, range2")
def _overlaps_after(first: Any, second: Any) -> Any:
    one, two = _ranges(first, second)
    return _overlaps_before(two, one)


@builtin("finishes", "point, range", alt=("range1, range2",))
def _finishes(first: Any, second: Any) -> Any:
    if not _is_range(second):
        raise TypeError("not a range")
    if not _is_range(first):
        return second.end_included and _eq(second.end, first)
    return (
        first.end_included == second.end_included
        and _eq(first.end, second.end)
        and (
            _lt(second.start, first.start)
            or (_eq(first.start, second.start) and (not first.start_included or second.start_included))
        )
    )


@builtin("finished by", "range, point", alt=("range1, range2",))
def _finished_by(first: Any, second: Any) -> Any:
    if not _is_range(first):
        raise TypeError("not a range")
    if not _is_range(second):
        return first.end_included and _eq(first.end, second)
    return _finishes(second, first)


def _includes(outer: Range, inner: Any) -> bool:
    if not _is_range(inner):
        return ops.in_range(inner, outer) is True if ops.in_range(inner, outer) is not None else _raise()
    return (
        _start_before(outer, inner)
        or (_eq(outer.start, inner.start) and (outer.start_included or not inner.start_included))
    ) and (_lt(inner.end, outer.end) or (_eq(outer.end, inner.end) and (outer.end_included or not inner.end_included)))


def _raise() -> bool:
    raise TypeError("not comparable")


@builtin("includes", "range, point", alt=("range1, range2",))
def _includes_builtin(first: Any, second: Any) -> Any:
    if not _is_range(first):
        raise TypeError("not a range")
    return _includes(first, second)


@builtin("during", "point, range", alt=("range1, range2",))
def _during(first: Any, second: Any) -> Any:
    if not _is_range(second):
        raise TypeError("not a range")
    return _includes(second, first)


@builtin("starts", "point, range", alt=("range1, range2",))
def _starts(first: Any, second: Any) -> Any:
    if not _is_range(second):
        raise TypeError("not a range")
    if not _is_range(first):
        return second.start_included and _eq(second.start, first)
    return (
        _eq(first.start, second.start)
        and first.start_included == second.start_included
        and (
            _lt(first.end, second.end)
            or (_eq(first.end, second.end) and (not first.end_included or second.end_included))
        )
    )


@builtin("started by", "range, point", alt=("range1, range2",))
def _started_by(first: Any, second: Any) -> Any:
    if not _is_range(first):
        raise TypeError("not a range")
    if not _is_range(second):
        return first.start_included and _eq(first.start, second)
    return _starts(second, first)


@builtin("coincides", _POINTS, alt=("range1, range2",))
def _coincides(first: Any, second: Any) -> Any:
    if _is_range(first) and _is_range(second):
        return (
            _eq(first.start, second.start)
            and first.start_included == second.start_included
            and _eq(first.end, second.end)
            and first.end_included == second.end_included
        )
    if _is_range(first) or _is_range(second):
        raise TypeError("a point and a range")
    return _eq(first, second)
