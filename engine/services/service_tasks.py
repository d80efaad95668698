"""System actions behind BPMN service tasks (``camunda:topic``): notify, reassign, escalate, ...

A service task stops the engine in the STARTED state; after every step the services look up a handler
for its topic, let it act inside the same unit of work (outbox rows, audit rows, task changes) and
complete the task with the handler's result variables. An external task (``camunda:type="external"``)
whose topic no handler implements waits for a worker (engine.services.external_tasks); any other unknown
topic or a failing handler becomes an incident on the service task, retried like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.runtime.model import ServiceCall
from engine.runtime.workflow import WorkflowRun
from engine.store.models import ProcessInstance

# A diagram that keeps calling services without ever waiting is a modelling error, not a workload.
MAX_CALLS_PER_STEP = 100


@dataclass(frozen=True)
class ServiceContext:
    """What a handler may use: the unit of work's session, the instance, who acts and when."""

    session: Session
    instance: ProcessInstance
    actor: Actor
    now: datetime
    call: ServiceCall
    # Variables for every active branch of the instance, not only this token (WorkflowRun.share_variables).
    shared: dict[str, Any] = field(default_factory=dict)

    def value(self, name: str, default: Any = None) -> Any:
        """A property of the service task; ``${var}`` reads the process variable ``var``."""
        raw = self.call.properties.get(name, default)
        if isinstance(raw, str) and raw.startswith("${") and raw.endswith("}"):
            return self.call.data.get(raw[2:-1].strip(), default)
        return raw


Handler = Callable[[ServiceContext], dict[str, Any] | None]
HANDLERS: dict[str, Handler] = {}


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``topic``."""

    def register(handler: Handler) -> Handler:
        HANDLERS[topic] = handler
        return handler

    return register


def run_service_calls(
    session: Session, instance: ProcessInstance, run: WorkflowRun, actor: Actor, now: datetime
) -> None:
    """Complete every pending service task with its handler, until the workflow waits for something else."""
    _load_builtin_handlers()
    for _ in range(MAX_CALLS_PER_STEP):
        calls = [call for call in run.service_calls() if not waits_for_worker(call)]
        if not calls or run.incident is not None:
            return
        call = calls[0]
        handler = HANDLERS.get(call.topic or "")
        if handler is None:
            run.fail_service_call(
                call.task_id,
                f"no system action for topic {call.topic!r}, and the task is not an external task "
                f'(camunda:type="external") that a worker could fetch '
                f"(system actions: {', '.join(sorted(HANDLERS)) or 'none'})",
            )
            return
        context = ServiceContext(session, instance, actor, now, call)
        try:
            result = handler(context) or {}
        except SQLAlchemyError:
            # The database failed, not the handler (e.g. locked by another writer): the whole unit of work
            # rolls back and is retried, instead of the step becoming an incident in a broken session.
            raise
        except Exception as error:  # noqa: BLE001 - any handler failure is an incident, never a lost step
            run.fail_service_call(call.task_id, f"{call.topic} failed: {error}")
            return
        if context.shared:
            run.share_variables(context.shared)
        run.complete_service_call(call.task_id, result)
    pending = [call for call in run.service_calls() if not waits_for_worker(call)]
    run.fail_service_call(pending[0].task_id, "too many service calls in one step (a loop?)")


def waits_for_worker(call: ServiceCall) -> bool:
    """An external task (``camunda:type="external"``) whose topic no built-in handler implements.

    It waits as an external-task row for a worker (Camunda's external-task pattern) instead of failing.
    """
    _load_builtin_handlers()
    return call.external and bool(call.topic) and call.topic not in HANDLERS


def _load_builtin_handlers() -> None:
    # Imported late: handler modules import this one to register themselves.
    from engine.services import complaint_actions, escalation, sla_actions, system_actions  # noqa: F401
