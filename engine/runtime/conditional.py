"""Conditional events wait while their condition reads a variable that is not set yet.

BPMN triggers a conditional event when its condition *becomes* true; it is evaluated when the event becomes
active and again whenever the process data changes. A condition such as ``${invoiceId != null}`` on a
boundary event is typically about data that the activity itself produces (Camunda's order-handling example:
a worker sets ``invoiceId``), so at activation the variable does not exist yet. SpiffWorkflow raised
NameError there and the instance became an incident the moment the activity started, although the check
had called the diagram deployable. An unset name now means "not true yet" (as FEEL's null does in
Camunda 8): the event keeps waiting and fires once the data makes the condition true. Any other error in
the condition is still an incident at the event.

The class keeps its name and serialized form: SpiffWorkflow's method is replaced once, when the runtime is
imported, so stored instances load unchanged.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition


def _unset_variable(error: WorkflowTaskException) -> bool:
    # SpiffWorkflow keeps the wrapped error's class name only (``error_type``), not the error itself.
    return getattr(error, "error_type", None) == "NameError" or isinstance(error.__cause__, NameError)


def _has_fired(self: ConditionalEventDefinition, my_task: Any) -> bool:
    try:
        fired = my_task.workflow.script_engine.evaluate(
            my_task, self.expression, external_context=my_task.workflow.data_objects
        )
    except WorkflowTaskException as error:
        if not _unset_variable(error):
            raise
        fired = False
    my_task._set_internal_data(has_fired=bool(fired))
    return bool(my_task._get_internal_data("has_fired", False))


ConditionalEventDefinition.has_fired = _has_fired  # type: ignore[method-assign]
