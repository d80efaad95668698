"""What a worker reports about a locked external task (complete, failure, BPMN error) and setting retries.

Each report is one unit of work: the row, the workflow (run on until it waits again), the rows mirrored
from it, the incident if there is one and the audit entry commit together. Only the worker holding the
lock may report (Camunda checks the worker id, not the expiry: a worker whose expired lock nobody took
over may still finish; once another worker locked the task, the first one's report is refused).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.actions.runner import run_actions
from engine.domain.actors import Actor
from engine.domain.errors import ComplaintflowError, InvalidState, NotFound, PermissionDenied
from engine.domain.external_work import may_work_external_tasks
from engine.domain.messages import msg
from engine.domain.roles import RETRY_ROLES
from engine.runtime.external import throw_bpmn_error
from engine.services.audit import changed_values, record
from engine.services.external_tasks.locking import own_row
from engine.services.instances.lifecycle import get_instance, load_run
from engine.services.instances.persistence import jsonable_data, save_run
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.external_task_signal import announce
from engine.store.external_tasks import EXTERNAL_COMPLETED, EXTERNAL_INCIDENT, EXTERNAL_OPEN, ExternalTask
from engine.store.models import INSTANCE_SUSPENDED, ProcessInstance

TEXT_LIMIT = 4000


def _active_instance(session: Session, row: ExternalTask) -> ProcessInstance:
    instance = get_instance(session, row.instance_id)
    if instance.status == INSTANCE_SUSPENDED:
        raise InvalidState(msg("external.suspended", id=row.id))
    return instance


def _audit(
    session: Session, actor: Actor, action: str, row: ExternalTask, now: datetime, before: Any, after: Any, **extra: Any
) -> None:
    old, new = changed_values(jsonable_data(before), jsonable_data(after))
    record(
        session,
        actor,
        action,
        now,
        instance_id=row.instance_id,
        element_id=row.element_id,
        before=old or None,
        after={"external_task": row.id, "worker": row.worker_id, **new, **extra},
    )


@unit_of_work
def complete(
    session: Session,
    actor: Actor,
    task_id: str,
    worker_id: str,
    variables: dict[str, Any],
    now: datetime,
    local_variables: dict[str, Any] | None = None,
) -> ExternalTask:
    """Finish the step with the worker's variables and run the instance on."""
    row = own_row(session, actor, task_id, worker_id, "completed")
    instance = _active_instance(session, row)
    run = load_run(session, instance, now)
    before = run.variables()
    # Workflow data is per token in this engine: local variables land on the step's token like the others.
    run.complete_service_call(row.task_id, {**variables, **(local_variables or {})})
    row.status, row.finished_at = EXTERNAL_COMPLETED, now
    run_actions(session, instance, run, actor, now)
    snapshot = save_run(session, instance, run, actor, now)
    _audit(session, actor, "external_task_completed", row, now, before, snapshot.data)
    commit(session)
    return row


@unit_of_work
def failure(
    session: Session,
    actor: Actor,
    task_id: str,
    worker_id: str,
    now: datetime,
    *,
    error_message: str | None = None,
    error_details: str | None = None,
    retries: int = 0,
    retry_timeout_ms: int = 0,
) -> ExternalTask:
    """Record a failed attempt: fetchable again after ``retry_timeout_ms`` while retries are left, else an incident."""
    row = own_row(session, actor, task_id, worker_id, "failed")
    instance = _active_instance(session, row)
    row.error_message = (error_message or "")[:TEXT_LIMIT] or None
    row.error_details = (error_details or "")[: TEXT_LIMIT * 4] or None
    row.retries = max(0, retries)
    extra = {"retries": row.retries, "error": row.error_message}
    if row.retries > 0:
        row.lock_expires_at = now + timedelta(milliseconds=max(0, retry_timeout_ms))
        if retry_timeout_ms <= 0:
            announce(session)
        _audit(session, actor, "external_task_failed", row, now, {}, {}, **extra)
        commit(session)
        return row
    run = load_run(session, instance, now)
    run.fail_service_call(row.task_id, row.error_message or f"external task {row.topic!r} failed")
    row.status, row.lock_expires_at = EXTERNAL_INCIDENT, None
    run_actions(session, instance, run, actor, now)
    save_run(session, instance, run, actor, now)
    _audit(session, actor, "external_task_failed", row, now, {}, {}, **extra)
    commit(session)
    return row


@unit_of_work
def bpmn_error(
    session: Session,
    actor: Actor,
    task_id: str,
    worker_id: str,
    error_code: str,
    now: datetime,
    *,
    error_message: str | None = None,
    variables: dict[str, Any] | None = None,
) -> ExternalTask:
    """Throw a BPMN error from the step: the matching error boundary event takes over, else an incident."""
    if not (error_code or "").strip():
        raise ComplaintflowError(msg("external.error_code_required"))
    row = own_row(session, actor, task_id, worker_id, "reported a BPMN error")
    instance = _active_instance(session, row)
    run = load_run(session, instance, now)
    before = run.variables()
    caught = throw_bpmn_error(run, row.task_id, error_code, error_message or "", variables or {})
    row.error_message = (error_message or "")[:TEXT_LIMIT] or None
    if caught:
        row.status, row.finished_at = EXTERNAL_COMPLETED, now
    else:
        row.status, row.lock_expires_at = EXTERNAL_INCIDENT, None
    run_actions(session, instance, run, actor, now)
    snapshot = save_run(session, instance, run, actor, now)
    _audit(session, actor, "external_task_bpmn_error", row, now, before, snapshot.data, code=error_code, caught=caught)
    commit(session)
    return row


@unit_of_work
def set_retries(session: Session, actor: Actor, task_id: str, retries: int, now: datetime) -> ExternalTask:
    """Set the retries (an operator's fix): above 0 resolves the task's incident, 0 raises one."""
    if not (may_work_external_tasks(actor) or actor.roles & RETRY_ROLES):
        raise PermissionDenied(msg("denied.set_retries", user=actor.username))
    if retries < 0:
        raise ComplaintflowError(msg("external.retries_negative"))
    row = session.get(ExternalTask, task_id)
    if row is None or row.status not in (EXTERNAL_OPEN, EXTERNAL_INCIDENT):
        raise NotFound(msg("notfound.external_task", task_id=task_id))
    before = {"retries": row.retries, "status": row.status}
    instance = _active_instance(session, row)
    if row.status == EXTERNAL_INCIDENT and retries > 0:
        row.retries = retries
        run = load_run(session, instance, now)
        run.retry()  # the step waits again: the sync opens this row with its new retries
        run_actions(session, instance, run, actor, now)
        save_run(session, instance, run, actor, now)
    elif row.status == EXTERNAL_OPEN and retries == 0:
        row.retries = 0
        run = load_run(session, instance, now)
        run.fail_service_call(row.task_id, row.error_message or "retries of the external task were set to 0")
        row.status = EXTERNAL_INCIDENT
        run_actions(session, instance, run, actor, now)
        save_run(session, instance, run, actor, now)
    else:
        row.retries = retries
        announce(session)
    record(
        session,
        actor,
        "external_task_retries_set",
        now,
        instance_id=row.instance_id,
        element_id=row.element_id,
        before=before,
        after={"external_task": row.id, "retries": row.retries, "status": row.status},
    )
    commit(session)
    return row
