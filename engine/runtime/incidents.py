"""Turning an error raised while the engine ran into the incident the instance shows."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.runtime.model import IncidentInfo


def incident_from(error: Exception, workflow: Any) -> IncidentInfo:
    """The failing element (from the error, else the task left in ERROR) and a message with line and notes."""
    task = getattr(error, "task", None)
    task_spec = getattr(task, "task_spec", None) or getattr(error, "task_spec", None)
    if task is None:
        failed = workflow.get_tasks(state=TaskState.ERROR)
        task = failed[0] if failed else None
        task_spec = task_spec or getattr(task, "task_spec", None)
    message = str(error)
    line = getattr(error, "line_number", None)
    if line and "line" not in message:
        message = f"{message} (line {line})"
    notes = getattr(error, "notes", None)
    if notes:
        message = f"{message}. {' '.join(notes)}"
    return IncidentInfo(
        element_id=getattr(task_spec, "bpmn_id", None),
        element_name=getattr(task_spec, "bpmn_name", None),
        message=message,
        task_id=str(task.id) if task is not None else None,
    )
