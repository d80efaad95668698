"""FEEL types: ``instance of`` and the conformance checks of typed function parameters.

A type is a parser node: ``("named", "number")``, ``("list", T)``, ``("range", T)``,
``("context", [(key, T), ...])`` or ``("function", [T, ...], R)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from engine.bpmn.feel.values import Function, Range, YearsMonths
from engine.bpmn.feel.wide import is_date, is_date_time, is_time

Node = tuple[Any, ...]

_SIMPLE: dict[str, Callable[[Any], bool]] = {
    "number": lambda value: type(value) is Decimal,
    "string": lambda value: type(value) is str,
    "boolean": lambda value: type(value) is bool,
    "date": is_date,
    "time": is_time,
    "date and time": is_date_time,
    "dateTime": is_date_time,
    "days and time duration": lambda value: type(value) is dt.timedelta,
    "dayTimeDuration": lambda value: type(value) is dt.timedelta,
    "years and months duration": lambda value: type(value) is YearsMonths,
    "yearMonthDuration": lambda value: type(value) is YearsMonths,
    "duration": lambda value: type(value) in (dt.timedelta, YearsMonths),
    "list": lambda value: type(value) is list,
    "context": lambda value: type(value) is dict,
    "range": lambda value: type(value) is Range,
    "function": lambda value: type(value) is Function,
    "Any": lambda value: value is not None,
    "Null": lambda value: value is None,
}
SIMPLE_TYPES = frozenset(_SIMPLE)
# Named types that are not FEEL's own (DMN item definitions): the DMN evaluator sets a checker
# ``(value, name) -> bool | None`` while it evaluates a model; None means "unknown type".
NAMED_TYPES: ContextVar[Callable[[Any, str], bool | None] | None] = ContextVar("feel_named_types", default=None)
NO_FIT = object()  # coerce_argument: the argument does not fit the parameter type


def strip_prefix(name: str) -> str:
    """``feel:number`` or ``FEEL:string`` as the bare type name."""
    if ":" in name:
        prefix, _, rest = name.partition(":")
        if prefix.lower() == "feel":
            return rest
    return name


def conforms(value: Any, type_node: Node) -> bool:
    """Whether ``value`` is an instance of the type."""
    kind = type_node[0]
    if kind == "named":
        name = strip_prefix(type_node[1])
        check = _SIMPLE.get(name)
        if check is not None:
            return check(value)
        named = NAMED_TYPES.get()
        return bool(named(value, name)) if named is not None else False
    if kind == "list":
        return type(value) is list and all(item is None or conforms(item, type_node[1]) for item in value)
    if kind == "range":
        if type(value) is not Range:
            return False
        return all(end is None or conforms(end, type_node[1]) for end in (value.start, value.end))
    if kind == "context":
        if type(value) is not dict:
            return False
        return all(key in value and (value[key] is None or conforms(value[key], field)) for key, field in type_node[1])
    if kind == "function":
        return type(value) is Function and (value.variadic or len(value.params) == len(type_node[1]))
    return False


def coerce_argument(value: Any, type_node: Node) -> Any:
    """The argument as the parameter's type: null fits anything, a singleton list its item."""
    if value is None or conforms(value, type_node):
        return value
    if type_node[0] == "named" and strip_prefix(type_node[1]) == "Any":
        return value
    if type(value) is list and len(value) == 1 and conforms(value[0], type_node):
        return value[0]
    if type_node[0] == "list" and conforms(value, type_node[1]):
        return [value]
    return NO_FIT
