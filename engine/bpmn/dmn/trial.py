"""Trying a decision with sample inputs before it is deployed (the designer's test panel).

``trial_decisions`` describes what a designer needs to test each decision of a FEEL DMN file: the
inputs to enter (required input data, or the names a table's input expressions read) and the
decision tables involved, rule by rule; ``sample_value`` reads what the designer typed by the
input's type; ``evaluate_decision`` (results.py) returns which rules matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.bpmn.dmn.drg import Definitions
from engine.bpmn.dmn.model import Element, child, children, local, text_of
from engine.bpmn.feel import FeelError, evaluate
from engine.bpmn.feel.analysis import free_names
from engine.bpmn.feel.parser import parse_expression


@dataclass(frozen=True)
class TrialInput:
    """A value the designer enters: its FEEL name and declared type (None: any FEEL expression)."""

    name: str
    type_ref: str | None = None


@dataclass(frozen=True)
class TrialRule:
    rule_id: str
    inputs: list[str]
    outputs: list[str]
    description: str = ""


@dataclass(frozen=True)
class TrialTable:
    """A decision table as the panel shows it, so matched rules can be highlighted."""

    table_id: str
    decision: str
    hit_policy: str
    inputs: list[str]
    outputs: list[str]
    rules: list[TrialRule]


@dataclass
class TrialDecision:
    decision_id: str
    name: str
    inputs: list[TrialInput] = field(default_factory=list)
    tables: list[TrialTable] = field(default_factory=list)


def _description(node: Any) -> str:
    found = child(node, "description")
    return " ".join((found.text or "").split()) if found is not None else ""


def _table(element: Element) -> TrialTable | None:
    table = child(element.node, "decisionTable")
    if table is None:
        return None
    inputs = [item.get("label") or text_of(child(item, "inputExpression")) for item in children(table, "input")]
    outputs = [item.get("label") or item.get("name") or "" for item in children(table, "output")]
    rules = [
        TrialRule(
            rule.get("id") or f"rule {index}",
            [text_of(entry).strip() for entry in children(rule, "inputEntry")],
            [text_of(entry).strip() for entry in children(rule, "outputEntry")],
            _description(rule),
        )
        for index, rule in enumerate(children(table, "rule"), start=1)
    ]
    table_id = table.get("id") or element.id
    return TrialTable(table_id, element.name, (table.get("hitPolicy") or "UNIQUE").upper(), inputs, outputs, rules)


def _read_names(definitions: Definitions, element: Element) -> list[TrialInput]:
    """Names the element's expressions read that no element of the graph defines (a table from the modeller
    usually has no input data: its input expressions name process variables)."""
    model = element.model
    found: dict[str, TrialInput] = {}
    for node in element.node.iter():
        if local(node) not in ("inputExpression", "literalExpression"):
            continue
        try:
            tree = parse_expression(text_of(node), model.names)
        except FeelError:
            continue
        for name in free_names(tree, frozenset(model.by_name)):
            found.setdefault(name, TrialInput(name, node.get("typeRef") if local(node) == "inputExpression" else None))
    return list(found.values())


def _requirements(definitions: Definitions, decision: Element) -> list[Element]:
    """The decision and every element it requires, each once, the decision first."""
    ordered: list[Element] = []
    pending = [decision]
    while pending:
        current = pending.pop(0)
        if current in ordered:
            continue
        ordered.append(current)
        for ref in current.required_decisions + current.required_inputs:
            required = definitions.element(ref)
            if required is not None:
                pending.append(required)
    return ordered


def trial_decisions(definitions: Definitions) -> list[TrialDecision]:
    """Every decision of the main model with the inputs to enter and the tables it runs."""
    found = []
    for element in definitions.main.elements.values():
        if element.kind != "decision":
            continue
        trial = TrialDecision(element.id, element.name)
        names: dict[str, TrialInput] = {}
        for required in _requirements(definitions, element):
            if required.kind == "inputData":
                names.setdefault(required.name, TrialInput(required.name, required.type_ref))
            elif required.kind == "decision":
                for item in _read_names(definitions, required):
                    names.setdefault(item.name, item)
                table = _table(required)
                if table is not None:
                    trial.tables.append(table)
        trial.inputs = list(names.values())
        found.append(trial)
    return found


def sample_value(text: str, type_ref: str | None) -> Any:
    """What a designer typed as a value of the input's type: text for strings, numbers, true/false;
    FEEL otherwise (``date("2026-01-31")``, ``[1, 2]``); empty is null. ``ValueError`` when it does not fit."""
    text = text.strip()
    if not text:
        return None
    kind = (type_ref or "").rsplit(":", 1)[-1].lower()
    if kind == "string":
        return text
    if kind in ("number", "integer", "long", "double"):
        try:
            return Decimal(text.replace(",", ".")) if kind != "integer" else int(text)
        except (InvalidOperation, ValueError):
            raise ValueError(f"{text!r} is not a number") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{text!r} is neither true nor false")
        return text.lower() == "true"
    try:
        return evaluate(text, {})
    except FeelError as error:
        raise ValueError(f"{text!r} is not a FEEL value: {error}") from None
