"""Decision tables: every hit policy of DMN 1.5 and the COLLECT aggregations.

UNIQUE, ANY, PRIORITY and FIRST give one result; COLLECT (optionally SUM, MIN, MAX, COUNT),
RULE ORDER and OUTPUT ORDER a list. PRIORITY and OUTPUT ORDER rank rules by the position of their
outputs in the output values. A table that breaks its hit policy (two rules for UNIQUE, different
outputs for ANY) evaluates to null, as FEEL errors do.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Protocol

from lxml import etree

from engine.bpmn.dmn.errors import DmnError
from engine.bpmn.dmn.model import Model, child, children, text_of
from engine.bpmn.dmn.typing import Types
from engine.bpmn.feel import FeelError, Scope, compile_tests, ops
from engine.bpmn.feel.calls import invoke
from engine.bpmn.feel.compiler import compile_node
from engine.bpmn.feel.parser import parse_unary_tests
from engine.bpmn.feel.scope import BUILTINS
from engine.domain.messages import message_of, msg

# The rules that matched, per table id, when a caller asked for them (``complaintflow dmn evaluate``).
MATCHED: ContextVar[list[tuple[str, list[str]]] | None] = ContextVar("dmn_matched_rules", default=None)
_POLICIES = {"UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER"}
_AGGREGATIONS = {"SUM", "MIN", "MAX", "COUNT"}
Test = Callable[[Scope, Any], bool]


class LiteralCompiler(Protocol):
    """What a table needs from the boxed-expression compiler (``boxed.BoxedCompiler``, which imports this
    module: the table takes the compiler as an argument instead of importing it back)."""

    model: Model
    types: Types

    def literal(self, text: str, node: etree._Element) -> Callable[[Scope], Any]: ...


def _output_values(node: etree._Element | None, compiler: LiteralCompiler) -> list[Any]:
    """The listed output values, in priority order (highest first)."""
    text = text_of(node).strip() if node is not None else ""
    if not text:
        return []
    try:
        tree = parse_unary_tests(text, compiler.model.names)
    except FeelError:
        return []
    values = []
    for test in tree[1] if tree[0] == "ut_tests" else []:
        if test[0] == "ut_expr":
            try:
                values.append(compile_node(test[1])(Scope({})))
            except FeelError:
                continue
    return values


def _rank(values: list[Any], allowed: list[Any]) -> int:
    for index, candidate in enumerate(allowed):
        if ops.equal(values, candidate) is True:
            return index
    return len(allowed)


def compile_table(node: etree._Element, compiler: LiteralCompiler) -> Callable[[Scope], Any]:
    """The closure evaluating a ``<decisionTable>``."""
    table_id = node.get("id") or ""
    policy = (node.get("hitPolicy") or "UNIQUE").upper().replace("_", " ")
    aggregation = (node.get("aggregation") or "").upper() or None
    if policy not in _POLICIES:
        raise _error(msg("dmn.hit_policy", policy=policy), node)
    if aggregation is not None and (policy != "COLLECT" or aggregation not in _AGGREGATIONS):
        raise _error(msg("dmn.aggregation", aggregation=aggregation), node)
    names = compiler.model.names
    inputs: list[tuple[Callable[[Scope], Any], Test | None]] = []
    for item in children(node, "input"):
        expression = child(item, "inputExpression")
        compiled = compiler.literal(text_of(expression), expression if expression is not None else item)
        allowed_node = child(item, "inputValues")
        allowed = _tests(text_of(allowed_node), allowed_node, names) if allowed_node is not None else None
        inputs.append((compiled, allowed))
    outputs = children(node, "output")
    output_names = [output.get("name") or "" for output in outputs]
    output_types = [output.get("typeRef") for output in outputs]
    priorities = [_output_values(child(output, "outputValues"), compiler) for output in outputs]
    defaults = [_compile_default(_default(output), compiler) for output in outputs]
    rules: list[tuple[str, list[Test | None], list[Callable[[Scope], Any]]]] = []
    for rule in children(node, "rule"):
        entries = children(rule, "inputEntry")
        results = children(rule, "outputEntry")
        if len(entries) != len(inputs) or len(results) != len(outputs):
            raise _error(
                msg(
                    "dmn.rule_entries",
                    entries=len(entries),
                    results=len(results),
                    inputs=len(inputs),
                    outputs=len(outputs),
                ),
                rule,
            )
        tests = [_entry_test(entry, names) for entry in entries]
        rules.append((rule.get("id") or "", tests, [compiler.literal(text_of(out) or "null", out) for out in results]))
    model, types = compiler.model, compiler.types
    single = len(outputs) == 1

    coercers = [types.coercer(type_ref, model) if type_ref else None for type_ref in output_types]

    def shape(values: list[Any]) -> Any:
        typed = [
            coercer(value) if coercer is not None else value for value, coercer in zip(values, coercers, strict=True)
        ]
        return typed[0] if single else dict(zip(output_names, typed, strict=True))

    def evaluate(scope: Scope) -> Any:
        values = []
        for expression, allowed in inputs:
            value = expression(scope)
            if allowed is not None and value is not None and not allowed(scope, value):
                return None
            values.append(value)
        matched: list[tuple[str, list[Callable[[Scope], Any]]]] = []
        for rule_id, tests, results in rules:
            for test, value in zip(tests, values, strict=True):
                if test is not None and not test(scope, value):
                    break
            else:
                matched.append((rule_id, results))
                if policy == "FIRST":
                    break
        trace = MATCHED.get()
        if trace is not None:
            trace.append((table_id, [rule_id for rule_id, _ in matched]))
        if not matched:
            if any(default is not None for default in defaults):
                return shape([default(scope) if default is not None else None for default in defaults])
            return (
                []
                if policy in ("COLLECT", "RULE ORDER", "OUTPUT ORDER") and aggregation is None
                else (Decimal(0) if aggregation == "COUNT" else None)
            )
        rows = [[result(scope) for result in results] for _, results in matched]
        return _hit(policy, aggregation, rows, priorities, shape)

    return evaluate


def _hit(
    policy: str,
    aggregation: str | None,
    rows: list[list[Any]],
    priorities: list[list[Any]],
    shape: Callable[[list[Any]], Any],
) -> Any:
    if policy == "FIRST":
        return shape(rows[0])
    if policy == "UNIQUE":
        return shape(rows[0]) if len(rows) == 1 else None
    if policy == "ANY":
        first = rows[0]
        if any(ops.equal(row, first) is not True for row in rows[1:]):
            return None
        return shape(first)
    if policy in ("PRIORITY", "OUTPUT ORDER"):
        ranked = sorted(
            rows, key=lambda row: [_rank(value, allowed) for value, allowed in zip(row, priorities, strict=True)]
        )
        return shape(ranked[0]) if policy == "PRIORITY" else [shape(row) for row in ranked]
    results = [shape(row) for row in rows]
    if policy == "RULE ORDER" or aggregation is None:
        return results
    if aggregation == "COUNT":
        return Decimal(len(results))
    function = {"SUM": "sum", "MIN": "min", "MAX": "max"}[aggregation]
    return invoke(BUILTINS[function], [results])


def _compile_default(node: etree._Element | None, compiler: LiteralCompiler) -> Callable[[Scope], Any] | None:
    if node is None or not text_of(node).strip():
        return None
    return compiler.literal(text_of(node), node)


def _default(output: etree._Element) -> etree._Element | None:
    return child(output, "defaultOutputEntry")


def _tests(text: str, node: etree._Element | None, names: Any) -> Test | None:
    if not text.strip():
        return None
    try:
        return compile_tests(text, names)._run
    except FeelError as error:
        raise _error(msg("dmn.feel", error=message_of(error) or str(error), text=text.strip()[:80]), node) from None


def _entry_test(entry: etree._Element, names: Any) -> Test | None:
    text = text_of(entry).strip()
    if text in ("", "-"):
        return None
    return _tests(text, entry, names)


def _error(message: str, node: etree._Element | None) -> Exception:
    return DmnError(
        message, node.sourceline if node is not None else None, node.get("id") if node is not None else None
    )
