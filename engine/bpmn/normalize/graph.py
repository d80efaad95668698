"""Small graph helpers shared by the normalisation passes: flow nodes, flows, scopes, new elements."""

from __future__ import annotations

from lxml import etree

from engine.bpmn.bpmn_xml import CAMUNDA_NS, FLOW_NODES, SCOPES, bpmn, text_of
from engine.bpmn.diagnostics import local_name
from engine.bpmn.normalize.context import Context
from engine.domain.messages import msg


def flow_nodes(scope: etree._Element) -> list[etree._Element]:
    return [child for child in scope if local_name(child) in FLOW_NODES]


def sequence_flows(scope: etree._Element) -> list[etree._Element]:
    return list(scope.iterchildren(bpmn("sequenceFlow")))


def all_scopes(ctx: Context) -> list[etree._Element]:
    """The processes that will run and every subprocess inside them."""
    result = []
    for process in ctx.processes:
        result.append(process)
        result.extend(node for node in process.iter() if local_name(node) in SCOPES - {"process"})
    return result


def condition_of(flow: etree._Element) -> etree._Element | None:
    return flow.find(bpmn("conditionExpression"))


def has_condition(flow: etree._Element) -> bool:
    condition = condition_of(flow)
    return condition is not None and bool(text_of(condition))


def new_node(ctx: Context, anchor: etree._Element, tag: str, base_id: str, **attrs: str) -> etree._Element:
    node = etree.Element(bpmn(tag), id=ctx.new_id(base_id), **attrs)
    anchor.addnext(node)
    node.tail = anchor.tail
    ctx.changed = True
    return node


def add_flow(ctx: Context, scope: etree._Element, source: str, target: str) -> etree._Element:
    flows = sequence_flows(scope)
    node = etree.Element(bpmn("sequenceFlow"), id=ctx.new_id(f"Flow_{source}_{target}"))
    node.set("sourceRef", source)
    node.set("targetRef", target)
    if flows:
        flows[-1].addnext(node)
    else:
        scope.append(node)
    ctx.changed = True
    return node


def root_element(ctx: Context, tag: str, base_id: str, name: str) -> etree._Element:
    element = etree.Element(bpmn(tag), id=ctx.new_id(base_id), name=name)
    first_process = ctx.root.find(bpmn("process"))
    if first_process is not None:
        first_process.addprevious(element)
    else:
        ctx.root.append(element)
    ctx.changed = True
    return element


# Attributes a userTask may carry (besides foreign-namespace ones): what an activity of any kind has.
_USER_TASK_ATTRIBUTES = {"id", "name", "isForCompensation", "startQuantity", "completionQuantity", "default"}
# Children of other element kinds that a userTask cannot have (the BPMN schema would refuse them).
_IMPLEMENTATION_ATTRIBUTES = {
    "class", "delegateExpression", "expression", "type", "topic", "resultVariable", "decisionRef", "resource",
}  # fmt: skip
_FOREIGN_CHILDREN = {"script", "dataOutput", "dataInput", "outputSet", "inputSet", "laneSet"}


def to_user_task(ctx: Context, node: etree._Element, why: str) -> None:
    """Make an activity or event a human task (keeping id, name and lane): a person performs the step."""
    kind = local_name(node)
    node.tag = bpmn("userTask")
    for attribute in list(node.attrib):
        name = etree.QName(attribute)
        foreign_to_user_tasks = name.namespace is None and attribute not in _USER_TASK_ATTRIBUTES
        if foreign_to_user_tasks or (name.namespace == CAMUNDA_NS and name.localname in _IMPLEMENTATION_ATTRIBUTES):
            del node.attrib[attribute]
    for child in list(node):
        if local_name(child) in _FOREIGN_CHILDREN or local_name(child).endswith("EventDefinition"):
            node.remove(child)
    ctx.changed = True
    ctx.warn(node, "became-user-task", msg("diag.became-user-task", kind=kind, why=why),
             msg("hint.became-user-task"))  # fmt: skip
