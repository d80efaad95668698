"""FEEL built-ins: conversion functions, boolean and context functions, and the registry."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.bpmn.feel import ops, temporal, wide
from engine.bpmn.feel.scope import BUILTINS
from engine.bpmn.feel.values import CONTEXT, Function, Range, YearsMonths, format_number


def builtin(
    name: str, params: str, optional: int = 0, variadic: bool = False, alt: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a built-in; ``params`` and ``alt`` are comma-separated parameter names."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        BUILTINS[name] = Function(
            [param.strip() for param in params.split(",")] if params else [],
            function,
            name=name,
            variadic=variadic,
            optional=optional,
            alt_params=[[param.strip() for param in names.split(",")] for names in alt],
        )
        return function

    return register


def integer(value: Any) -> int:
    """A FEEL number that must be whole (raises ``ValueError`` otherwise)."""
    if type(value) is not Decimal or value != value.to_integral_value():
        raise ValueError("not an integer")
    return int(value)


@builtin("date", "year, month, day", optional=2, alt=("from",))
def _date(first: Any, month: Any = None, day: Any = None) -> Any:
    if month is None and day is None:
        if type(first) is str:
            return temporal.parse_date(first)
        if wide.is_date_time(first):
            return wide.date_part(first)
        if wide.is_date(first):
            return first
        return None
    return wide.date_of(integer(first), integer(month), integer(day))


@builtin("date and time", "date, time", optional=1, alt=("from",))
def _date_and_time(first: Any, clock: Any = None) -> Any:
    if clock is None:
        if type(first) is str:
            return temporal.parse_date_time(first)
        return None
    if not wide.is_time(clock):
        return None
    if wide.is_date_time(first):
        return wide.date_time_of(wide.date_part(first), clock)
    return wide.date_time_of(first, clock) if wide.is_date(first) else None


@builtin("time", "hour, minute, second, offset", optional=3, alt=("from",))
def _time(first: Any, minute: Any = None, second: Any = None, offset: Any = None) -> Any:
    if minute is None and second is None:
        if type(first) is str:
            return temporal.parse_time(first)
        if wide.is_date_time(first):
            return wide.time_part(first)
        if wide.is_time(first):
            return first
        if wide.is_date(first):
            return dt.time(0, 0, 0, tzinfo=dt.UTC)
        return None
    if type(second) is not Decimal:
        return None
    whole = int(second)
    nanos = int((second - whole) * 1_000_000_000)  # kept to the nanosecond, as time("...") does
    zone = None
    if offset is not None:
        if type(offset) is not dt.timedelta:
            return None
        zone = dt.timezone(offset)
    clock = dt.time(integer(first), integer(minute), whole, nanos // 1_000_000 * 1000, tzinfo=zone)
    return wide.time_of(clock, nanos % 1_000_000)


@builtin("duration", "from")
def _duration(text: Any) -> Any:
    return temporal.parse_duration(text) if type(text) is str else None


@builtin("years and months duration", "from, to")
def _years_and_months(start: Any, end: Any) -> Any:
    days = []
    for value in (start, end):
        if wide.is_date_time(value):
            value = wide.date_part(value)
        if not wide.is_date(value):
            return None
        days.append(value)
    return YearsMonths(temporal.months_between(days[0], days[1]))


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@builtin("number", "from, grouping separator, decimal separator", optional=2)
def _number(text: Any, grouping: Any = None, decimal_separator: Any = None) -> Any:
    if type(text) is not str:
        return None
    if grouping not in (None, " ", ",", ".") or decimal_separator not in (None, ",", "."):
        return None
    if grouping is not None and grouping == decimal_separator:
        return None
    if grouping:
        text = text.replace(grouping, "")
    if decimal_separator:
        text = text.replace(decimal_separator, ".")
    if not _NUMBER.fullmatch(text):
        return None
    return CONTEXT.create_decimal(text)


_TEMPORAL = (dt.date, dt.datetime, dt.time, dt.timedelta, YearsMonths, *wide.WIDE_TYPES)


def to_string(value: Any) -> str | None:
    """FEEL ``string()``: the lexical form of a value."""
    if value is None:
        return None
    if type(value) is str:
        return value
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is Decimal:
        return format_number(value)
    if type(value) in _TEMPORAL:
        return temporal.format_temporal(value)
    if type(value) is list:
        return "[" + ", ".join(_inner_string(item) for item in value) + "]"
    if type(value) is dict:
        return "{" + ", ".join(f"{key}: {_inner_string(item)}" for key, item in value.items()) + "}"
    if type(value) is Range:
        start = "" if value.unbounded_start else _inner_string(value.start)
        end = "" if value.unbounded_end else _inner_string(value.end)
        return ("[" if value.start_included else "(") + f"{start}..{end}" + ("]" if value.end_included else ")")
    return None


def _inner_string(value: Any) -> str:
    if type(value) is str:
        return '"' + value.replace('"', '\\"') + '"'
    text = to_string(value)
    return "null" if text is None else text


@builtin("string", "from")
def _string(value: Any) -> Any:
    return to_string(value)


@builtin("not", "negand")
def _not(value: Any) -> Any:
    return (not value) if type(value) is bool else None


@builtin("is", "value1, value2")
def _is(first: Any, second: Any) -> Any:
    if type(first) is not type(second):
        return False
    if type(first) in (dt.datetime, dt.time, wide.WideDateTime, wide.WideTime):
        if repr(wide.base_of(first).tzinfo) != repr(wide.base_of(second).tzinfo):
            return False
        return bool(first == second)
    return ops.equal(first, second) is True


@builtin("get value", "m, key")
def _get_value(context: Any, key: Any) -> Any:
    if type(context) is not dict or type(key) is not str:
        return None
    return context.get(key)


@builtin("get entries", "m")
def _get_entries(context: Any) -> Any:
    if type(context) is not dict:
        return None
    return [{"key": key, "value": value} for key, value in context.items()]


@builtin("context", "entries")
def _context(entries: Any) -> Any:
    if type(entries) is dict:
        entries = [entries]
    if type(entries) is not list:
        return None
    result: dict[str, Any] = {}
    for entry in entries:
        if type(entry) is not dict or "key" not in entry or "value" not in entry or type(entry["key"]) is not str:
            return None
        if entry["key"] in result:
            return None
        result[entry["key"]] = entry["value"]
    return result


@builtin("context put", "context, key, value", alt=("context, keys, value",))
def _context_put(context: Any, key: Any, value: Any) -> Any:
    if type(context) is not dict:
        return None
    if type(key) is list:
        if not key or any(type(part) is not str for part in key):
            return None
        if len(key) == 1:
            return _context_put(context, key[0], value)
        inner = context.get(key[0])
        if type(inner) is not dict:
            return None
        nested = _context_put(inner, key[1:], value)
        return None if nested is None else _context_put(context, key[0], nested)
    if type(key) is not str:
        return None
    result = dict(context)
    result[key] = value
    return result


def _context_put_key(context: Any, key: Any, value: Any) -> Any:
    """``context put(context: c, key: k, value: v)``: named ``key`` is one string (DMN 1.5 context functions)."""
    return _context_put(context, key, value) if type(key) is str else None


def _context_put_keys(context: Any, keys: Any, value: Any) -> Any:
    """``context put(context: c, keys: [k1, k2], value: v)``: named ``keys`` is a list of strings."""
    return _context_put(context, keys, value) if type(keys) is list else None


BUILTINS["context put"].named_calls = [_context_put_key, _context_put_keys]


@builtin("context merge", "contexts")
def _context_merge(contexts: Any) -> Any:
    if type(contexts) is dict:
        contexts = [contexts]
    if type(contexts) is not list or any(type(item) is not dict for item in contexts):
        return None
    result: dict[str, Any] = {}
    for item in contexts:
        result.update(item)
    return result


__all__ = ["builtin", "integer", "to_string", "Range"]
