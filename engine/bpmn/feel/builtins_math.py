"""FEEL numeric built-ins (34-digit decimal arithmetic)."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from typing import Any

from engine.bpmn.feel.builtins_core import builtin
from engine.bpmn.feel.values import CONTEXT, YearsMonths


def _number(value: Any) -> Decimal:
    if type(value) is list and len(value) == 1:
        value = value[0]
    if type(value) is not Decimal:
        raise TypeError("not a number")
    return value


def _rounded(value: Any, scale: Any, rounding: str) -> Decimal:
    number = _number(value)
    if type(scale) is not Decimal:
        raise TypeError("scale")
    places = int(scale)
    if not -6111 <= places <= 6176:
        raise ValueError("scale")
    try:
        return number.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=CONTEXT)
    except decimal.InvalidOperation:
        # More places than 34 digits can hold: the number already has fewer.
        return number


@builtin("decimal", "n, scale")
def _decimal(value: Any, scale: Any) -> Any:
    return _rounded(value, scale, decimal.ROUND_HALF_EVEN)


@builtin("floor", "n, scale", optional=1)
def _floor(value: Any, scale: Any = Decimal(0)) -> Any:
    return _rounded(value, scale, decimal.ROUND_FLOOR)


@builtin("ceiling", "n, scale", optional=1)
def _ceiling(value: Any, scale: Any = Decimal(0)) -> Any:
    return _rounded(value, scale, decimal.ROUND_CEILING)


@builtin("round up", "n, scale", optional=1)
def _round_up(value: Any, scale: Any = Decimal(0)) -> Any:
    return _rounded(value, scale, decimal.ROUND_UP)


@builtin("round down", "n, scale", optional=1)
def _round_down(value: Any, scale: Any = Decimal(0)) -> Any:
    return _rounded(value, scale, decimal.ROUND_DOWN)


@builtin("round half up", "n, scale", optional=1)
def _round_half_up(value: Any, scale: Any = Decimal(0)) -> Any:
    return _rounded(value, scale, decimal.ROUND_HALF_UP)


@builtin("round half down", "n, scale", optional=1)
def _round_half_down(value: Any, scale: Any = Decimal(0)) -> Any:
    return _rounded(value, scale, decimal.ROUND_HALF_DOWN)


@builtin("abs", "n")
def _abs(value: Any) -> Any:
    if type(value) is dt.timedelta:
        return abs(value)
    if type(value) is YearsMonths:
        return YearsMonths(abs(value.months))
    return CONTEXT.abs(_number(value))


@builtin("modulo", "dividend, divisor")
def _modulo(dividend: Any, divisor: Any) -> Any:
    first, second = _number(dividend), _number(divisor)
    if second == 0:
        return None
    quotient = CONTEXT.divide(first, second).to_integral_value(rounding=decimal.ROUND_FLOOR)
    return CONTEXT.subtract(first, CONTEXT.multiply(second, quotient))


@builtin("sqrt", "number")
def _sqrt(value: Any) -> Any:
    number = _number(value)
    if number < 0:
        return None
    return CONTEXT.sqrt(number)


@builtin("log", "number")
def _log(value: Any) -> Any:
    number = _number(value)
    if number <= 0:
        return None
    return CONTEXT.ln(number)


@builtin("exp", "number")
def _exp(value: Any) -> Any:
    return CONTEXT.exp(_number(value))


@builtin("odd", "number")
def _odd(value: Any) -> Any:
    number = _number(value)
    if number != number.to_integral_value():
        return None
    return int(number) % 2 == 1


@builtin("even", "number")
def _even(value: Any) -> Any:
    number = _number(value)
    if number != number.to_integral_value():
        return None
    return int(number) % 2 == 0
