"""Syntax trees into Python closures ``scope -> value``.

Compiling once and calling the closure per evaluation keeps decision tables fast; nothing here
touches attributes of Python objects by a FEEL name (paths go through ``path_of``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.bpmn.feel import ops, temporal
from engine.bpmn.feel.calls import invoke
from engine.bpmn.feel.external import java_function
from engine.bpmn.feel.scope import Scope
from engine.bpmn.feel.types import conforms
from engine.bpmn.feel.values import FeelError, Function, Range

Node = tuple[Any, ...]
Compiled = Callable[[Scope], Any]


def path_of(value: Any, name: str) -> Any:
    """``value.name``: a context entry, a property of a temporal value or range, mapped over lists."""
    if type(value) is dict:
        return value.get(name)
    if type(value) is list:
        return [path_of(item, name) for item in value]
    if type(value) is Range:
        return _range_property(value, name)
    if value is None:
        return None
    try:
        return temporal.property_of(value, name)
    except KeyError:
        return None


def _range_property(value: Range, name: str) -> Any:
    if name == "start":
        return value.start
    if name == "end":
        return value.end
    if name == "start included":
        return value.start_included
    if name == "end included":
        return value.end_included
    return None


def _literal(value: Any) -> Compiled:
    return lambda scope: value


def compile_node(node: Node) -> Compiled:
    """The closure computing a node's value."""
    kind = node[0]
    handler = HANDLERS.get(kind)
    if handler is None:
        raise FeelError(f"cannot evaluate {kind!r} here")
    return handler(node)


def _name(node: Node) -> Compiled:
    name = node[1]
    if "." not in name:
        return lambda scope: scope.get(name)
    # A known name with a dot ("Person.Age" as a parameter name) may also be a path in this scope.
    first, *rest = name.split(".")

    def lookup(scope: Scope) -> Any:
        if scope.has(name):
            return scope.get(name)
        value = scope.get(first.strip())
        for part in rest:
            value = path_of(value, part.strip())
        return value

    return lookup


def _at(node: Node) -> Compiled:
    text = node[1]
    value: Any = None
    if text[:1] in ("P", "-") and "P" in text[:2]:
        value = temporal.parse_duration(text)
    elif re.match(r"-?\d+-\d\d-\d\dT", text):
        value = temporal.parse_date_time(text)
    elif ":" in text:
        value = temporal.parse_time(text)
    else:
        value = temporal.parse_date(text)
    # An invalid literal is null when evaluated (FEEL has no compile-time errors for values).
    return _literal(value)


def _negate(node: Node) -> Compiled:
    operand = compile_node(node[1])
    return lambda scope: ops.negate(operand(scope))


def _arith(node: Node) -> Compiled:
    operation = ops.ARITHMETIC[node[1]]
    left, right = compile_node(node[2]), compile_node(node[3])
    return lambda scope: operation(left(scope), right(scope))


def _compare(node: Node) -> Compiled:
    operation = ops.COMPARISONS[node[1]]
    left, right = compile_node(node[2]), compile_node(node[3])
    return lambda scope: operation(left(scope), right(scope))


def _and(node: Node) -> Compiled:
    left, right = compile_node(node[1]), compile_node(node[2])

    def conjunction(scope: Scope) -> bool | None:
        first = left(scope)
        if first is False:
            return False
        second = right(scope)
        if second is False:
            return False
        if first is True and second is True:
            return True
        return None

    return conjunction


def _or(node: Node) -> Compiled:
    left, right = compile_node(node[1]), compile_node(node[2])

    def disjunction(scope: Scope) -> bool | None:
        first = left(scope)
        if first is True:
            return True
        second = right(scope)
        if second is True:
            return True
        if first is False and second is False:
            return False
        return None

    return disjunction


def _between(node: Node) -> Compiled:
    value, low, high = compile_node(node[1]), compile_node(node[2]), compile_node(node[3])

    def between(scope: Scope) -> bool | None:
        item = value(scope)
        above = ops.greater_equal(item, low(scope))
        below = ops.less_equal(item, high(scope))
        if above is False or below is False:
            return False
        if above is None or below is None:
            return None
        return True

    return between


def _instance(node: Node) -> Compiled:
    value, type_node = compile_node(node[1]), node[2]
    return lambda scope: conforms(value(scope), type_node)


def _if(node: Node) -> Compiled:
    condition, then, otherwise = (compile_node(part) for part in node[1:])
    return lambda scope: then(scope) if condition(scope) is True else otherwise(scope)


def _list(node: Node) -> Compiled:
    items = [compile_node(item) for item in node[1]]
    return lambda scope: [item(scope) for item in items]


def _context(node: Node) -> Compiled:
    entries = [(key, compile_node(value)) for key, value in node[1]]
    keys = [key for key, _ in entries]
    if len(set(keys)) != len(keys):
        # The same key twice is an error, which FEEL evaluates to null.
        return _literal(None)

    def context(scope: Scope) -> dict[str, Any]:
        result: dict[str, Any] = {}
        inner = scope.child(result)
        for key, value in entries:
            result[key] = value(inner)
        return result

    return context


def _range(node: Node) -> Compiled:
    start_included, start, end, end_included = node[1], compile_node(node[2]), compile_node(node[3]), node[4]

    def make(scope: Scope) -> Range | None:
        low, high = start(scope), end(scope)
        if low is not None and high is not None and ops.compare(low, high) is None:
            return None
        return Range(low, high, start_included, end_included)

    return make


def _unary_range(node: Node) -> Compiled:
    operator, endpoint = node[1], compile_node(node[2])

    def make(scope: Scope) -> Range:
        value = endpoint(scope)
        if operator in ("=", "!="):
            return Range(value, value, True, True, operator=operator)
        if operator in ("<", "<="):
            return Range(None, value, False, operator == "<=", unbounded_start=True)
        return Range(value, None, operator == ">=", False, unbounded_end=True)

    return make


def _path(node: Node) -> Compiled:
    value, name = compile_node(node[1]), node[2]
    return lambda scope: path_of(value(scope), name)


def _filter(node: Node) -> Compiled:
    target, condition = compile_node(node[1]), compile_node(node[2])

    def apply(scope: Scope) -> Any:
        values = target(scope)
        if values is None:
            return None
        if type(values) is not list:
            values = [values]
        selected: list[Any] = []
        for position, item in enumerate(values):
            bindings = {"item": item}
            if type(item) is dict:
                bindings.update(item)
            result = condition(scope.child(bindings))
            if position == 0 and type(result) is Decimal:
                return _index(values, result)
            if result is True:
                selected.append(item)
        if not values:
            probe = condition(scope.child({"item": None}))
            if type(probe) is Decimal:
                return None
        return selected

    return apply


def _index(values: list[Any], index: Decimal) -> Any:
    if index != index.to_integral_value():
        return None
    position = int(index)
    if position > 0 and position <= len(values):
        return values[position - 1]
    if position < 0 and -position <= len(values):
        return values[position]
    return None


def _call(node: Node) -> Compiled:
    callee = compile_node(node[1])
    positional = [compile_node(arg) for arg in node[2]]
    named = {key: compile_node(arg) for key, arg in node[3].items()} if node[3] is not None else None
    if named is not None:
        return lambda scope: invoke(callee(scope), [], {key: arg(scope) for key, arg in named.items()})
    return lambda scope: invoke(callee(scope), [arg(scope) for arg in positional])


def _function(node: Node) -> Compiled:
    params = [name for name, _ in node[1]]
    types = [param_type for _, param_type in node[1]]
    body = compile_node(node[2])

    def define(scope: Scope) -> Function:
        def call(*args: Any) -> Any:
            return body(scope.child(dict(zip(params, args, strict=False))))

        return Function(params, call, param_types=types if any(types) else [])

    return define


def _external(node: Node) -> Compiled:
    params = [name for name, _ in node[1]]
    mapping = compile_node(node[2])
    return lambda scope: java_function(params, mapping(scope))


def _bool(node: Node) -> Compiled:
    return _literal(node[1])


HANDLERS: dict[str, Callable[[Node], Compiled]] = {
    "num": lambda node: _literal(node[1]),
    "str": lambda node: _literal(node[1]),
    "bool": _bool,
    "null": lambda node: _literal(None),
    "name": _name,
    "at": _at,
    "neg": _negate,
    "arith": _arith,
    "cmp": _compare,
    "and": _and,
    "or": _or,
    "between": _between,
    "instance": _instance,
    "if": _if,
    "list": _list,
    "context": _context,
    "range": _range,
    "ut_range": _unary_range,
    "path": _path,
    "filter": _filter,
    "call": _call,
    "function": _function,
    "external": _external,
}
