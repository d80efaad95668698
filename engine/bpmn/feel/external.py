"""External Java functions (``function(x) external {java: {class: ..., method signature: ...}}``).

There is no JVM here: a fixed allow-list of static methods of ``java.lang`` is emulated in Python,
with Java's argument conversions (numbers to double/int, one-character strings to char). Any other
class or method gives null, as an unresolvable external function does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.bpmn.feel.values import CONTEXT, Function, number

_SIGNATURE = re.compile(r"\s*([A-Za-z_][\w]*)\s*\((.*)\)\s*")
_INTEGRAL = {"int", "long", "short", "byte", "java.lang.Integer", "java.lang.Long", "java.lang.Short"}
_FLOATING = {"double", "float", "java.lang.Double", "java.lang.Float"}


def _to_java(value: Any, java_type: str) -> Any:
    """A FEEL value as the Java parameter type; ``ValueError`` when Java would not accept it."""
    if java_type in _INTEGRAL:
        if type(value) is not Decimal:
            raise ValueError(java_type)
        return int(value)
    if java_type in _FLOATING:
        if type(value) is not Decimal:
            raise ValueError(java_type)
        return float(value)
    if java_type == "char":
        if type(value) is not str or len(value) != 1:
            raise ValueError(java_type)
        return value
    if java_type == "java.lang.String":
        if type(value) is not str:
            raise ValueError(java_type)
        return value
    return value


def _from_java(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return number(value)
    return None


def _java_format(pattern: str, *args: Any) -> str:
    converted = tuple(str(arg) if isinstance(arg, str) else arg for arg in args)
    return pattern % converted


def _java_round(value: float) -> int:
    return math.floor(value + 0.5)


_MATH: dict[str, Callable[..., Any]] = {
    "max": max,
    "min": min,
    "abs": abs,
    "cos": math.cos,
    "sin": math.sin,
    "tan": math.tan,
    "acos": math.acos,
    "asin": math.asin,
    "atan": math.atan,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "floor": math.floor,
    "ceil": math.ceil,
    "pow": math.pow,
    "round": _java_round,
    "signum": lambda value: float((value > 0) - (value < 0)),
}
_METHODS: dict[tuple[str, str], Callable[..., Any]] = {
    **{("java.lang.Math", name): function for name, function in _MATH.items()},
    ("java.lang.Integer", "valueOf"): int,
    ("java.lang.Integer", "parseInt"): int,
    ("java.lang.Long", "valueOf"): int,
    ("java.lang.Long", "parseLong"): int,
    ("java.lang.Short", "valueOf"): int,
    ("java.lang.Byte", "valueOf"): int,
    ("java.lang.Double", "valueOf"): float,
    ("java.lang.Double", "parseDouble"): float,
    ("java.lang.Float", "valueOf"): float,
    ("java.lang.Float", "parseFloat"): float,
    ("java.lang.String", "valueOf"): str,
    ("java.lang.String", "format"): _java_format,
}
# Java's wrappers of small integers refuse values out of their range.
_RANGES = {("java.lang.Short", "short"): (-(2**15), 2**15 - 1), ("java.lang.Byte", "byte"): (-128, 127)}


def java_function(params: list[str], mapping: Any) -> Function | None:
    """The emulated static method a ``{java: {class, method signature}}`` context names, if allowed."""
    java = mapping.get("java") if type(mapping) is dict else None
    if type(java) is not dict:
        return None
    class_name, signature = java.get("class"), java.get("method signature")
    if type(class_name) is not str or type(signature) is not str:
        return None
    found = _SIGNATURE.fullmatch(signature)
    if found is None:
        return None
    method = _METHODS.get((class_name, found.group(1)))
    if method is None:
        return None
    types = [part.strip() for part in found.group(2).split(",") if part.strip()]
    variadic = bool(types) and types[-1].startswith("[L")
    if not variadic and len(types) != len(params):
        return None
    if class_name == "java.lang.Math" and any(java_type not in _INTEGRAL | _FLOATING for java_type in types):
        return None
    bounds = _RANGES.get((class_name, types[0])) if types else None

    def call(*args: Any) -> Any:
        try:
            fixed = types[:-1] if variadic else types
            converted = [_to_java(arg, java_type) for arg, java_type in zip(args, fixed, strict=False)]
            if variadic:
                converted.extend(args[len(fixed) :])
            if bounds is not None and not bounds[0] <= converted[0] <= bounds[1]:
                return None
            return _from_java(method(*converted))
        except (ValueError, TypeError, OverflowError, ArithmeticError):
            return None

    return Function(params, call, name=f"{class_name}.{found.group(1)}")


__all__ = ["CONTEXT", "java_function"]
