"""Fetching and locking external tasks for workers; extending and giving back locks.

A task is fetchable while it is open, unlocked (or its lock expired, or its retry timeout passed), has
retries left (``None`` counts as fresh) and its instance is not suspended. Locking is a conditional
UPDATE per candidate: of two workers racing for one task, the second one's update matches no row, on
SQLite (one writer at a time) as on PostgreSQL (the second UPDATE waits for the first commit and then
re-checks its condition), so a task is never handed to both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, null, or_, select, update
from sqlalchemy.orm import Session, joinedload

from engine.domain.actors import Actor
from engine.domain.errors import ComplaintflowError, InvalidState, NotFound, PermissionDenied
from engine.domain.external_work import may_read_external_tasks, may_work_external_tasks
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.external_task_signal import (
    announce,
    current_generation,
    ensure_listening,
    poll_interval,
    wait_for_announcement,
)
from engine.store.external_tasks import EXTERNAL_OPEN, ExternalTask
from engine.store.models import INSTANCE_SUSPENDED, ProcessInstance

MAX_TASKS = 1000  # per fetch; Camunda has no limit, but a worker asking for more is a mistake


@dataclass(frozen=True)
class TopicRequest:
    """One entry of fetchAndLock's ``topics``: what to fetch and how long to hold it."""

    topic: str
    lock_duration_ms: int
    business_key: str | None = None
    definition_ids: tuple[int, ...] = ()
    definition_keys: tuple[str, ...] = ()
    variables: tuple[str, ...] | None = None  # None: all of them
    process_variables: dict[str, Any] = field(default_factory=dict)  # equality filters
    local_only: bool = False  # localVariables: only the step's own variables (its camunda:inputParameters)


def check_reader(actor: Actor) -> None:
    if not may_read_external_tasks(actor):
        raise PermissionDenied(f"user {actor.username!r} may not read external tasks")


def check_worker(actor: Actor) -> None:
    if not may_work_external_tasks(actor):
        raise PermissionDenied(f"user {actor.username!r} may not work on external tasks (needs the worker group)")


def _topic_condition(request: TopicRequest) -> Any:
    condition = ExternalTask.topic == request.topic
    if request.business_key is not None:
        condition = and_(condition, ExternalTask.business_key == request.business_key)
    if request.definition_ids:
        condition = and_(condition, ExternalTask.definition_id.in_(request.definition_ids))
    if request.definition_keys:
        condition = and_(condition, ExternalTask.process_key.in_(request.definition_keys))
    return condition


def fetchable(now: datetime) -> Any:
    """The SQL condition of a task a worker may lock now."""
    return and_(
        ExternalTask.status == EXTERNAL_OPEN,
        or_(ExternalTask.lock_expires_at.is_(None), ExternalTask.lock_expires_at <= now),
        or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0),
    )


def _matches_variables(values: dict[str, Any] | None, request: TopicRequest) -> bool:
    values = values or {}
    return all(values.get(name) == value for name, value in request.process_variables.items())


def _lock(session: Session, task_id: str, worker_id: str, until: datetime, now: datetime) -> bool:
    result = session.execute(
        update(ExternalTask)
        .where(ExternalTask.id == task_id, fetchable(now))
        .values(worker_id=worker_id, lock_expires_at=until)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


@unit_of_work
def fetch_and_lock(
    session: Session,
    actor: Actor,
    worker_id: str,
    topics: list[TopicRequest],
    max_tasks: int,
    now: datetime,
    *,
    use_priority: bool = False,
) -> list[tuple[ExternalTask, TopicRequest]]:
    """Lock up to ``max_tasks`` fetchable tasks of the topics for ``worker_id``; commits once."""
    check_worker(actor)
    if not worker_id:
        raise ComplaintflowError("workerId is required")
    if max_tasks <= 0 or not topics:
        return []
    max_tasks = min(max_tasks, MAX_TASKS)
    requests = {request.topic: request for request in topics}
    order = [ExternalTask.priority.desc()] if use_priority else []
    # Candidates by id only: most are passed over (another worker's, beyond max_tasks); only the rows
    # locked are loaded whole (their variables are what the worker receives).
    filtering = any(request.process_variables for request in topics)
    columns = (ExternalTask.id, ExternalTask.topic, ExternalTask.variables if filtering else null())
    query = (
        select(*columns)
        .join(ProcessInstance, ProcessInstance.id == ExternalTask.instance_id)
        .where(fetchable(now), ProcessInstance.status != INSTANCE_SUSPENDED)
        .where(or_(*(_topic_condition(request) for request in topics)))
        .order_by(*order, ExternalTask.created_at, ExternalTask.id)
        # Room for candidates another worker takes first and for variable filters applied below.
        .limit(max_tasks * 4 + 10)
    )
    chosen: list[tuple[str, TopicRequest]] = []
    for task_id, topic, values in session.execute(query).all():
        request = requests[topic]
        if filtering and not _matches_variables(values, request):
            continue
        until = now + timedelta(milliseconds=max(0, request.lock_duration_ms))
        if _lock(session, task_id, worker_id, until, now):
            chosen.append((task_id, request))
        if len(chosen) >= max_tasks:
            break
    rows: dict[str, ExternalTask] = {}
    if chosen:
        wanted = select(ExternalTask).where(ExternalTask.id.in_([task_id for task_id, _ in chosen]))
        # Rows the session already holds get what the UPDATE wrote.
        wanted = wanted.execution_options(populate_existing=True)
        rows = {row.id: row for row in session.scalars(wanted)}
    locked = [(rows[task_id], request) for task_id, request in chosen]
    if locked:
        record(
            session,
            actor,
            "external_tasks_locked",
            now,
            after={"worker": worker_id, "tasks": [row.id for row, _ in locked]},
        )
    commit(session)
    return locked


def fetch_and_lock_waiting(
    session: Session,
    actor: Actor,
    worker_id: str,
    topics: list[TopicRequest],
    max_tasks: int,
    clock: Callable[[], datetime],
    timeout_ms: int,
    *,
    use_priority: bool = False,
) -> list[tuple[ExternalTask, TopicRequest]]:
    """fetchAndLock with long polling: wait up to ``timeout_ms`` for a task, answering as soon as one appears.

    The session holds no transaction while waiting; a notification (engine.store.external_task_signal)
    wakes the waiter, and it looks again at least every :func:`poll_interval` seconds for expired locks.
    """
    engine = session.get_bind()
    ensure_listening(engine)  # type: ignore[arg-type]
    # The deadline is wall time on this machine, whatever clock the engine is given (tests fix it).
    deadline = time.monotonic() + max(0, timeout_ms) / 1000
    while True:
        generation = current_generation()
        found = fetch_and_lock(session, actor, worker_id, topics, max_tasks, clock(), use_priority=use_priority)
        remaining = deadline - time.monotonic()
        if found or remaining <= 0:
            return found
        wait_for_announcement(generation, min(remaining, poll_interval(engine)))  # type: ignore[arg-type]


def own_row(session: Session, actor: Actor, task_id: str, worker_id: str, verb: str) -> ExternalTask:
    check_worker(actor)
    # The instance and its version come in the same query: every report loads the instance's run next.
    loading = joinedload(ExternalTask.instance).joinedload(ProcessInstance.definition)
    row = session.get(ExternalTask, task_id, options=[loading])
    if row is None or row.status != EXTERNAL_OPEN:
        raise NotFound(f"External task with id {task_id} does not exist")
    if row.worker_id != worker_id:
        holder = f"It is locked by worker '{row.worker_id}'." if row.worker_id else "It is not locked."
        raise InvalidState(f"External Task {task_id} cannot be {verb} by worker '{worker_id}'. {holder}")
    return row


@unit_of_work
def extend_lock(
    session: Session, actor: Actor, task_id: str, worker_id: str, new_duration_ms: int, now: datetime
) -> ExternalTask:
    """Hold the task ``new_duration_ms`` longer from now; only for the worker that holds an unexpired lock."""
    row = own_row(session, actor, task_id, worker_id, "extended")
    if new_duration_ms <= 0:
        raise ComplaintflowError("newDuration must be positive")
    if row.lock_expires_at is None or row.lock_expires_at <= now:
        raise InvalidState(f"Cannot extend a lock that expired for external task {task_id}")
    row.lock_expires_at = now + timedelta(milliseconds=new_duration_ms)
    commit(session)
    return row


@unit_of_work
def unlock(session: Session, actor: Actor, task_id: str, now: datetime) -> ExternalTask:
    """Give the task back at once (any worker or an operator may, as in Camunda)."""
    check_worker(actor)
    row = session.get(ExternalTask, task_id)
    if row is None or row.status != EXTERNAL_OPEN:
        raise NotFound(f"External task with id {task_id} does not exist")
    row.worker_id = None
    row.lock_expires_at = None
    record(session, actor, "external_task_unlocked", now, instance_id=row.instance_id, element_id=row.element_id)
    announce(session)
    commit(session)
    return row
