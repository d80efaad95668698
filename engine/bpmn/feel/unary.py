"""Unary tests (decision table input entries, the right side of ``in``) compiled to closures
``(scope, input) -> bool``; registers the ``in`` operator with the compiler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.bpmn.feel import ops
from engine.bpmn.feel.calls import invoke
from engine.bpmn.feel.compiler import HANDLERS, Compiled, Node, compile_node
from engine.bpmn.feel.scope import Scope
from engine.bpmn.feel.values import Function, Range


def _in(node: Node) -> Compiled:
    value = compile_node(node[1])
    tests = [compile_positive_test(test) for test in node[2]]

    def membership(scope: Scope) -> bool | None:
        item = value(scope)
        inner = scope.child({"?": item})
        unknown = False
        for test in tests:
            result = test(inner, item)
            if result is True:
                return True
            if result is None:
                unknown = True
        return None if unknown and len(tests) == 1 else False

    return membership


HANDLERS["in"] = _in


def uses_input(node: Any) -> bool:
    """Whether a node mentions ``?`` (the input value of a unary test)."""
    if isinstance(node, tuple):
        if len(node) == 2 and node[0] == "name" and node[1] == "?":
            return True
        return any(uses_input(part) for part in node[1:])
    if isinstance(node, list):
        return any(uses_input(part) for part in node)
    if isinstance(node, dict):
        return any(uses_input(part) for part in node.values())
    return False


def compile_positive_test(node: Node) -> Callable[[Scope, Any], bool | None]:
    """A positive unary test as ``(scope, input) -> bool | None``."""
    if node[0] == "ut_cmp":
        operation = ops.COMPARISONS[node[1]]
        endpoint = compile_node(node[2])
        return lambda scope, value: operation(value, endpoint(scope))
    expression_node = node[1]
    expression = compile_node(expression_node)
    if uses_input(expression_node):
        return lambda scope, value: expression(scope) is True
    if expression_node[0] in ("num", "str", "bool", "null"):
        constant = expression_node[1] if expression_node[0] != "null" else None
        return lambda scope, value: ops.equal(value, constant)

    def test(scope: Scope, value: Any) -> bool | None:
        expected = expression(scope)
        return matches(value, expected)

    return test


def matches(value: Any, expected: Any) -> bool | None:
    """Whether an input value satisfies the value of a unary test expression."""
    kind = type(expected)
    if kind is Range:
        return ops.in_range(value, expected)
    if kind is list:
        if type(value) is list and ops.equal(value, expected) is True:
            return True
        return any(ops.equal(value, item) is True or _in_item(value, item) for item in expected)
    if kind is bool and type(value) is not bool:
        return expected
    if kind is Function:
        return invoke(expected, [value]) is True
    return ops.equal(value, expected)


def _in_item(value: Any, item: Any) -> bool:
    return type(item) is Range and ops.in_range(value, item) is True


def compile_unary_tests(node: Node) -> Callable[[Scope, Any], bool]:
    """Decision table input entry: ``(scope, input) -> matched``."""
    kind = node[0]
    if kind == "ut_any":
        return lambda scope, value: True
    tests = [compile_positive_test(test) for test in node[1]]
    negate = kind == "ut_not"
    single = tests[0] if len(tests) == 1 else None
    # Only tests that mention ? need a scope binding it; the others get the input as an argument.
    needs_input = uses_input(node)

    def run(scope: Scope, value: Any) -> bool:
        inner = scope.child({"?": value}) if needs_input else scope
        if single is not None:
            result = single(inner, value)
            return (result is False) if negate else (result is True)
        unknown = False
        for test in tests:
            result = test(inner, value)
            if result is True:
                return not negate
            if result is None:
                unknown = True
        return negate and not unknown

    return run
