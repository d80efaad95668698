"""External-task outcomes the workflow itself must see: a BPMN error thrown by a worker.

A worker that reports ``bpmnError`` means "this business case went another way": the error boundary
event on the step (or on an enclosing subprocess) whose error code matches takes over, as in Camunda.
Without one, the step gets an incident, so nothing silently ends.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from engine.domain.errors import InvalidState
from engine.domain.messages import msg
from engine.runtime.clock import engine_time
from engine.runtime.workflow import WorkflowRun


def _catching_boundary(task: Any, code: str) -> bool:
    """True when an error boundary event on the task or on a subprocess around it catches ``code``."""
    event = ErrorEventDefinition(code, code)
    for waiting in task.workflow.top_workflow.event_manager.tasks.values():
        definition = waiting.task_spec.event_definition
        if not isinstance(definition, ErrorEventDefinition) or waiting.state != TaskState.WAITING:
            continue
        if definition == event and _encloses(waiting, task):
            return True
    return False


def _encloses(boundary: Any, task: Any) -> bool:
    """The boundary event belongs to ``task`` itself or to a subprocess task ``task`` runs inside."""
    attached_to = boundary.parent  # the _BoundaryEventParent; its first child is the activity
    candidates = {child.id for child in attached_to.children} if attached_to is not None else set()
    current: Any = task
    while current is not None:
        if current.id in candidates:
            return True
        workflow = current.workflow
        # A task inside a subprocess: continue with the subprocess task in the parent workflow.
        parent_workflow = getattr(workflow, "parent_workflow", None)
        current = parent_workflow.get_task_from_id(workflow.parent_task_id) if parent_workflow else None
    return False


def throw_bpmn_error(run: WorkflowRun, task_id: str, code: str, message: str, variables: dict[str, Any]) -> bool:
    """Throw the error from the waiting service task; False (and an incident) when nothing catches it."""
    task = run._task(task_id)
    if task.state != TaskState.STARTED:
        raise InvalidState(msg("instance.service_task_not_waiting", task_id=task_id))
    if variables:
        task.set_data(**variables)
    if not _catching_boundary(task, code):
        run.fail_service_call(task_id, f"BPMN error {code!r} was not caught" + (f": {message}" if message else ""))
        return False
    payload = dict(variables)
    event = BpmnEvent(ErrorEventDefinition(code, code), payload=payload, target=task.workflow)
    with engine_time(run.now):
        task.workflow.top_workflow.catch(event)
    run.advance()
    return True
