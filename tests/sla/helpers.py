"""Helpers for the SLA tests: opening complaints on the test diagrams, reading rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.store import queries
from engine.store.complaints import Complaint
from engine.store.models import AuditEntry, HumanTask, PendingTimerRow
from engine.store.outbox import OutboxMessage
from tests.engine.helpers import ANNA, deploy_paths

DIAGRAMS = Path(__file__).resolve().parent / "diagrams"


def new_complaint(channel: str = "email", **overrides: Any) -> NewComplaint:
    values: dict[str, Any] = {
        "customer_name": "Erika Mustermann",
        "customer_email": "erika@example.org",
        "subject": "Falsche Rechnung",
        "description": "Die Rechnung 4711 ist doppelt abgebucht.",
        "channel": channel,
    }
    values.update(overrides)
    return NewComplaint(**values)


def open_sla_complaint(session: Session, now: datetime, channel: str = "email", process: str = "sla_flow") -> Complaint:
    """Deploy ``tests/sla/diagrams/<process>.bpmn`` (once) and open a complaint on it."""
    if queries.latest_definition(session, process) is None:
        deploy_paths(session, now, DIAGRAMS / f"{process}.bpmn")
    return open_complaint(session, ANNA, new_complaint(channel), process, now)


def timers_of(session: Session, instance_id: int) -> dict[str, PendingTimerRow]:
    """Timer rows of an instance by element id (the newest row wins for repeated elements)."""
    rows = session.scalars(
        select(PendingTimerRow).where(PendingTimerRow.instance_id == instance_id).order_by(PendingTimerRow.due_at)
    )
    return {row.element_id: row for row in rows}


def pending_timers_of(session: Session, instance_id: int) -> dict[str, PendingTimerRow]:
    rows = session.scalars(
        select(PendingTimerRow).where(PendingTimerRow.instance_id == instance_id, PendingTimerRow.status == "pending")
    )
    return {row.element_id: row for row in rows}


def task_named(session: Session, instance_id: int, element_id: str) -> HumanTask:
    [task] = [
        t
        for t in queries.list_tasks(session, queries.TaskFilter(instance_id=instance_id))
        if t.element_id == element_id
    ]
    return task


def actions(session: Session, instance_id: int, action: str) -> list[AuditEntry]:
    return [entry for entry in queries.audit_trail(session, instance_id) if entry.action == action]


def outbox(session: Session, topic: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if topic:
        query = query.where(OutboxMessage.topic == topic)
    return list(session.scalars(query))
