"""FEEL values that Python has no type for, and the decimal context every number uses.

Numbers are ``Decimal`` (34 significant digits, half-even, as the DMN specification's
IEEE 754-2008 Decimal128 asks), strings ``str``, booleans ``bool``, dates ``datetime.date``,
date-times ``datetime.datetime``, times ``datetime.time`` (those Python cannot hold, with years
outside 1-9999 or nanoseconds, are ``wide.WideDate``/``WideDateTime``/``WideTime``), days-and-time
durations ``datetime.timedelta``, lists ``list``, contexts ``dict``; null is ``None``.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.bpmn.feel import wide

CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=6144,
    Emin=-6143,
    traps=[decimal.DivisionByZero, decimal.InvalidOperation, decimal.Overflow],
)


class FeelError(Exception):
    """A FEEL expression that cannot be parsed or evaluated; ``position`` is an offset in its text."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class YearsMonths:
    """A years-and-months duration, held as a number of months (may be negative)."""

    months: int

    def __str__(self) -> str:
        months = abs(self.months)
        sign = "-" if self.months < 0 else ""
        years, rest = divmod(months, 12)
        if years and rest:
            return f"{sign}P{years}Y{rest}M"
        if years:
            return f"{sign}P{years}Y"
        return f"{sign}P{rest}M"


@dataclass(frozen=True, slots=True)
class Range:
    """An interval; ``unbounded_*`` marks the open side of ``< 10``; ``operator`` is set for the
    unary-test values ``= 10`` and ``!= 10``, which are not the same as ``[10..10]``."""

    start: Any
    end: Any
    start_included: bool
    end_included: bool
    unbounded_start: bool = False
    unbounded_end: bool = False
    operator: str | None = None


@dataclass(eq=False, slots=True)
class Function:
    """A FEEL function value: a user-defined lambda or a built-in.

    ``call`` takes the positional arguments already matched to ``params``; ``variadic`` built-ins
    take the rest of the positional arguments as one list. A built-in with several signatures lists
    the others in ``alt_params``; ``named_calls`` (main signature first, then each alternative) are
    what a call with named arguments runs once its names chose the signature, when the signatures'
    parameter types differ (``context put``'s ``key`` is a string, its ``keys`` a list).
    """

    params: list[str]
    call: Callable[..., Any]
    name: str = "anonymous"
    variadic: bool = False
    param_types: list[Any] = field(default_factory=list)
    result_type: Any = None
    optional: int = 0
    alt_params: list[list[str]] = field(default_factory=list)
    named_calls: list[Callable[..., Any]] = field(default_factory=list)


def is_number(value: object) -> bool:
    """``Decimal`` only: booleans are not numbers in FEEL."""
    return type(value) is decimal.Decimal


def number(value: Any) -> decimal.Decimal:
    """A Python int/float/str as a FEEL number (rounded to 34 digits)."""
    if isinstance(value, decimal.Decimal):
        return CONTEXT.plus(value)
    if isinstance(value, float):
        return CONTEXT.create_decimal(repr(value))
    return CONTEXT.create_decimal(value)


def format_number(value: decimal.Decimal) -> str:
    """A FEEL number as FEEL prints it: no exponent, no trailing zeros."""
    if value == 0:
        return "0"
    text = format(value.normalize(CONTEXT), "f")
    return text


def type_name(value: Any) -> str:
    """The FEEL type name of a value (for messages and ``instance of``)."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, decimal.Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (dt.datetime, wide.WideDateTime)):
        return "date and time"
    if isinstance(value, (dt.date, wide.WideDate)):
        return "date"
    if isinstance(value, (dt.time, wide.WideTime)):
        return "time"
    if isinstance(value, dt.timedelta):
        return "days and time duration"
    if isinstance(value, YearsMonths):
        return "years and months duration"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "context"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, Function):
        return "function"
    return "unknown"


def to_feel(value: Any) -> Any:
    """A Python value (from JSON, a process variable) as a FEEL value."""
    kind = type(value)
    # JSON's types first, by exact type: process variables are mostly these, and large payloads are
    # converted whenever a decision or a condition reads them.
    if kind is str or kind is bool or value is None:
        return value
    if kind is dict:
        return {key if type(key) is str else str(key): to_feel(item) for key, item in value.items()}
    if kind is int:
        return CONTEXT.create_decimal(value)
    if kind is float:
        return CONTEXT.create_decimal(repr(value))
    if kind is list:
        return [to_feel(item) for item in value]
    if isinstance(value, (bool, str, decimal.Decimal)):
        return value
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, dict):
        return {str(key): to_feel(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_feel(item) for item in value]
    return value


class FeelInputs(dict[str, Any]):
    """Input values (process variables) that become FEEL values when first read: a process may hold
    far more data than a decision reads (a payload of 50 dispute positions for a 3-input table), and
    converting all of it on every evaluation cost most of the evaluation's time."""

    __slots__ = ("_done",)

    def __init__(self, values: Any) -> None:
        super().__init__(values)
        self._done: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        value = dict.__getitem__(self, key)
        if key not in self._done:
            value = to_feel(value)
            dict.__setitem__(self, key, value)
            self._done.add(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        """``value`` is a FEEL value already."""
        dict.__setitem__(self, key, value)
        self._done.add(key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[key] if key in self else default  # noqa: SIM401 - get() would recurse into itself


def feel_inputs(values: Mapping[str, Any]) -> dict[str, Any]:
    """Input values as FEEL values: converted now when they are all scalars (the common case: a plain
    dict is the fastest to read), else converted as they are read (``FeelInputs``)."""
    if any(type(value) in (dict, list) for value in values.values()):
        return FeelInputs(values)
    return {key: to_feel(value) for key, value in values.items()}


def to_python(value: Any) -> Any:
    """A FEEL value as plain Python: integral numbers become ``int``, others ``float`` stays Decimal-free."""
    if isinstance(value, decimal.Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, dict):
        return {key: to_python(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_python(item) for item in value]
    if type(value) in wide.WIDE_TYPES:
        return wide.iso_text(value)  # no Python type holds it
    return value
