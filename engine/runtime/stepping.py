"""Running SpiffWorkflow's engine steps under a budget, and telling the truth about where they stopped.

SpiffWorkflow runs automatic steps until none is ready. A loop without a wait state (two gateways that
send the token back and forth, a script task whose exit condition never holds, a ``PT0S`` timer that
leads back to itself) never runs out of ready steps; after 1,000 levels of its task tree SpiffWorkflow no
longer sees the token at all and calls the instance *completed*. Here every step is counted: a unit of
work that exceeds its step budget, a token that passed :data:`MAX_LOOP_STEPS` elements within one unit of
work (no wait state in between) or :data:`MAX_TASK_DEPTH` since its instance started, stops with a
:class:`LoopStopped` incident that names the elements of the loop; the instance is complete only when no
task anywhere is unfinished. Retrying such an incident runs the loop again from where this unit of work
entered it (with the corrected variables), not from the step where the budget ran out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.runtime import limits
from engine.runtime.clock import engine_time
from engine.runtime.model import IncidentInfo

# internal_data key of a stopped task: the task id to rewind to when the incident is retried.
LOOP_ENTRY = "complaintflow_loop_entry"
# A timer due at the moment it is reached has no wait: it fires in the same unit of work, a hair later
# (SpiffWorkflow fires a timer only when its due time is strictly in the past).
_TICK = timedelta(microseconds=1)
# Ancestors read to find the repeating elements of a loop.
_LOOP_WINDOW = 200


class LoopStopped(Exception):
    """The engine was stopped before a step: too many steps in this unit of work, or a token too deep."""

    def __init__(self, incident: IncidentInfo) -> None:
        super().__init__(incident.message)
        self.incident = incident


@dataclass
class StepGuard:
    """Counts the element executions of one unit of work (SpiffWorkflow's ``will_complete_task`` hook)."""

    budget: int = field(default_factory=lambda: limits.current().step_budget)
    executed: int = 0
    # The first task this unit of work ran per element: where a loop was entered.
    first_task: dict[str, UUID] = field(default_factory=dict)
    _depths: dict[UUID, int] = field(default_factory=dict)
    # The shallowest step of this unit of work: how deep the token was when the unit started.
    _base: int | None = None

    def before_step(self, task: Any) -> None:
        """Count ``task``; raise LoopStopped (the task stays unrun, in ERROR) when a limit is reached."""
        self.executed += 1
        element = task.task_spec.bpmn_id
        if element is not None:
            self.first_task.setdefault(element, task.id)
        depth = self._depth(task)
        self._base = depth if self._base is None else min(self._base, depth)
        if self.executed > self.budget:
            self._stop(task, f"the step budget of {self.budget:,} element executions per step was used up")
        if depth - self._base > limits.MAX_LOOP_STEPS:
            self._stop(task, f"a token passed more than {limits.MAX_LOOP_STEPS} elements without a wait state")
        if depth > limits.MAX_TASK_DEPTH:
            self._stop(
                task,
                f"the instance has passed {limits.MAX_TASK_DEPTH} elements since it started, more than the "
                "engine can follow (cancel it, or migrate it to a version that ends the loop)",
            )

    def _depth(self, task: Any) -> int:
        # Task.depth walks every parent; the parent of a step is nearly always a step counted just before.
        parent = task.parent
        depth = 0 if parent is None else self._depths.get(parent.id, -1) + 1
        if depth <= 0:
            depth = task.depth
        self._depths[task.id] = depth
        return depth

    def _stop(self, task: Any, reason: str) -> None:
        # Named in the order this unit of work first ran them: the loop as the token entered it.
        order = {element_id: index for index, element_id in enumerate(self.first_task)}
        loop = sorted(loop_elements(task), key=lambda item: order.get(item[0], len(order)))
        entered = [self.first_task[element_id] for element_id, _ in loop if element_id in self.first_task]
        entry = entered[0] if entered else task.id
        task.internal_data[LOOP_ENTRY] = str(entry)
        task.error()
        spec = task.task_spec
        names = " → ".join(f"{name} ({element_id})" if name else element_id for element_id, name in loop)
        if loop:
            message = (
                f"Endless loop stopped: {reason}. The loop runs through {names} and reaches no wait state "
                "(a user task, a message, a timer not yet due); the instance is not completed. Correct the "
                "loop's exit condition (or the variables it reads) and retry: the loop starts again where it "
                "was entered."
            )
        else:
            message = f"Stopped: {reason}; the instance is not completed."
        element_id = spec.bpmn_id or (loop[0][0] if loop else None)
        element_name = spec.bpmn_name if spec.bpmn_id else (loop[0][1] if loop else None)
        raise LoopStopped(IncidentInfo(element_id, element_name, message, str(task.id)))


def loop_elements(task: Any) -> list[tuple[str, str | None]]:
    """The elements that repeat on the path that led to ``task``, in the order the token passed them."""
    path: list[tuple[str, str | None]] = []
    current = task
    while current is not None and len(path) < _LOOP_WINDOW:
        spec = current.task_spec
        if spec.bpmn_id is not None:
            path.append((spec.bpmn_id, spec.bpmn_name))
        current = current.parent
    path.reverse()
    counts: dict[str, int] = {}
    for element_id, _ in path:
        counts[element_id] = counts.get(element_id, 0) + 1
    seen: dict[str, str | None] = {}
    for element_id, name in path:
        if counts[element_id] > 1 and element_id not in seen:
            seen[element_id] = name
    return list(seen.items())


def event_definitions(definition: Any) -> Iterable[Any]:
    """The definitions of an event, unpacking a multiple event's list."""
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition]


def timer_due(task: Any, definition: TimerEventDefinition) -> datetime | None:
    """When a waiting timer task fires (UTC), or None for a spent cycle or a timer not reached yet."""
    value = task.internal_data.get("event_value")
    if isinstance(definition, CycleTimerEventDefinition):
        value = value.get("next") if isinstance(value, dict) and value.get("cycles") != 0 else None
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _due_timers(workflow: BpmnWorkflow, moment: datetime) -> list[datetime]:
    due = []
    for task in workflow.event_manager.tasks.values():
        for definition in event_definitions(task.task_spec.event_definition):
            if isinstance(definition, TimerEventDefinition):
                at = timer_due(task, definition)
                if at is not None and at <= moment:
                    due.append(at)
    return due


def run_steps(workflow: BpmnWorkflow, now: datetime, guard: StepGuard) -> None:
    """Fire due timers and run automatic steps until the instance waits for a person, a timer or a message."""
    moment = now
    with engine_time(moment):
        workflow.refresh_timers()
    while True:
        before = guard.executed
        with engine_time(moment):
            workflow.do_engine_steps(will_complete_task=guard.before_step)
        if guard.executed == before:
            return
        # do_engine_steps refreshes timers last: a timer that fell due there is fired but not yet run.
        if workflow.get_next_task(state=TaskState.READY, manual=False) is not None:
            continue
        due = _due_timers(workflow, moment)
        if not due:
            return
        moment = max(max(due), moment) + _TICK
        with engine_time(moment):
            workflow.refresh_timers()


def all_tasks(workflow: BpmnWorkflow) -> Iterable[Any]:
    """Every task of the instance and its subprocesses, however deep (SpiffWorkflow's iterator stops at 1,000)."""
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def is_completed(workflow: BpmnWorkflow) -> bool:
    """True only when no task anywhere in the instance is unfinished (every token reached an end)."""
    if not workflow.is_completed():
        return False
    if any(task.state & TaskState.NOT_FINISHED_MASK for task in all_tasks(workflow)):
        # SpiffWorkflow's own check saw only the first 1,000 levels; it must not keep believing itself.
        workflow.completed = False
        return False
    return True


def loop_entry(task: Any) -> UUID | None:
    """The task a stopped loop is retried from (None for an ordinary failed step)."""
    value = task.internal_data.get(LOOP_ENTRY)
    return UUID(value) if isinstance(value, str) else None
