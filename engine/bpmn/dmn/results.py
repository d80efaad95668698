"""A decision evaluated for a process: its rule results as plain JSON values, and Camunda's
``camunda:mapDecisionResult`` (resultList, singleResult, singleEntry, collectEntries).

Shared by business rule tasks (engine/runtime) and ``complaintflow dmn evaluate``; no SpiffWorkflow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from threading import Lock
from typing import Any

from engine.bpmn.dmn.drg import Definitions
from engine.bpmn.dmn.loader import definitions_from_text, parse_model
from engine.bpmn.dmn.model import child, local
from engine.bpmn.dmn.tables import MATCHED
from engine.bpmn.feel import Function, Range, YearsMonths, budget
from engine.bpmn.feel.builtins_core import to_string
from engine.bpmn.feel.wide import WIDE_TYPES

# DECISION_VALUE is Camunda 8's ``zeebe:calledDecision resultVariable``: the decision's own value (one output
# value, a context of outputs, or for COLLECT and the other multiple-hit policies a list of them).
DECISION_VALUE = "decisionValue"
MAPPINGS = ("resultList", "singleResult", "singleEntry", "collectEntries", DECISION_VALUE)


class DecisionResultError(Exception):
    """The decision's result does not fit the requested mapping (e.g. two rules for singleResult)."""


@dataclass
class DecisionResult:
    """What a decision gave: one dict per rule result (output name to value) and the matched rules."""

    decision_id: str
    value: Any
    rule_results: list[dict[str, Any]]
    matched_rules: list[tuple[str, list[str]]] = field(default_factory=list)


def plain(value: Any) -> Any:
    """A FEEL value as JSON: whole numbers as int, others as float; dates, times and durations as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, (dt.date, dt.time, dt.timedelta, YearsMonths, Range, *WIDE_TYPES)):
        return to_string(value)
    if isinstance(value, Function):
        return None
    return value


_CACHE: OrderedDict[str, Definitions] = OrderedDict()
_CACHE_LOCK = Lock()


def cached_definitions(xml: str, filename: str = "", imports: Sequence[tuple[str, str]] = ()) -> Definitions:
    """Compiled definitions for a DMN document and the documents it imports ((text, file name) pairs),
    kept for their content (a small LRU)."""
    digest = hashlib.sha256(xml.encode("utf-8"))
    for text, _ in imports:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    key = digest.hexdigest()
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    if imports:
        main = parse_model(xml, filename)
        definitions = Definitions(main, [parse_model(text, name) for text, name in imports])
    else:
        definitions = definitions_from_text(xml, filename)
    with _CACHE_LOCK:
        _CACHE[key] = definitions
        while len(_CACHE) > 64:
            _CACHE.popitem(last=False)
    return definitions


def _output_names(definitions: Definitions, decision_id: str) -> list[str]:
    element = definitions.find(decision_id)
    if element is None:
        return []
    table = child(element.node, "decisionTable")
    if table is None:
        return [element.name]
    names = [output.get("name") or "" for output in table if local(output) == "output"]
    return names if len(names) > 1 or (names and names[0]) else [element.name]


def evaluate_decision(definitions: Definitions, decision_id: str, variables: dict[str, Any]) -> DecisionResult:
    """Evaluate with process variables in scope; ``KeyError`` when the model has no such decision."""
    trace: list[tuple[str, list[str]]] = []
    token = MATCHED.set(trace)
    try:
        with budget.limited():  # the decision runs under the limits of scripts
            value = definitions.evaluate(decision_id, variables, variables=True)
    finally:
        MATCHED.reset(token)
    names = _output_names(definitions, decision_id)
    table = child(definitions.find(decision_id).node, "decisionTable")  # type: ignore[union-attr]
    multiple = table is not None and (table.get("hitPolicy") or "UNIQUE").upper() in (
        "COLLECT",
        "RULE ORDER",
        "OUTPUT ORDER",
    )
    entries = (
        (value if isinstance(value, list) else [])
        if multiple
        else ([] if value is None and table is not None else [value])
    )
    results = []
    for entry in entries:
        if isinstance(entry, dict) and len(names) > 1:
            results.append({key: plain(item) for key, item in entry.items()})
        else:
            results.append({names[0] if names else decision_id: plain(entry)})
    return DecisionResult(decision_id, plain(value), results, trace)


def map_result(result: DecisionResult, mapping: str) -> Any:
    """Camunda's mapping of the rule results to the one value stored in the result variable."""
    rules = result.rule_results
    if mapping == DECISION_VALUE:
        return result.value
    if mapping == "resultList":
        return rules
    if mapping == "collectEntries":
        if any(len(rule) > 1 for rule in rules):
            raise DecisionResultError("collectEntries needs a decision with one output")
        return [next(iter(rule.values())) for rule in rules]
    if len(rules) > 1:
        raise DecisionResultError(f"{mapping} needs at most one matching rule, {len(rules)} matched")
    if not rules:
        return None
    if mapping == "singleResult":
        return rules[0]
    if mapping == "singleEntry":
        if len(rules[0]) > 1:
            raise DecisionResultError("singleEntry needs a decision with one output")
        return next(iter(rules[0].values()))
    raise DecisionResultError(f"unknown camunda:mapDecisionResult {mapping!r}")


def apply_result(result: DecisionResult, data: dict[str, Any], result_variable: str | None, mapping: str) -> None:
    """Store the result in the task data: in ``result_variable`` mapped as Camunda does, or (without
    one, as complaintflow's tables always did) each output as a variable of its own."""
    if result_variable:
        data[result_variable] = map_result(result, mapping or "resultList")
        return
    rules = result.rule_results
    if len(rules) == 1:
        data.update(rules[0])
    elif rules:
        for name in rules[0]:
            data[name] = [rule.get(name) for rule in rules]
