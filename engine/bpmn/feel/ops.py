"""FEEL operators: equality, ordering and arithmetic with null semantics.

Every operator returns null (``None``) for operands of the wrong or mixed types instead of
raising, as the specification asks.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from typing import Any

from engine.bpmn.feel import budget, temporal, wide
from engine.bpmn.feel.values import CONTEXT, Function, Range, YearsMonths

_ARITH_ERRORS = (
    decimal.InvalidOperation,
    decimal.DivisionByZero,
    ArithmeticError,
    OverflowError,
    ValueError,
    TypeError,
)


def kind(value: Any) -> type:
    """The FEEL type of a value as a Python class (``bool`` is not a number, date-time not a date)."""
    return type(value)


def equal(left: Any, right: Any) -> bool | None:
    """FEEL ``=``: null equals only null; different types are not comparable (null)."""
    if left is None or right is None:
        return left is None and right is None
    left_type, right_type = type(left), type(right)
    if left_type is not right_type:
        if left_type in wide.WIDE_TYPES or right_type in wide.WIDE_TYPES:
            return _wide_equal(left, right)
        return None
    if left_type is list:
        if len(left) != len(right):
            return False
        for one, other in zip(left, right, strict=True):
            same = equal(one, other)
            if same is not True:
                return same
        return True
    if left_type is dict:
        if set(left) != set(right):
            return False
        for key, item in left.items():
            same = equal(item, right[key])
            if same is not True:
                return same
        return True
    if left_type is dt.datetime:
        if (left.tzinfo is None) != (right.tzinfo is None):
            return False
        return bool(left == right)
    if left_type is dt.time:
        if (left.tzinfo is None) != (right.tzinfo is None):
            return False
        return bool(left == right)
    if left_type is Range:
        return (
            left.start_included == right.start_included
            and left.end_included == right.end_included
            and left.unbounded_start == right.unbounded_start
            and left.unbounded_end == right.unbounded_end
            and left.operator == right.operator
            and equal(left.start, right.start) is True
            and equal(left.end, right.end) is True
        )
    if left_type is Function:
        return left is right
    return bool(left == right)


def _wide_equal(left: Any, right: Any) -> bool | None:
    """``=`` of a wide date, date-time or time (``wide``) and a value of another Python type."""
    for same_kind in (wide.is_date, wide.is_date_time, wide.is_time):
        if same_kind(left) and same_kind(right):
            return bool(left == right)
    return None


_ORDERED = (Decimal, str, dt.date, dt.datetime, dt.time, dt.timedelta, *wide.WIDE_TYPES)


def compare(left: Any, right: Any) -> int | None:
    """-1, 0 or 1, or null when the values are not ordered against each other."""
    left_type = type(left)
    if left_type is not type(right) or left is None:
        if _wide_equal(left, right) is None:
            return None
        try:
            return int(left > right) - int(left < right)
        except TypeError:
            return None
    try:
        if left_type is YearsMonths:
            return (left.months > right.months) - (left.months < right.months)
        if left_type in _ORDERED:
            return int(left > right) - int(left < right)
    except TypeError:
        return None
    return None


def less(left: Any, right: Any) -> bool | None:
    order = compare(left, right)
    return None if order is None else order < 0


def less_equal(left: Any, right: Any) -> bool | None:
    order = compare(left, right)
    return None if order is None else order <= 0


def greater(left: Any, right: Any) -> bool | None:
    order = compare(left, right)
    return None if order is None else order > 0


def greater_equal(left: Any, right: Any) -> bool | None:
    order = compare(left, right)
    return None if order is None else order >= 0


def not_equal(left: Any, right: Any) -> bool | None:
    same = equal(left, right)
    return None if same is None else not same


COMPARISONS = {"=": equal, "!=": not_equal, "<": less, "<=": less_equal, ">": greater, ">=": greater_equal}


def _shift(value: Any, delta: Any, sign: int) -> Any:
    """A date, date-time or time moved by a duration."""
    value_type = type(value)
    if isinstance(delta, YearsMonths):
        if value_type is dt.time or value_type is wide.WideTime:
            return None
        return wide.add_months(value, sign * delta.months)
    if value_type is dt.time or value_type is wide.WideTime:
        return wide.shift_time(value, sign * delta)
    if value_type is dt.datetime:
        try:
            return value + sign * delta
        except OverflowError:
            pass  # beyond year 9999 or before year 1: a wide date-time
    return wide.add_delta(value, sign * delta)


_TEMPORAL = (dt.date, dt.datetime, dt.time, *wide.WIDE_TYPES)


def _is_temporal(value: Any) -> bool:
    return type(value) in _TEMPORAL


def _is_duration(value: Any) -> bool:
    return type(value) in (dt.timedelta, YearsMonths)


def _date_time_difference(left: Any, right: Any) -> dt.timedelta | None:
    """``left - right`` of dates and date-times (plain or wide): a date next to a date-time is midnight
    UTC; a date-time without a zone has no instant next to one with a zone."""
    if wide.is_date(left) and wide.is_date(right):
        return wide.difference(wide.midnight(left, None), wide.midnight(right, None))
    if wide.is_date(left):
        left = wide.midnight(left, dt.UTC)
    if wide.is_date(right):
        right = wide.midnight(right, dt.UTC)
    if (wide.base_of(left).tzinfo is None) != (wide.base_of(right).tzinfo is None):
        return None
    return wide.difference(left, right)


def add(left: Any, right: Any) -> Any:
    """FEEL ``+``."""
    left_type, right_type = type(left), type(right)
    try:
        if left_type is Decimal and right_type is Decimal:
            return CONTEXT.add(left, right)
        if left_type is str and right_type is str:
            budget.create(len(left) + len(right))
            return left + right
        if left_type is dt.timedelta and right_type is dt.timedelta:
            return left + right
        if left_type is YearsMonths and right_type is YearsMonths:
            return YearsMonths(left.months + right.months)
        if _is_temporal(left) and _is_duration(right):
            return _shift(left, right, 1)
        if _is_duration(left) and _is_temporal(right):
            return _shift(right, left, 1)
    except _ARITH_ERRORS:
        return None
    return None


_DAY_TYPES = (dt.date, dt.datetime, wide.WideDate, wide.WideDateTime)


def subtract(left: Any, right: Any) -> Any:
    """FEEL ``-``."""
    left_type, right_type = type(left), type(right)
    try:
        if left_type is Decimal and right_type is Decimal:
            return CONTEXT.subtract(left, right)
        if left_type is dt.timedelta and right_type is dt.timedelta:
            return left - right
        if left_type is YearsMonths and right_type is YearsMonths:
            return YearsMonths(left.months - right.months)
        if _is_temporal(left) and _is_duration(right):
            return _shift(left, right, -1)
        if wide.is_time(left) and wide.is_time(right):
            if (wide.base_of(left).tzinfo is None) != (wide.base_of(right).tzinfo is None):
                return None
            return wide.time_difference(left, right)
        if left_type in _DAY_TYPES and right_type in _DAY_TYPES:
            if left_type is dt.datetime and right_type is dt.datetime:
                if (left.tzinfo is None) != (right.tzinfo is None):
                    return None
                return left - right
            return _date_time_difference(left, right)
    except _ARITH_ERRORS:
        return None
    return None


def multiply(left: Any, right: Any) -> Any:
    """FEEL ``*``."""
    left_type, right_type = type(left), type(right)
    try:
        if left_type is Decimal and right_type is Decimal:
            return CONTEXT.multiply(left, right)
        if left_type is Decimal and right_type in (dt.timedelta, YearsMonths):
            left, right = right, left
            left_type, right_type = right_type, left_type
        if left_type is dt.timedelta and right_type is Decimal:
            return temporal.from_seconds(CONTEXT.multiply(temporal.seconds(left), right))
        if left_type is YearsMonths and right_type is Decimal:
            return YearsMonths(int(CONTEXT.multiply(Decimal(left.months), right)))
    except _ARITH_ERRORS:
        return None
    return None


def divide(left: Any, right: Any) -> Any:
    """FEEL ``/``; division by zero is null."""
    left_type, right_type = type(left), type(right)
    try:
        if left_type is Decimal and right_type is Decimal:
            return CONTEXT.divide(left, right)
        if left_type is dt.timedelta and right_type is Decimal:
            return temporal.from_seconds(CONTEXT.divide(temporal.seconds(left), right))
        if left_type is YearsMonths and right_type is Decimal:
            return YearsMonths(int(CONTEXT.divide(Decimal(left.months), right)))
        if left_type is dt.timedelta and right_type is dt.timedelta:
            return CONTEXT.divide(temporal.seconds(left), temporal.seconds(right))
        if left_type is YearsMonths and right_type is YearsMonths:
            return CONTEXT.divide(Decimal(left.months), Decimal(right.months))
    except _ARITH_ERRORS:
        return None
    return None


def power(left: Any, right: Any) -> Any:
    """FEEL ``**`` (an integral exponent is exact to 34 digits)."""
    if type(left) is not Decimal or type(right) is not Decimal:
        return None
    try:
        if right == right.to_integral_value():
            return CONTEXT.power(left, int(right))
        return CONTEXT.power(left, right)
    except _ARITH_ERRORS:
        return None


ARITHMETIC = {"+": add, "-": subtract, "*": multiply, "/": divide, "**": power}


def negate(value: Any) -> Any:
    if type(value) is Decimal:
        return CONTEXT.minus(value)
    if type(value) is dt.timedelta:
        return -value
    if type(value) is YearsMonths:
        return YearsMonths(-value.months)
    return None


def in_range(value: Any, bounds: Range) -> bool | None:
    """Whether ``value`` lies in the range (null when it cannot be compared with the endpoints)."""
    if bounds.operator == "!=":
        return not_equal(value, bounds.start)
    if not bounds.unbounded_start:
        order = compare(value, bounds.start)
        if order is None:
            return None
        if order < 0 or (order == 0 and not bounds.start_included):
            return False
    if not bounds.unbounded_end:
        order = compare(value, bounds.end)
        if order is None:
            return None
        if order > 0 or (order == 0 and not bounds.end_included):
            return False
    return True


def truthy(value: Any) -> bool:
    """A condition holds only for boolean true."""
    return value is True
