"""Message throw and end events implemented as external tasks (``camunda:type="external"`` on the message).

Camunda 7 lets a message intermediate throw event or a message end event be done by a worker: the event's
``messageEventDefinition`` carries ``camunda:type="external"`` and a topic; Camunda 8 does the same with a
``zeebe:taskDefinition`` on the event (a job). The engine runs external work
as service tasks, so such an event becomes one with the same id (its shape and its history stay), and an
end event is followed by a plain end event, since a service task cannot end the process itself.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.bpmn_xml import bpmn, camunda
from engine.bpmn.diagnostics import local_name
from engine.bpmn.normalize.context import Context
from engine.bpmn.normalize.graph import all_scopes, flow_nodes
from engine.domain.messages import msg

_MOVED = ("type", "topic", "taskPriority")


def external_message_events(ctx: Context) -> None:
    """Turn every external message throw/end event of the running processes into an external service task."""
    for scope in all_scopes(ctx):
        for node in flow_nodes(scope):
            if local_name(node) not in ("intermediateThrowEvent", "endEvent"):
                continue
            definition = node.find(bpmn("messageEventDefinition"))
            if definition is None:
                continue
            # Camunda 7 marks the definition; a Camunda 8 job (zeebe:taskDefinition, read into the event by
            # the vendor pass) marks the event itself: either way a worker does it, and the flow waits.
            if "external" not in (definition.get(camunda("type")), node.get(camunda("type"))):
                continue
            _to_service_task(ctx, scope, node, definition)


def _to_service_task(ctx: Context, scope: etree._Element, node: etree._Element, definition: etree._Element) -> None:
    kind = local_name(node)
    for attribute in _MOVED:
        value = definition.get(camunda(attribute))
        if value is not None:
            node.set(camunda(attribute), value)
    node.remove(definition)
    node.tag = bpmn("serviceTask")
    if kind == "endEvent":
        end_id = ctx.new_id(f"{node.get('id')}_end")
        flow_id = ctx.new_id(f"{node.get('id')}_to_end")
        position = list(scope).index(node) + 1
        scope.insert(position, etree.Element(bpmn("endEvent"), id=end_id))
        scope.insert(position + 1, etree.Element(bpmn("sequenceFlow"), id=flow_id, sourceRef=node.get("id", ""),
                                                 targetRef=end_id))  # fmt: skip
    ctx.changed = True
    ctx.note(node, "info", "external-message-event",
             msg("diag.external-message-event", kind=kind, get=node.get(camunda('topic'))))  # fmt: skip
