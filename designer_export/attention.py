"""Predictions of what instances will do at an element: wait for a worker, or get an incident.

A file is ``needs_attention`` (engine.designer_export.check) when one of its elements will predictably
raise an incident: a Java class, delegate expression or connector (code ``java-implementation``, found
by the normaliser), a topic no system action handles on a task that is not an external task
(``unknown-topic``), or a condition that reads a variable nothing in the process sets
(``condition-variable``). External tasks are a normal state and only listed (``external-task``).
"""

from __future__ import annotations

import builtins

from lxml import etree

from engine.bpmn.bpmn_xml import bpmn, camunda, text_of
from engine.bpmn.diagnostics import INFO, WARNING, Diagnostic, at, local_name
from engine.bpmn.expressions import free_names, juel_to_python
from engine.bpmn.normalize.pipeline import NormalizedFile
from engine.domain.messages import msg
from engine.domain.process_data import COMPLAINT_VARIABLES, HELPER_NAMES

# Diagnostics that mean "instances get an incident at this element".
ATTENTION_CODES = frozenset({"java-implementation", "unknown-topic", "condition-variable", "decision-variable"})
_SERVICE_LIKE = ("serviceTask", "sendTask", "businessRuleTask")
# Elements that may set variables this check cannot see: a system action's or worker's result, a decision's
# outputs, a message's payload, a called process's outputs.
_OPAQUE = {"serviceTask", "sendTask", "businessRuleTask", "receiveTask", "callActivity"}
_OPAQUE_EVENTS = {"messageEventDefinition", "signalEventDefinition"}


def topic_diagnostics(item: NormalizedFile, topics: set[str]) -> list[Diagnostic]:
    """External tasks as "waits for a worker on topic X"; other unknown topics as predicted incidents."""
    if item.root is None:
        return []
    # A Java delegate turned into a topic is already reported, with the same consequence.
    converted = {d.element_id for d in item.diagnostics if d.code == "java-implementation"}
    found = []
    for node in item.root.iter(*(bpmn(kind) for kind in _SERVICE_LIKE)):
        topic = node.get(camunda("topic"))
        if not topic or topic in topics or node.get("id") in converted:
            continue
        if node.get(camunda("type")) == "external":
            found.append(
                at(
                    node,
                    INFO,
                    "external-task",
                    msg("diag.external-task", topic=topic),
                    file=item.filename,
                )
            )
            continue
        found.append(
            at(
                node,
                WARNING,
                "unknown-topic",
                msg("diag.unknown-topic", topic=topic),
                msg("hint.unknown-topic", names=", ".join(sorted(topics)), topic=topic),
                file=item.filename,
            )
        )
    return found


def _opaque(process: etree._Element) -> bool:
    for node in process.iter():
        if not isinstance(node.tag, str):
            continue
        kind = local_name(node)
        if kind in _OPAQUE:
            return True
        if kind in _OPAQUE_EVENTS and local_name(node.getparent()) != "endEvent":
            return True
    return False


def _set_in(process: etree._Element) -> set[str]:
    names = {field.get("id", "") for field in process.iter(camunda("formField"))}
    for node in process.iter(camunda("outputParameter"), camunda("inputParameter")):
        names.add(node.get("name", ""))
    for node in process.iter(camunda("multiInstanceLoopCharacteristics"), bpmn("multiInstanceLoopCharacteristics")):
        names.add(node.get(camunda("elementVariable"), ""))
    for node in process.iter():
        if isinstance(node.tag, str) and node.get(camunda("resultVariable")):
            names.add(node.get(camunda("resultVariable"), ""))
    return names


def condition_variable_diagnostics(
    root: etree._Element, filename: str, assigned: set[str], reported: frozenset[str] = frozenset()
) -> list[Diagnostic]:
    """Conditions reading a variable that no form, script, start variable or mapping of the process sets.

    Only processes whose every source of variables is visible are judged: one with a service task, a
    decision, a message, a call activity... may get the variable from there, so it is not flagged.
    ``assigned`` are the names the file's scripts assign; ``reported`` are gateways whose decision variable
    the normaliser already reported as set by nothing (``decision-variable``), not repeated per flow.
    """
    found: list[Diagnostic] = []
    known = HELPER_NAMES | set(COMPLAINT_VARIABLES) | set(dir(builtins)) | assigned
    for process in root.iterchildren(bpmn("process")):
        if (process.get("isExecutable") or "true").lower() != "true" or _opaque(process):
            continue
        visible = known | _set_in(process)
        for condition in process.iter(bpmn("conditionExpression")):
            text = text_of(condition)
            try:
                names = free_names(juel_to_python(text)) if text else set()
            except (SyntaxError, ValueError):
                continue  # the rules report a condition that does not compile
            # A name with a leading underscore does not compile at all: the rules report that instead.
            unknown = sorted(name for name in names if name not in visible and not name.startswith("_"))
            owner = condition.getparent()
            if not unknown or owner.get("sourceRef") in reported:
                continue
            found.append(
                at(
                    owner,
                    WARNING,
                    "condition-variable",
                    msg("diag.condition-variable", text=text, names=", ".join(unknown)),
                    msg("hint.condition-variable"),
                    file=filename,
                )
            )
    return found
