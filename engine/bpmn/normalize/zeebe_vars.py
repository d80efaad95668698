"""Camunda 8 variable extensions: input/output mappings, multi-instance loops, called processes and decisions.

The engine runs these as Camunda 8 does (engine/runtime/zeebe_scopes.py reads them from the file), so
``zeebe:ioMapping``, ``zeebe:loopCharacteristics`` and ``zeebe:calledElement`` stay in the file the engine
runs. This pass checks every FEEL expression in them (a syntax error is an ERROR naming the element, not an
incident weeks later) and adds the Camunda 7 attributes the parser needs: the loop's collection (so
SpiffWorkflow builds a multi-instance body), the called process id, the decision reference and its result
variable (the decision's value, as Camunda 8 stores it).
"""

from __future__ import annotations

import json

from lxml import etree

from engine.bpmn.bpmn_xml import camunda
from engine.bpmn.diagnostics import local_name
from engine.bpmn.dmn.results import DECISION_VALUE
from engine.bpmn.feel_runtime import check_feel, is_feel
from engine.bpmn.normalize.context import Context
from engine.domain.messages import msg

# Kept in the file the engine runs: the runtime reads them.
KEPT = frozenset({"ioMapping", "loopCharacteristics", "calledElement"})


def _zeebe(child: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in child if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _check(ctx: Context, owner: etree._Element, what: str, text: str) -> bool:
    problem = check_feel(text)
    if problem:
        ctx.error(owner, "feel-syntax", msg("diag.feel-syntax.2", what=what, text=text, problem=problem))
        return False
    return True


def io_mapping(ctx: Context, owner: etree._Element, mapping: etree._Element) -> None:
    """Check each mapping; a source without ``=`` is a fixed text (Camunda's static value), written as FEEL."""
    for kind in ("input", "output"):
        for item in _zeebe(mapping, kind):
            target, source = (item.get("target") or "").strip(), (item.get("source") or "").strip()
            if not target:
                ctx.error(owner, "mapping-target", msg("diag.mapping-target", kind=kind))
                continue
            if not source:
                item.set("source", "=null")
            elif not is_feel(source):
                item.set("source", "=" + json.dumps(source))
            else:
                _check(ctx, owner, msg(f"part.{kind}_mapping", target=target), source)


def loop(ctx: Context, owner: etree._Element, child: etree._Element) -> None:
    """``owner`` is the multiInstanceLoopCharacteristics element."""
    activity = owner.getparent()
    collection = (child.get("inputCollection") or "").strip()
    if not collection:
        ctx.error(activity, "loop-collection", msg("diag.loop-collection"))
        return
    if not is_feel(collection):
        collection = "=" + collection  # Camunda Modeler writes the expression with or without ``=``
        child.set("inputCollection", collection)
    _check(ctx, activity, msg("part.input_collection"), collection)
    element = (child.get("outputElement") or "").strip()
    if element:
        if not is_feel(element):
            element = "=" + element
            child.set("outputElement", element)
        _check(ctx, activity, msg("part.output_element"), element)
    if element and not (child.get("outputCollection") or "").strip():
        ctx.warn(activity, "loop-output", msg("diag.loop-output"))
    # SpiffWorkflow builds a multi-instance body only for a camunda:collection; the runtime replaces it.
    owner.set(camunda("collection"), collection.lstrip("= ").strip() or "items")
    for condition in owner.iter():
        text = condition.text or ""
        if isinstance(condition.tag, str) and local_name(condition) == "completionCondition" and is_feel(text):
            _check(ctx, activity, msg("part.completion_condition"), text.strip())


def called_element(ctx: Context, owner: etree._Element, child: etree._Element) -> None:
    process_id = (child.get("processId") or "").strip()
    if is_feel(process_id):
        ctx.error(owner, "dynamic-called-element", msg("diag.dynamic-called-element"),
                  msg("hint.dynamic-called-element"))  # fmt: skip
    elif process_id:
        owner.set("calledElement", process_id)
    # Without a process id the call activity is like any other that names no process: the activities pass
    # refuses it, or turns it into a human task for --as-executable, the same for Camunda 7 and 8 diagrams.


def called_decision(ctx: Context, owner: etree._Element, child: etree._Element) -> None:
    decision = (child.get("decisionId") or "").strip()
    if is_feel(decision) or not decision:
        ctx.error(owner, "dynamic-decision", msg("diag.dynamic-decision"))
        return
    owner.set(camunda("decisionRef"), decision)
    # Camunda 8's bindingType means what Camunda 7's decisionRefBinding does (latest when absent).
    binding = (child.get("bindingType") or "").strip()
    if binding in ("deployment", "versionTag"):
        owner.set(camunda("decisionRefBinding"), binding)
    if binding == "versionTag":
        owner.set(camunda("decisionRefVersionTag"), (child.get("versionTag") or "").strip())
    result = (child.get("resultVariable") or "").strip()
    if result:
        owner.set(camunda("resultVariable"), result)
        owner.set(camunda("mapDecisionResult"), DECISION_VALUE)
    else:
        ctx.error(owner, "decision-result-variable", msg("diag.decision-result-variable"),
                  msg("hint.decision-result-variable"))  # fmt: skip
