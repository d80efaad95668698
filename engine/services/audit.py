"""Writing the append-only audit log (rows are added in the caller's unit of work)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.store.models import AuditEntry


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    now: datetime,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    element_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str | None = None,
) -> AuditEntry:
    """Add one audit entry; it is committed together with the change it describes."""
    entry = AuditEntry(
        at=now,
        actor=actor.username if isinstance(actor, Actor) else actor,
        action=action,
        instance_id=instance_id,
        task_id=task_id,
        element_id=element_id,
        before=_jsonable(before),
        after=_jsonable(after),
        message=message,
    )
    session.add(entry)
    return entry


def changed_values(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after) dicts for an audit entry."""
    keys = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    return (
        {key: before.get(key) for key in sorted(keys) if key in before},
        {key: after.get(key) for key in sorted(keys) if key in after},
    )


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)
