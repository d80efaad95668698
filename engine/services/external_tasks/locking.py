"""Fetching and locking external tasks for workers; extending and giving back locks.

A task is fetchable while it is open, unlocked (or its lock expired, or its retry timeout passed), has
retries left (``None`` counts as fresh) and its instance is not suspended. Locking is a conditional
``UPDATE ... RETURNING`` (engine.services.external_tasks.claims), so a task is never handed to two workers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.domain.actors import Actor
from engine.domain.errors import ComplaintflowError, InvalidState, NotFound, PermissionDenied
from engine.domain.external_work import may_read_external_tasks, may_work_external_tasks
from engine.domain.messages import msg
from engine.services.audit import record
from engine.services.external_tasks import claims
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.external_task_signal import (
    announce,
    current_generation,
    ensure_listening,
    poll_interval,
    wait_for_announcement,
)
from engine.store.external_tasks import EXTERNAL_OPEN, ExternalTask

MAX_TASKS = 1000  # per fetch; Camunda has no limit, but a worker asking for more is a mistake
# Waiters of this process look again one at a time once woken. One announcement wakes every waiter, mostly for
# one new task: all looking at once, each with its own locking transaction, the one that gets the task waits
# for the CPU the others burn (bench/external_tasks.py, 16 waiters on 2 loaded cores: 10-55 ms from the wake-up
# to the task). In turn, the first takes it at once and the others find it taken.
_LOOKING_AGAIN = threading.Lock()


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
        raise PermissionDenied(msg("denied.read_external_tasks", user=actor.username))


def check_worker(actor: Actor) -> None:
    if not may_work_external_tasks(actor):
        raise PermissionDenied(msg("denied.work_external_tasks", user=actor.username))


def _matches_variables(values: dict[str, Any] | None, request: TopicRequest) -> bool:
    values = values or {}
    return all(values.get(name) == value for name, value in request.process_variables.items())


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
        raise ComplaintflowError(msg("external.worker_id_required"))
    if max_tasks <= 0 or not topics:
        return []
    max_tasks = min(max_tasks, MAX_TASKS)
    requests = {request.topic: request for request in topics}
    params: dict[str, Any] = {"now": now, "worker": worker_id, **claims.topic_params(topics)}
    for index, request in enumerate(topics):
        duration = max(0, requests[request.topic].lock_duration_ms)  # a topic named twice: the last entry's
        params[f"until{index}"] = now + timedelta(milliseconds=duration)
    shape = claims.shape_of(topics, use_priority)
    locked: list[tuple[ExternalTask, TopicRequest]] = []
    if not any(request.process_variables for request in topics):
        params["limit"] = max_tasks
        rows = list(session.scalars(claims.claim_statement(shape), params))
        # RETURNING keeps no order: the worker gets them best first, as chosen.
        rows.sort(key=lambda row: (-row.priority if use_priority else 0, row.created_at, row.id))
        locked = [(row, requests[row.topic]) for row in rows]
    else:
        # Variable filters are compared here: room for candidates they pass over and for another worker's.
        params["limit"] = max_tasks * 4 + 10
        for task_id, topic, values in session.execute(claims.candidates_statement(shape), params).all():
            request = requests[topic]
            if not _matches_variables(values, request):
                continue
            until = now + timedelta(milliseconds=max(0, request.lock_duration_ms))
            lock = {"lock_id": task_id, "now": now, "worker": worker_id, "until0": until}
            row = session.scalars(claims.LOCK_ONE, lock).one_or_none()
            if row is not None:
                locked.append((row, request))
            if len(locked) >= max_tasks:
                break
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
    generation = current_generation()
    found = fetch_and_lock(session, actor, worker_id, topics, max_tasks, clock(), use_priority=use_priority)
    while not found:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return found
        wait_for_announcement(generation, min(remaining, poll_interval(engine)))  # type: ignore[arg-type]
        if not _LOOKING_AGAIN.acquire(timeout=max(0.0, deadline - time.monotonic())):
            return []
        try:
            generation = current_generation()  # before looking: an announcement while we look is not lost
            found = fetch_and_lock(session, actor, worker_id, topics, max_tasks, clock(), use_priority=use_priority)
        finally:
            _LOOKING_AGAIN.release()
    return found


def own_row(session: Session, actor: Actor, task_id: str, worker_id: str, verb: str) -> ExternalTask:
    check_worker(actor)
    found = session.execute(claims.OWN_ROW, {"task_id": task_id}).first()
    row: ExternalTask | None = None
    if found is not None:
        row, instance, definition = found
        # Attached as joinedload would: the session holds loaded objects only while something refers to them.
        set_committed_value(row, "instance", instance)
        set_committed_value(instance, "definition", definition)
    if row is None or row.status != EXTERNAL_OPEN:
        raise NotFound(msg("notfound.external_task", task_id=task_id))
    if row.worker_id != worker_id:
        holder = f"It is locked by worker '{row.worker_id}'." if row.worker_id else "It is not locked."
        raise InvalidState(
            msg("external.held_by_other", task_id=task_id, verb=verb, worker_id=worker_id, holder=holder)
        )
    return row


@unit_of_work
def extend_lock(
    session: Session, actor: Actor, task_id: str, worker_id: str, new_duration_ms: int, now: datetime
) -> ExternalTask:
    """Hold the task ``new_duration_ms`` longer from now; only for the worker that holds an unexpired lock."""
    row = own_row(session, actor, task_id, worker_id, "extended")
    if new_duration_ms <= 0:
        raise ComplaintflowError(msg("external.duration_positive"))
    if row.lock_expires_at is None or row.lock_expires_at <= now:
        raise InvalidState(msg("external.lock_expired", task_id=task_id))
    row.lock_expires_at = now + timedelta(milliseconds=new_duration_ms)
    commit(session)
    return row


@unit_of_work
def unlock(session: Session, actor: Actor, task_id: str, now: datetime) -> ExternalTask:
    """Give the task back at once (any worker or an operator may, as in Camunda)."""
    check_worker(actor)
    row = session.get(ExternalTask, task_id)
    if row is None or row.status != EXTERNAL_OPEN:
        raise NotFound(msg("notfound.external_task", task_id=task_id))
    row.worker_id = None
    row.lock_expires_at = None
    record(session, actor, "external_task_unlocked", now, instance_id=row.instance_id, element_id=row.element_id)
    announce(session)
    commit(session)
    return row
