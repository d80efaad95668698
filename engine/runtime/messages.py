"""Message events whose payload lands in the process variables the way designers expect.

SpiffWorkflow's Camunda message puts the whole payload under one variable (``camunda:resultVariable``,
else ``<element>_Response``). Customer information arrives as several fields (order number, photos,
comment) that gateways and forms read directly, so without a result variable a dict payload is merged
into the task data; with one, Camunda's behaviour is kept.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessageEventDefinition


class MergingMessageEventDefinition(CamundaMessageEventDefinition):
    """Camunda message event that merges a dict payload into task data when no result variable is set."""

    def throw(self, my_task: Any) -> None:
        result = my_task.workflow.script_engine.evaluate(my_task, self.expression) if self.expression else {}
        event = BpmnEvent(self, payload={"payload": result, "result_var": self.result_var})
        my_task.workflow.top_workflow.catch(event)

    def update_internal_data(self, my_task: Any, event: Any) -> None:
        my_task.internal_data[self.name] = dict(event.payload)

    def update_task_data(self, my_task: Any) -> None:
        event_data = my_task.internal_data.get(self.name) or {}
        payload = event_data.get("payload")
        result_var = event_data.get("result_var")
        if result_var:
            my_task.data[result_var] = payload
        elif isinstance(payload, dict):
            my_task.data.update(payload)


def message_event(definition: MergingMessageEventDefinition, payload: dict[str, Any]) -> BpmnEvent:
    """The event to send into a workflow for an incoming message."""
    return BpmnEvent(definition, payload={"payload": dict(payload), "result_var": definition.result_var})
