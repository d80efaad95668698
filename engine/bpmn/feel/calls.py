"""Calling FEEL functions (built-in or user-defined) with positional or named arguments."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from typing import Any

from engine.bpmn.feel import budget
from engine.bpmn.feel.types import NO_FIT, coerce_argument
from engine.bpmn.feel.values import Function, Range, YearsMonths
from engine.bpmn.feel.wide import WIDE_TYPES

_MISSING = object()
_CALL_ERRORS = (
    TypeError,
    ValueError,
    KeyError,
    IndexError,
    ArithmeticError,
    decimal.InvalidOperation,
    OverflowError,
)  # not RecursionError: endless recursion is a limit the caller reports, never a silent null


def invoke(function: Any, positional: list[Any], named: dict[str, Any] | None = None) -> Any:
    """The function's result, or null when it is not a function or the arguments do not fit."""
    if not isinstance(function, Function):
        return None
    params = function.params
    call = function.call
    if named is not None:
        signature = 0
        if any(name not in params for name in named):
            fitting = [index for index, alt in enumerate(function.alt_params, 1) if all(name in alt for name in named)]
            if not fitting:
                return None
            signature = fitting[0]
            params = function.alt_params[signature - 1]
        if function.named_calls:
            call = function.named_calls[signature]
        args = [named.get(name, _MISSING) for name in params]
        while args and args[-1] is _MISSING:
            args.pop()
        args = [None if arg is _MISSING else arg for arg in args]
        # Required parameters left out of a named call are null.
        args += [None] * (len(params) - function.optional - len(args))
        if function.variadic and args and isinstance(args[-1], list):
            args = args[:-1] + list(args[-1])
    else:
        args = positional
    required = len(params) - function.optional
    if function.variadic:
        if len(args) < required - 1:
            return None
    elif not required <= len(args) <= len(params):
        if function.name != "anonymous" or len(args) > len(params):
            return None
        args = list(args) + [None] * (len(params) - len(args))
    if function.param_types and not _arguments_fit(function, args):
        return None
    budget.tick()
    try:
        return call(*args)
    except _CALL_ERRORS:
        return None


def _arguments_fit(function: Function, args: list[Any]) -> bool:
    for index, expected in enumerate(function.param_types):
        if expected is None or index >= len(args):
            continue
        fitted = coerce_argument(args[index], expected)
        if fitted is NO_FIT:
            return False
        args[index] = fitted
    return True


def is_simple(value: Any) -> bool:
    """Values that built-ins accept as list items for ordering (numbers, strings, temporals)."""
    return isinstance(value, (Decimal, str, dt.date, dt.time, dt.timedelta, YearsMonths, Range, *WIDE_TYPES))


def fits(function: Function, count: int, names: list[str] | None) -> bool:
    """Whether a call with ``count`` positional arguments, or with the named arguments ``names``,
    fits a parameter list of ``function`` as ``invoke`` reads them; a call that fits none is null."""
    if names is not None:
        return any(all(name in params for name in names) for params in [function.params, *function.alt_params])
    required = len(function.params) - function.optional
    if function.variadic:
        return count >= required - 1
    return required <= count <= len(function.params)
