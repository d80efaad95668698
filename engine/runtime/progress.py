"""Where an instance stands, per diagram element: for drawing it with overlays."""

from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

from engine.runtime.workflow import WorkflowRun

# The most telling state wins when an element ran several times (a loop): an incident over the rest.
_RANK = {"incident": 4, "active": 3, "waiting": 2, "completed": 1}


def element_states(run: WorkflowRun) -> dict[str, str]:
    """Element id -> ``completed``, ``active`` (a person or a system action is on it), ``waiting`` or ``incident``."""
    states: dict[str, str] = {}
    for task in run.workflow.get_tasks():
        element = getattr(task.task_spec, "bpmn_id", None)
        if not element:
            continue
        if task.has_state(TaskState.ERROR):
            state = "incident"
        elif task.has_state(TaskState.READY | TaskState.STARTED):
            state = "active"
        elif task.has_state(TaskState.WAITING):
            state = "waiting"
        elif task.has_state(TaskState.COMPLETED):
            state = "completed"
        else:
            continue
        if _RANK[state] > _RANK.get(states.get(element, ""), 0):
            states[element] = state
    return states
