"""Saving a workflow run: state, status and the rows materialised from it, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session, lazyload

from engine.actions.registry import waits_for_worker
from engine.domain.actors import SYSTEM, Actor
from engine.domain.tasks import amber_at, lane_group, priority_value, resolve_due_at
from engine.runtime.model import ReadyHumanTask, Snapshot
from engine.runtime.serialization import SERIALIZER_VERSION
from engine.runtime.workflow import WorkflowRun
from engine.services.audit import _jsonable, record
from engine.services.external_tasks.sync import sync_external_tasks
from engine.services.instances.complaint_sync import complaint_fields_changed, sync_complaint, sync_task_copies
from engine.services.instances.message_keys import subscription_keys
from engine.services.instances.run_cache import remember_saved_run
from engine.services.instances.visit_log import record_visits
from engine.store.models import (
    INSTANCE_COMPLETED,
    INSTANCE_INCIDENT,
    INSTANCE_RUNNING,
    INSTANCE_WAITING,
    TASK_CANCELLED,
    TASK_OPEN,
    TIMER_CANCELLED,
    TIMER_FIRED,
    TIMER_PENDING,
    HumanTask,
    Incident,
    MessageSubscription,
    PendingTimerRow,
    ProcessInstance,
    TaskCandidate,
)
from engine.store.queries import open_incident


def instance_status(snapshot: Snapshot) -> str:
    """Completed, incident, running (a person must act) or waiting (for a timer or a message)."""
    if snapshot.completed:
        return INSTANCE_COMPLETED
    if snapshot.incident is not None:
        return INSTANCE_INCIDENT
    return INSTANCE_RUNNING if snapshot.human_tasks else INSTANCE_WAITING


def save_run(session: Session, instance: ProcessInstance, run: WorkflowRun, actor: Actor, now: datetime) -> Snapshot:
    """Write the run's state and rewrite the rows that mirror it (system actions ran before, in the use case)."""
    snapshot = run.snapshot()
    had_incident = instance.status == INSTANCE_INCIDENT
    previous_variables = instance.variables or {}
    # Everything below is written in one flush at commit; autoflush before each lookup would write twice.
    with session.no_autoflush:
        state = run.dump()
        instance.state = state
        instance.serializer_version = SERIALIZER_VERSION
        instance.variables = _jsonable(snapshot.data)
        instance.status = instance_status(snapshot)
        instance.updated_at = now
        if snapshot.completed and instance.completed_at is None:
            instance.completed_at = now
            record(session, actor, "instance_completed", now, instance_id=instance.id)
        open_rows, new_rows = _sync_human_tasks(session, instance, snapshot, actor, now, run.stored)
        if run.needs("has_service_tasks"):
            waiting = [call for call in run.service_calls() if waits_for_worker(call)]
            sync_external_tasks(session, instance, waiting, now, run.stored)
        record_visits(session, instance, run.visit_changes(), now)
        run.stored = True
        remember_saved_run(session, instance, run, state)
        if run.needs("has_timers"):
            _sync_timers(session, instance, snapshot, now)
        if run.needs("has_messages"):
            _sync_messages(session, instance, snapshot, now)
        if had_incident or snapshot.incident is not None:
            _sync_incident(session, instance, snapshot, actor, now)
    fields_changed = complaint_fields_changed(previous_variables, instance.variables)
    if fields_changed:
        # Outside no_autoflush: the complaint may have been linked to this instance in this unit of work.
        sync_complaint(session, instance, snapshot.data, now)
    if new_rows or (fields_changed and open_rows):
        sync_task_copies(session, instance, open_rows)
    return snapshot


def _new_task_row(instance: ProcessInstance, ready: ReadyHumanTask, now: datetime) -> HumanTask:
    due_at = resolve_due_at(ready.due, now)
    groups = list(ready.candidate_groups)
    if not groups and lane_group(ready.lane):
        groups = [lane_group(ready.lane) or ""]
    task = HumanTask(
        id=ready.task_id,
        instance_id=instance.id,
        element_id=ready.element_id,
        process_key=ready.process_id,
        title=ready.title,
        documentation=ready.documentation,
        lane=ready.lane,
        # An excluded user never holds the task, even when the diagram's assignee expression names them.
        assignee=ready.assignee if ready.assignee not in ready.excluded_users else None,
        priority=priority_value(ready.priority),
        status=TASK_OPEN,
        form=[field.to_dict() for field in ready.form],
        created_at=now,
        due_at=due_at,
        amber_at=amber_at(now, due_at),
        claimed_at=now if ready.assignee and ready.assignee not in ready.excluded_users else None,
    )
    task.candidates = [TaskCandidate(kind="group", name=g) for g in dict.fromkeys(groups)]
    task.candidates += [TaskCandidate(kind="user", name=u) for u in dict.fromkeys(ready.candidate_users)]
    task.candidates += [TaskCandidate(kind="excluded", name=u) for u in dict.fromkeys(ready.excluded_users)]
    return task


def _sync_human_tasks(
    session: Session, instance: ProcessInstance, snapshot: Snapshot, actor: Actor, now: datetime, stored: bool = True
) -> tuple[list[HumanTask], bool]:
    """Close, reopen and add task rows; returns the rows open afterwards and whether any was added or reopened.

    ``stored=False`` (a new instance's first save) skips the lookup: no row can exist for its tasks yet.
    """
    ready_ids = {ready.task_id for ready in snapshot.human_tasks}
    rows = _task_rows(session, instance, ready_ids) if stored else []
    # Filtered again in Python: without autoflush the database does not yet know of a task completed in
    # this unit of work, but the identity map does.
    open_rows = {row.id: row for row in rows if row.status == TASK_OPEN}
    for task_id, row in open_rows.items():
        if task_id not in ready_ids:
            # Closed by the engine, e.g. an interrupting timer or message cancelled it.
            row.status = TASK_CANCELLED
            row.completed_at = now
            record(
                session,
                actor,
                "task_cancelled",
                now,
                instance_id=instance.id,
                task_id=task_id,
                element_id=row.element_id,
            )
    # A retried step can make an old task READY again under its old id: its row exists, closed.
    known = {row.id: row for row in rows if row.id not in open_rows and row.id in ready_ids}
    still_open = [row for task_id, row in open_rows.items() if task_id in ready_ids]
    added: list[HumanTask] = []
    for ready in snapshot.human_tasks:
        if ready.task_id in open_rows:
            continue
        if ready.task_id in known:
            _reopen(known[ready.task_id])
            added.append(known[ready.task_id])
            continue
        row = _new_task_row(instance, ready, now)
        session.add(row)
        added.append(row)
        record(
            session,
            actor,
            "task_created",
            now,
            instance_id=instance.id,
            task_id=row.id,
            element_id=row.element_id,
            after={
                "title": row.title,
                "assignee": row.assignee,
                "groups": row.candidate_groups,
                "due_at": row.due_at.isoformat() if row.due_at else None,
                "priority": row.priority,
            },
        )
    return still_open + added, bool(added)


def _task_rows(session: Session, instance: ProcessInstance, ready_ids: set[str]) -> list[HumanTask]:
    """The instance's open task rows and the rows of READY tasks (closed ones a retry made READY again).

    One query for both. Candidates load only if someone reads them: syncing the rows never does, and the
    completed task's were loaded with it.
    """
    wanted = HumanTask.status == TASK_OPEN
    if ready_ids:
        wanted = or_(wanted, HumanTask.id.in_(sorted(ready_ids)))
    query = select(HumanTask).where(HumanTask.instance_id == instance.id, wanted)
    return list(session.scalars(query.options(lazyload(HumanTask.candidates))))


def _reopen(row: HumanTask) -> None:
    row.status = TASK_OPEN
    row.completed_at = None
    row.completed_by = None


def _sync_timers(session: Session, instance: ProcessInstance, snapshot: Snapshot, now: datetime) -> None:
    current = {timer.task_id: timer for timer in snapshot.timers}
    # The instance's pending rows and any row of a timer waiting now, in one statement (a look-up per new timer
    # cost a statement each: two per portal submission).
    rows = {
        row.id: row
        for row in session.scalars(
            select(PendingTimerRow).where(
                or_(
                    and_(PendingTimerRow.instance_id == instance.id, PendingTimerRow.status == TIMER_PENDING),
                    PendingTimerRow.id.in_(list(current)),
                )
            )
        )
    }
    pending = {row.id: row for row in rows.values() if row.instance_id == instance.id and row.status == TIMER_PENDING}
    for timer_id, row in pending.items():
        if timer_id in current:
            row.due_at = current[timer_id].due_at
            continue
        fired = row.due_at is not None and row.due_at <= now
        row.status = TIMER_FIRED if fired else TIMER_CANCELLED
        row.fired_at = now if fired else None
        if fired and row.due_at is not None:
            # Due while the instance ran for something else (the scheduler firing another of its timers late,
            # a task completed after the due time): it fired here, and the audit trail says so like any firing.
            record(
                session,
                SYSTEM,
                "timer_fired",
                now,
                instance_id=instance.id,
                element_id=row.element_id,
                after={"due_at": row.due_at.isoformat(), "fired_at": now.isoformat()},
                message="fired with the instance's run",
            )
    for timer_id, timer in current.items():
        if timer_id in pending:
            continue
        existing = rows.get(timer_id)
        if existing is None:
            session.add(
                PendingTimerRow(
                    id=timer_id,
                    instance_id=instance.id,
                    element_id=timer.element_id,
                    due_at=timer.due_at,
                    interrupting=timer.interrupting,
                    status=TIMER_PENDING,
                )
            )
        else:
            # A cycle timer waits for its next round, or a claimed timer did not fire after all: pending again.
            existing.status = TIMER_PENDING
            existing.due_at = timer.due_at
            existing.fired_at = None


def _sync_messages(session: Session, instance: ProcessInstance, snapshot: Snapshot, now: datetime) -> None:
    keys = subscription_keys(session, instance, snapshot.message_waits, snapshot.data)
    session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == instance.id))
    for wait in snapshot.message_waits:
        session.add(
            MessageSubscription(
                instance_id=instance.id,
                task_id=wait.task_id,
                element_id=wait.element_id,
                message_name=wait.message_name,
                correlation_key=keys[wait.task_id],
                created_at=now,
            )
        )


def _sync_incident(
    session: Session, instance: ProcessInstance, snapshot: Snapshot, actor: Actor, now: datetime
) -> None:
    current = open_incident(session, instance.id)
    if snapshot.incident is None:
        if current is not None:
            current.resolved_at = now
            current.resolved_by = actor.username
            record(
                session,
                actor,
                "incident_resolved",
                now,
                instance_id=instance.id,
                element_id=current.element_id,
            )
        return
    info = snapshot.incident
    if current is not None and current.element_id == info.element_id and current.message == info.message:
        return
    if current is not None:
        current.resolved_at = now
        current.resolved_by = actor.username
    session.add(
        Incident(
            instance_id=instance.id,
            element_id=info.element_id,
            element_name=info.element_name,
            message=info.message,
            created_at=now,
        )
    )
    record(
        session,
        actor,
        "incident_raised",
        now,
        instance_id=instance.id,
        element_id=info.element_id,
        message=info.message,
    )


def jsonable_data(data: dict[str, Any]) -> dict[str, Any]:
    """Task data as JSON-safe values for audit entries."""
    result: dict[str, Any] = _jsonable(data)
    return result
