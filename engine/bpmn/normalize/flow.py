"""Normalising the flow: implicit splits, missing start events, gateway conditions and loops.

BPMN allows shortcuts SpiffWorkflow does not parse: an activity with several outgoing flows (an implicit
parallel or inclusive split), a process or subprocess without a start event, a gateway flow without a
condition. These are rewritten into the explicit equivalent (with ``as_executable``, an undecided
gateway gets a choice field on the task before it); complex gateways and loops that never stop become
an ERROR. Events (link pairs, compensation, dangling references) are the ``events`` pass's.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.bpmn.bpmn_xml import BPMN_NS, GATEWAYS, bpmn, camunda, index_by_id, text_of
from engine.bpmn.diagnostics import local_name
from engine.bpmn.normalize.context import Context
from engine.bpmn.normalize.forms import add_choice_field
from engine.bpmn.normalize.graph import (
    add_flow,
    all_scopes,
    condition_of,
    flow_nodes,
    has_condition,
    new_node,
    sequence_flows,
    to_user_task,
)
from engine.domain.messages import msg


class _Flows:
    """A scope's sequence flows by source and by target, built once (uploads may hold thousands)."""

    def __init__(self, scope: etree._Element) -> None:
        self.out: dict[str, list[etree._Element]] = {}
        self.into: dict[str, list[etree._Element]] = {}
        for flow in sequence_flows(scope):
            self.out.setdefault(flow.get("sourceRef", ""), []).append(flow)
            self.into.setdefault(flow.get("targetRef", ""), []).append(flow)


def normalize_structure(ctx: Context) -> None:
    """Explicit gateways for implicit splits, start events where BPMN lets them be implicit, gateway defaults."""
    index = index_by_id(ctx.root)
    for scope in all_scopes(ctx):
        if local_name(scope) != "adHocSubProcess" and scope.get("triggeredByEvent") != "true":
            _ensure_start(ctx, scope)
        _explicit_splits(ctx, scope)
        nodes = flow_nodes(scope)
        index.update((node.get("id", ""), node) for node in nodes)  # gateways the splits added
        flows = _Flows(scope)
        for gateway in nodes:
            if local_name(gateway) in ("exclusiveGateway", "inclusiveGateway"):
                _gateway_conditions(ctx, gateway, flows, index)
            elif local_name(gateway) == "complexGateway":
                ctx.error(
                    gateway,
                    "complex-gateway",
                    msg("diag.complex-gateway"),
                    msg("hint.complex-gateway"),
                )
        _fix_loops(ctx, scope)
    _sync_incoming_outgoing(ctx)


def _ensure_start(ctx: Context, scope: etree._Element) -> None:
    if scope.find(bpmn("startEvent")) is not None:
        return
    nodes = flow_nodes(scope)
    if not nodes:
        if local_name(scope) == "process":
            ctx.error(scope, "empty-process", msg("diag.empty-process"))
        elif ctx.as_executable:
            to_user_task(ctx, scope, msg("part.is_empty"))
        else:
            ctx.error(scope, "empty-subprocess", msg("diag.empty-subprocess"), msg("hint.empty-subprocess"))
        return
    targets = {flow.get("targetRef") for flow in sequence_flows(scope)}
    entry = [
        n
        for n in nodes
        if n.get("id") not in targets
        and local_name(n) != "boundaryEvent"
        and n.get("isForCompensation") != "true"
        and n.get("triggeredByEvent") != "true"
    ]
    if not entry or not ctx.as_executable:
        ctx.error(
            scope,
            "no-start-event",
            msg("diag.no-start-event", type=local_name(scope)),
            msg("hint.no-start-event" if entry else "hint.no-start-event.cycle"),
        )
        return
    start = etree.Element(bpmn("startEvent"), id=ctx.new_id(f"{scope.get('id', 'scope')}_start"))
    entry[0].addprevious(start)
    start.tail = entry[0].tail
    source = start.get("id", "")
    if len(entry) > 1:
        fork = new_node(ctx, start, "parallelGateway", f"{scope.get('id', 'scope')}_start_fork")
        add_flow(ctx, scope, source, fork.get("id", ""))
        source = fork.get("id", "")
    for node in entry:
        add_flow(ctx, scope, source, node.get("id", ""))
    ctx.changed = True
    ctx.note(
        scope,
        "warning",
        "start-event-added",
        msg("diag.start-event-added", names=", ".join(n.get("id", "") for n in entry)),
        msg("hint.start-event-added"),
    )


def _explicit_splits(ctx: Context, scope: etree._Element) -> None:
    """Several outgoing flows (or conditional ones) on an activity or event become an explicit gateway."""
    by_source: dict[str, list[etree._Element]] = {}
    for flow in sequence_flows(scope):
        by_source.setdefault(flow.get("sourceRef", ""), []).append(flow)
    for node in flow_nodes(scope):
        kind = local_name(node)
        outgoing = by_source.get(node.get("id", ""), [])
        default = node.get("default")
        conditional = any(has_condition(f) for f in outgoing)
        if kind in GATEWAYS or not outgoing or (len(outgoing) == 1 and not conditional):
            continue
        gateway_tag = "inclusiveGateway" if conditional or default else "parallelGateway"
        split = new_node(ctx, node, gateway_tag, f"{node.get('id')}_split")
        add_flow(ctx, scope, node.get("id", ""), split.get("id", ""))
        for flow in outgoing:
            flow.set("sourceRef", split.get("id", ""))
            if gateway_tag == "inclusiveGateway" and not has_condition(flow) and flow.get("id") != default:
                condition = etree.SubElement(flow, bpmn("conditionExpression"))
                condition.text = "True"  # an unconditional flow beside conditional ones is always taken
        if default:
            split.set("default", default)
            del node.attrib["default"]
        ctx.note(
            node,
            "info",
            "implicit-split",
            msg("diag.implicit-split", count=len(outgoing), gateway_tag=gateway_tag),
        )


def _variable_name(gateway: etree._Element) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", (gateway.get("name") or "").lower()).strip("_")
    if not name or not re.match(r"^[a-z_]", name):
        name = "decision_" + re.sub(r"\W", "_", gateway.get("id", "gateway"))
    return name


# A condition that is only a placeholder name (``_undefined``, ``${_tbd}``): modelling tools write these for
# a flow whose condition is still to be decided. No expression language has such a name (the restricted
# language refuses leading underscores), so for a descriptive diagram it means "no condition yet".
_PLACEHOLDER = re.compile(r"^\s*(\$\{\s*)?_\w*(\s*\})?\s*$")


def _drop_placeholder_conditions(ctx: Context, outgoing: list[etree._Element]) -> None:
    for flow in outgoing:
        condition = condition_of(flow)
        if condition is not None and _PLACEHOLDER.match(text_of(condition) or ""):
            flow.remove(condition)
            ctx.changed = True
            ctx.note(
                flow,
                "info",
                "placeholder-condition",
                msg("diag.placeholder-condition", text_of=text_of(condition)),
            )


def _gateway_conditions(ctx: Context, gateway: etree._Element, flows: _Flows, index: dict[str, etree._Element]) -> None:
    outgoing = flows.out.get(gateway.get("id", ""), [])
    default = gateway.get("default")
    if ctx.as_executable:
        _drop_placeholder_conditions(ctx, outgoing)
    open_flows = [f for f in outgoing if f.get("id") != default and not has_condition(f)]
    if not open_flows or len(outgoing) < 2:
        return
    if len(open_flows) == 1 and not default and len(outgoing) > 1:
        gateway.set("default", open_flows[0].get("id", ""))
        ctx.changed = True
        ctx.warn(
            open_flows[0],
            "flow-made-default",
            msg("diag.flow-made-default"),
            msg("hint.flow-made-default"),
        )
        return
    if not ctx.as_executable:
        for flow in open_flows:
            ctx.error(
                flow,
                "missing-condition",
                msg("diag.missing-condition", type=local_name(gateway), id=gateway.get("id")),
                msg("hint.missing-condition"),
            )
        return
    variable = _variable_name(gateway)
    options = []
    for flow in open_flows:
        target = index.get(flow.get("targetRef", ""))
        label = (flow.get("name") or (target.get("name") if target is not None else None) or flow.get("id", "")).strip()
        value = re.sub(r"\s+", " ", label)
        condition = etree.SubElement(flow, bpmn("conditionExpression"))
        if local_name(gateway) == "inclusiveGateway":
            condition.text = "True"
        else:
            condition.text = f"{variable} == {value!r}"
            options.append((value, label))
    ctx.changed = True
    if local_name(gateway) == "inclusiveGateway":
        ctx.warn(
            gateway,
            "inclusive-all-paths",
            msg("diag.inclusive-all-paths"),
            msg("hint.inclusive-all-paths"),
        )
        return
    incoming = flows.into.get(gateway.get("id", ""), [])
    chooser = index.get(incoming[0].get("sourceRef", "")) if len(incoming) == 1 else None
    if chooser is not None and local_name(chooser) == "userTask":
        add_choice_field(chooser, variable, gateway.get("name") or variable, options)
        ctx.warn(
            gateway,
            "decision-field",
            msg("diag.decision-field", id=chooser.get("id"), variable=variable),
            msg("hint.decision-field"),
        )
    else:
        ctx.warn(
            gateway,
            "decision-variable",
            msg("diag.decision-variable", variable=variable),
            msg("hint.decision-variable", variable=variable, names=", ".join((repr(v) for v, _ in options))),
        )


def _fix_loops(ctx: Context, scope: etree._Element) -> None:
    for node in flow_nodes(scope):
        multi = node.find(bpmn("multiInstanceLoopCharacteristics"))
        if multi is not None:
            has_input = multi.find(bpmn("loopCardinality")) is not None or multi.get(camunda("collection"))
            if not has_input and multi.find(bpmn("loopDataInputRef")) is None:
                _drop_or_fail(
                    ctx,
                    node,
                    multi,
                    "multi-instance",
                    "says how many instances to run",
                    "set camunda:collection (a list variable) or a loop cardinality",
                )
        loop = node.find(bpmn("standardLoopCharacteristics"))
        if loop is not None and loop.find(bpmn("loopCondition")) is None and not loop.get("loopMaximum"):
            _drop_or_fail(ctx, node, loop, "loop", "says when to stop", "add a loop condition or a loop maximum")


def _drop_or_fail(ctx: Context, node: etree._Element, marker: etree._Element, what: str, needs: str, hint: str) -> None:
    if ctx.as_executable:
        node.remove(marker)
        ctx.changed = True
        ctx.warn(node, f"{what}-dropped", msg(f"diag.{what}-dropped"), msg(f"hint.{what}-marker"))
    else:
        ctx.error(node, f"{what}-incomplete", msg(f"diag.{what}-incomplete"), msg(f"hint.{what}-marker"))


def _sync_incoming_outgoing(ctx: Context) -> None:
    """Rewrite <incoming>/<outgoing> of every flow node from the sequence flows (modellers read them)."""
    if not ctx.changed:
        return
    anchors = ("documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef")
    for scope in all_scopes(ctx):
        flows = _Flows(scope)
        for node in flow_nodes(scope):
            node_id = node.get("id", "")
            for child in list(node):
                if local_name(child) in ("incoming", "outgoing") and etree.QName(child).namespace == BPMN_NS:
                    node.remove(child)
            anchor_index = 0
            for position, child in enumerate(node):
                if local_name(child) in anchors:
                    anchor_index = position + 1
            refs = [("incoming", f.get("id", "")) for f in flows.into.get(node_id, [])]
            refs += [("outgoing", f.get("id", "")) for f in flows.out.get(node_id, [])]
            for offset, (tag, ref) in enumerate(refs):
                element = etree.Element(bpmn(tag))
                element.text = ref
                node.insert(anchor_index + offset, element)
