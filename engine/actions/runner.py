"""Running the system actions behind BPMN service tasks (``camunda:topic``) after an engine step.

A service task stops the engine in the STARTED state; after every step the use case calls
:func:`run_actions`, which looks up the handler for the topic in the registry, lets it act inside the
same unit of work (outbox rows, audit rows, task changes) and completes the task with the handler's
result variables. An external task (``camunda:type="external"``) whose topic no handler implements
waits for a worker (engine.services.external_tasks); any other unknown topic or a failing handler
becomes an incident on the service task, retried like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.actions.context import Handler, ServiceContext
from engine.actions.registry import HANDLERS, waits_for_worker
from engine.domain.actors import Actor
from engine.runtime.workflow import WorkflowRun
from engine.store.models import ProcessInstance

# A diagram that keeps calling services without ever waiting is a modelling error, not a workload.
MAX_CALLS_PER_STEP = 100


def run_actions(
    session: Session,
    instance: ProcessInstance,
    run: WorkflowRun,
    actor: Actor,
    now: datetime,
    handlers: Mapping[str, Handler] = HANDLERS,
) -> None:
    """Complete every pending service task with its handler, until the workflow waits for something else.

    Use cases call this after the engine step and before ``save_run``: the handlers' outbox, audit and
    task changes belong to the same unit of work, and their result variables to the saved state.
    """
    for _ in range(MAX_CALLS_PER_STEP):
        calls = [call for call in run.service_calls() if not waits_for_worker(call, handlers)]
        if not calls or run.incident is not None:
            return
        call = calls[0]
        handler = handlers.get(call.topic or "")
        if handler is None:
            run.fail_service_call(
                call.task_id,
                f"no system action for topic {call.topic!r}, and the task is not an external task "
                f'(camunda:type="external") that a worker could fetch '
                f"(system actions: {', '.join(sorted(handlers)) or 'none'})",
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
    pending = [call for call in run.service_calls() if not waits_for_worker(call, handlers)]
    run.fail_service_call(pending[0].task_id, "too many service calls in one step (a loop?)")
