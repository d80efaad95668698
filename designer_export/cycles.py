"""Loops without a wait state, found before deployment.

A cycle of sequence flows whose elements all run on their own (gateways, script, send and service tasks
that a system action completes, a timer that is due at once) never gives the engine a reason to stop. At
run time such a loop is stopped by the step budget and becomes an incident (engine.runtime.stepping);
the check says so first, located at the loop's elements. A loop with no flow leaving it (or only flows
whose condition is a constant false) can never end: an error. A loop with a conditional exit may be a
bounded repetition (count to ten): a warning that names the elements and the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from engine.bpmn.bpmn_xml import FLOW_NODES, SCOPES, bpmn, camunda, text_of
from engine.bpmn.diagnostics import ERROR, WARNING, Diagnostic, at, local_name
from engine.domain.messages import msg
from engine.runtime.limits import MAX_LOOP_STEPS

# Elements where a token waits for someone or something outside the engine.
_WAITING = {"userTask", "manualTask", "receiveTask", "eventBasedGateway", "callActivity", *SCOPES}
_WAITING_EVENTS = {"messageEventDefinition", "signalEventDefinition", "conditionalEventDefinition"}
_CONSTANT_FALSE = re.compile(r"^\s*(\$\{\s*)?(false|False|0|None)(\s*\})?\s*$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _zero_duration(text: str) -> bool:
    """True for ``PT0S``, ``"P0D"``, ``R5/PT0S``: a timer that is due the moment it is reached."""
    value = text.strip().strip("'\"")
    if "/" in value:
        value = value.rsplit("/", 1)[-1]
    if not value.startswith("P"):
        return False
    numbers = _NUMBER.findall(value)
    return bool(numbers) and all(float(number.replace(",", ".")) == 0 for number in numbers)


def _waits(node: etree._Element) -> bool:
    kind = local_name(node)
    if kind in _WAITING:
        return True
    if kind == "serviceTask" or kind == "sendTask":
        # A worker's external task waits; a system action completes in the same step.
        return node.get(camunda("type")) == "external"
    if kind not in {"intermediateCatchEvent", "boundaryEvent"}:
        return False
    definitions = [local_name(child) for child in node if local_name(child).endswith("EventDefinition")]
    if any(definition in _WAITING_EVENTS for definition in definitions):
        return True
    for timer in node.iter(bpmn("timerEventDefinition")):
        for value in timer:
            if local_name(value) in {"timeDuration", "timeCycle"} and _zero_duration(text_of(value) or ""):
                continue
            return True
    return False


def _strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion (diagrams can be large); components in discovery order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(edges.get(successor, ()))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


def _scope_cycles(scope: etree._Element, filename: str) -> Iterable[Diagnostic]:
    nodes = {child.get("id", ""): child for child in scope if local_name(child) in FLOW_NODES and child.get("id")}
    running = {node_id for node_id, node in nodes.items() if not _waits(node)}
    edges: dict[str, list[str]] = {}
    exits: dict[str, list[etree._Element]] = {}
    for flow in scope.iterchildren(bpmn("sequenceFlow")):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        condition = flow.find(bpmn("conditionExpression"))
        never = condition is not None and bool(_CONSTANT_FALSE.match(text_of(condition) or ""))
        if source in running and target in running and not never:
            edges.setdefault(source, []).append(target)
        elif source in running and not never:
            exits.setdefault(source, []).append(flow)
    for node_id, node in nodes.items():
        if local_name(node) == "boundaryEvent" and node.get("attachedToRef") in running and node_id in running:
            edges.setdefault(node.get("attachedToRef", ""), []).append(node_id)
    order = [node_id for node_id in nodes if node_id in running]
    for component in _strongly_connected(order, edges):
        members = set(component)
        if len(component) == 1 and component[0] not in edges.get(component[0], []):
            continue
        ordered = [node_id for node_id in order if node_id in members]
        names = " → ".join(_label(nodes[node_id]) for node_id in ordered)
        leaves = any(
            flow.get("targetRef") not in members for node_id in ordered for flow in exits.get(node_id, [])
        ) or any(target not in members for node_id in ordered for target in edges.get(node_id, []))
        if leaves:
            yield at(
                nodes[ordered[0]],
                WARNING,
                "loop-without-wait",
                msg("diag.loop-without-wait", names=names, max_loop_steps=MAX_LOOP_STEPS),
                msg("hint.loop-without-wait"),
                file=filename,
            )
        else:
            yield at(
                nodes[ordered[0]],
                ERROR,
                "endless-loop",
                msg("diag.endless-loop", names=names),
                msg("hint.endless-loop"),
                file=filename,
            )


def _label(node: etree._Element) -> str:
    name = " ".join((node.get("name") or "").split())
    return f"{name} ({node.get('id')})" if name else node.get("id", "")


def loop_diagnostics(root: etree._Element, filename: str) -> list[Diagnostic]:
    """Every loop without a wait state in the executable processes of a normalised BPMN document."""
    found: list[Diagnostic] = []
    for process in root.iterchildren(bpmn("process")):
        if (process.get("isExecutable") or "true").lower() != "true":
            continue
        for scope in [process, *(s for s in process.iter() if local_name(s) in SCOPES and s is not process)]:
            found.extend(_scope_cycles(scope, filename))
    return found
