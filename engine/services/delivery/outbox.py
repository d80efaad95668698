"""Queueing notifications in the caller's unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.store.outbox import OUTBOX_PENDING, OutboxMessage


def enqueue(
    session: Session,
    now: datetime,
    *,
    kind: str,
    topic: str,
    recipient: str,
    subject: str | None = None,
    body: str | None = None,
    payload: dict[str, Any] | None = None,
    complaint_id: int | None = None,
    instance_id: int | None = None,
) -> OutboxMessage:
    """Add a notification; it is sent only if the surrounding transaction commits."""
    message = OutboxMessage(
        created_at=now,
        kind=kind,
        topic=topic,
        recipient=recipient,
        subject=subject,
        body=body,
        payload=payload or {},
        complaint_id=complaint_id,
        instance_id=instance_id,
        status=OUTBOX_PENDING,
        attempts=0,
        next_attempt_at=now,
    )
    session.add(message)
    return message
