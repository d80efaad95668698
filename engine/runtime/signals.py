"""Signals: a broadcast every waiting signal catch event (start events aside) of an instance receives."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent

from engine.runtime.clock import engine_time
from engine.runtime.stepping import event_definitions
from engine.runtime.workflow import WorkflowRun


def waits_for_signal(run: WorkflowRun, name: str) -> bool:
    """True when a catch event or boundary event of the instance waits for the signal ``name``."""
    for task in run.workflow.event_manager.tasks.values():
        for definition in event_definitions(task.task_spec.event_definition):
            if isinstance(definition, SignalEventDefinition) and definition.name == name:
                return True
    return False


def has_signal_events(run: WorkflowRun) -> bool:
    """Whether the process declares any signal event at all (so a broadcast can skip the others)."""
    specs = run.workflow.all_specs()  # called versions the instance runs may declare signals its own copy lacks
    return any(
        isinstance(definition, SignalEventDefinition)
        for spec in specs
        for task_spec in spec.task_specs.values()
        for definition in event_definitions(getattr(task_spec, "event_definition", None))
    )


def send_signal(run: WorkflowRun, name: str, payload: dict[str, Any]) -> None:
    """Deliver the signal with its variables and run on until the instance waits again."""
    with engine_time(run.now):
        run.workflow.catch(BpmnEvent(SignalEventDefinition(name), payload=dict(payload)))
    run.advance()
