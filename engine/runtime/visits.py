"""Which BPMN elements a run entered and left since it was loaded: the raw material of the heatmap.

The runtime compares each task's state now with its state when the instance was loaded (a dictionary of
task id -> state taken at restore), so the caller learns what happened in this unit of work without
keeping any history inside the serialized workflow.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.runtime.model import VisitChange
from engine.runtime.task_index import all_tasks

# A token is *at* the element: a person or system action works on it, or it waits (timer, message, join), or failed.
_OPEN = TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.ERROR


def _elements(workflow: Any) -> list[Any]:
    # Internal tasks (the process root, start/end helpers, boundary-event splits) have no BPMN id.
    return [task for task in all_tasks(workflow) if getattr(task.task_spec, "bpmn_id", None)]


def task_states(workflow: Any) -> dict[str, int]:
    """Task id -> SpiffWorkflow state of every task that stands for a BPMN element."""
    return {str(task.id): task.state for task in _elements(workflow)}


def changes_since(workflow: Any, baseline: dict[str, int]) -> tuple[list[VisitChange], dict[str, int]]:
    """Elements entered and/or left since ``baseline``, and the states now (the next baseline), in one pass.

    A visit opens when a task becomes open, and closes as ``completed`` when it completes or as ``cancelled``
    when an open task leaves the open states otherwise.
    """
    changes = []
    states = {}
    for task in _elements(workflow):
        task_id, state = str(task.id), task.state
        states[task_id] = state
        before = baseline.get(task_id)
        if before == state:
            continue
        was_open = before is not None and bool(before & _OPEN)
        is_open = bool(state & _OPEN)
        element = task.task_spec.bpmn_id
        if is_open and not was_open:
            changes.append(VisitChange(task_id, element, entered=True, outcome=None))
        elif state == TaskState.COMPLETED and before != TaskState.COMPLETED:
            changes.append(VisitChange(task_id, element, entered=not was_open, outcome="completed"))
        elif was_open and not is_open:
            changes.append(VisitChange(task_id, element, entered=False, outcome="cancelled"))
    return changes, states
