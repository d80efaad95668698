"""Keeping the external-task rows of an instance in step with its run, inside the save's transaction."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.runtime.model import ServiceCall
from engine.store.external_task_signal import announce
from engine.store.external_tasks import (
    EXTERNAL_CANCELLED,
    EXTERNAL_INCIDENT,
    EXTERNAL_OPEN,
    ExternalTask,
)
from engine.store.models import ProcessInstance

DATE_KEY = "$date"
JOB_KEY_LIMIT = 2**63 - 1  # Camunda 8 keys are positive 64-bit integers


def new_task_id() -> str:
    """A row id that is also a Camunda 8 job key: the UUID whose integer value is a random 63-bit number.

    Camunda 7 clients see an opaque UUID string; Camunda 8 clients see the number (``job_key``); each is
    read back from the other without a lookup table, like instance ids in /engine-rest.
    """
    return str(uuid.UUID(int=secrets.randbelow(JOB_KEY_LIMIT) + 1))


def job_key(task_id: str) -> int:
    """The Camunda 8 job key of an external-task row id (rows made before keys existed give a larger number)."""
    return uuid.UUID(task_id).int


def encode_value(value: Any) -> Any:
    """A variable as JSON for the row; dates become ``{"$date": iso}`` so that they come back typed."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return {DATE_KEY: value.isoformat()}
    if isinstance(value, dict):
        return {str(key): encode_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    return str(value)


def _rows(session: Session, instance: ProcessInstance, task_ids: set[str]) -> list[ExternalTask]:
    wanted = ExternalTask.status == EXTERNAL_OPEN
    if task_ids:
        # A retried step comes back under its old task id: its row waits as an incident.
        wanted = wanted | (ExternalTask.task_id.in_(sorted(task_ids)) & (ExternalTask.status == EXTERNAL_INCIDENT))
    return list(session.scalars(select(ExternalTask).where(ExternalTask.instance_id == instance.id, wanted)))


def sync_external_tasks(
    session: Session, instance: ProcessInstance, calls: list[ServiceCall], now: datetime, stored: bool = True
) -> None:
    """Open a row for every step newly waiting for a worker, cancel rows whose step is gone.

    ``stored=False`` (a new instance's first save) skips the lookup: no row can exist yet.
    """
    current = {call.task_id: call for call in calls}
    rows = _rows(session, instance, set(current)) if stored else []
    # Filtered again in Python: the identity map knows of rows completed in this unit of work.
    by_task = {row.task_id: row for row in rows if row.status in (EXTERNAL_OPEN, EXTERNAL_INCIDENT)}
    fetchable = False
    for task_id, gone in by_task.items():
        if gone.status == EXTERNAL_OPEN and task_id not in current:
            # Cancelled by the engine: an interrupting boundary event, a cancelled instance, a migration.
            gone.status = EXTERNAL_CANCELLED
            gone.finished_at = now
            gone.worker_id = None
            gone.lock_expires_at = None
    for task_id, call in current.items():
        row = by_task.get(task_id)
        if row is not None and row.status == EXTERNAL_OPEN:
            if call.data == row.variables:
                continue  # the common case, compared in C: encoding the variables of every waiting job per save
            current_values = encode_value(call.data)  # costs more than the rest of a save in large instances
            if current_values != row.variables:
                row.variables = current_values  # changed while it waits (an operator, a message on a branch)
            continue
        if row is not None:
            # Retried after an incident: the same task is fetchable again, with at least one retry.
            row.status = EXTERNAL_OPEN
            row.retries = row.retries if row.retries is None or row.retries > 0 else 1
            row.worker_id = None
            row.lock_expires_at = None
            row.variables = encode_value(call.data)
            fetchable = True
            continue
        session.add(
            ExternalTask(
                id=new_task_id(),
                task_id=task_id,
                instance_id=instance.id,
                definition_id=instance.definition_id,
                process_key=instance.definition.process_key,
                business_key=instance.business_key,
                element_id=call.element_id,
                element_name=call.title,
                topic=call.topic or "",
                priority=call.priority,
                retries=call.retries,
                status=EXTERNAL_OPEN,
                variables=encode_value(call.data),
                properties=encode_value(call.properties),
                local_variables=encode_value(call.local_data),
                created_at=now,
            )
        )
        fetchable = True
    if fetchable:
        announce(session)
