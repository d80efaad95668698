"""Compiling and evaluating FEEL expressions and unary tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from engine.bpmn.feel import (
    budget,
    builtins_core,
    builtins_list,
    builtins_math,
    builtins_text,
    builtins_time,
    iteration,
    ops,
    unary,
)
from engine.bpmn.feel.builtins_core import builtin
from engine.bpmn.feel.compiler import compile_node
from engine.bpmn.feel.lexer import NameTable
from engine.bpmn.feel.parser import parse_expression, parse_unary_tests
from engine.bpmn.feel.scope import Scope
from engine.bpmn.feel.unary import compile_unary_tests
from engine.bpmn.feel.values import FeelError, Range, feel_inputs
from engine.domain.messages import msg

# The built-in modules register themselves on import; naming them keeps the imports used.
BUILTIN_MODULES = (builtins_core, builtins_list, builtins_math, builtins_text, builtins_time, iteration, unary)


def _table(names: NameTable | Iterable[str]) -> NameTable:
    return names if isinstance(names, NameTable) else NameTable(names)


def _scope(variables: Mapping[str, Any] | Scope | None) -> Scope:
    if isinstance(variables, Scope):
        return variables
    return Scope(feel_inputs(variables or {}))


class Expression:
    """A compiled FEEL expression; ``evaluate`` may be called many times."""

    __slots__ = ("text", "_run")

    def __init__(self, text: str, run: Callable[[Scope], Any]) -> None:
        self.text = text
        self._run = run

    def evaluate(self, variables: Mapping[str, Any] | Scope | None = None) -> Any:
        """The value with the given variables (Python values are converted to FEEL values)."""
        with budget.limited():
            return self._run(_scope(variables))


class UnaryTests:
    """Compiled unary tests (a decision table input entry)."""

    __slots__ = ("text", "_run")

    def __init__(self, text: str, run: Callable[[Scope, Any], bool]) -> None:
        self.text = text
        self._run = run

    def matches(self, value: Any, variables: Mapping[str, Any] | Scope | None = None) -> bool:
        """Whether the input value satisfies the tests."""
        with budget.limited():
            return self._run(_scope(variables), value)


def compile_expression(text: str, names: NameTable | Iterable[str] = ()) -> Expression:
    """Parse and compile; ``names`` are the multi-word names in scope. Raises ``FeelError``."""
    try:
        return Expression(text, compile_node(parse_expression(text, _table(names))))
    except RecursionError:
        raise FeelError(msg("feel.too_deep")) from None


def compile_tests(text: str, names: NameTable | Iterable[str] = ()) -> UnaryTests:
    """Parse and compile unary tests. Raises ``FeelError``."""
    try:
        return UnaryTests(text, compile_unary_tests(parse_unary_tests(text, _table(names))))
    except RecursionError:
        raise FeelError(msg("feel.tests_too_deep")) from None


def evaluate(text: str, variables: Mapping[str, Any] | None = None) -> Any:
    """Evaluate a FEEL expression once; the variables' names are known to the parser."""
    return compile_expression(text, list(variables or {})).evaluate(variables)


def evaluate_range_literal(text: str) -> Range | None:
    """The ``range("[1..10]")`` built-in: a range literal whose endpoints are literals."""
    try:
        node = parse_expression(text, NameTable())
    except FeelError:
        return None
    if node[0] != "range" or not all(_literal_endpoint(part) for part in (node[2], node[3])):
        return None
    try:
        value = compile_node(node)(Scope({}))
    except FeelError:
        return None
    if not isinstance(value, Range) or (value.start is None and value.end is None):
        return None
    if value.start is not None and value.end is not None and ops.greater(value.start, value.end):
        return None
    return value


_TEMPORAL_CONSTRUCTORS = {"date", "time", "date and time", "duration"}


def _literal_endpoint(node: Any) -> bool:
    """Range endpoints in ``range()`` are literals or temporal constructors of a string literal."""
    if node[0] in ("num", "str", "bool", "null", "at"):
        return True
    if node[0] == "neg":
        return bool(node[1][0] == "num")
    if node[0] == "call" and node[1][0] == "name" and node[1][1] in _TEMPORAL_CONSTRUCTORS:
        return node[3] is None and len(node[2]) == 1 and node[2][0][0] == "str"
    return False


@builtin("range", "from")
def _range(text: Any) -> Any:
    """DMN 1.5 ``range("[1..10]")``."""
    if type(text) is not str:
        return None
    return evaluate_range_literal(text)
