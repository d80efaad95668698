"""The runtime's own small types: what the rest of the engine learns about a workflow after each step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.domain.forms import FormField


@dataclass(frozen=True)
class ReadyHumanTask:
    """A READY user or manual task, with its assignment attributes already evaluated against task data."""

    task_id: str
    element_id: str
    title: str
    process_id: str
    lane: str | None
    documentation: str | None
    assignee: str | None
    candidate_groups: tuple[str, ...]
    candidate_users: tuple[str, ...]
    due: Any
    priority: Any
    form: tuple[FormField, ...]
    excluded_users: tuple[str, ...] = ()


@dataclass(frozen=True)
class PendingTimer:
    """A timer catch event the workflow waits on; ``due_at`` is in UTC."""

    task_id: str
    element_id: str
    due_at: datetime | None
    interrupting: bool | None


@dataclass(frozen=True)
class MessageWait:
    """A message catch event the workflow waits on."""

    task_id: str
    element_id: str
    message_name: str
    # The waiting task's own variables: a correlation key is evaluated in the scope of the event (each
    # instance of a multi-instance sub-process has its own), not over the instance's newest data.
    variables: dict[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class ServiceCall:
    """A service task waiting for the system action named by its topic (the external-task pattern)."""

    task_id: str
    element_id: str
    title: str
    topic: str | None
    properties: dict[str, Any]
    data: dict[str, Any]
    # camunda:inputParameter values, evaluated when the step was reached: variables local to the step.
    local_data: dict[str, Any] = field(default_factory=dict)
    # camunda:type="external": a worker may do it when no built-in handler implements the topic.
    external: bool = False
    priority: int = 0  # camunda:taskPriority, evaluated against the token's data
    retries: int | None = None  # a Camunda 8 job's zeebe:taskDefinition retries (None: a Camunda 7 task)


@dataclass(frozen=True)
class IncidentInfo:
    """Why the engine stopped: the failing element and the error text for the designer."""

    element_id: str | None
    element_name: str | None
    message: str
    task_id: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """Everything the storage layer materialises after a step."""

    completed: bool
    human_tasks: tuple[ReadyHumanTask, ...]
    timers: tuple[PendingTimer, ...]
    message_waits: tuple[MessageWait, ...]
    incident: IncidentInfo | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VisitChange:
    """A task of a BPMN element that was entered and/or left since the run was loaded.

    ``entered`` opens a visit; ``outcome`` (``completed`` or ``cancelled``) closes it, in the same change
    when the element was passed within one step (automatic tasks, gateways, events that fired at once).
    """

    task_id: str
    element_id: str
    entered: bool
    outcome: str | None
