"""A case history around one seeded complaint, touching every table that can hold a customer's data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Text, select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.roles import ROLE_ADMIN
from engine.runtime.serialization import decode_state
from engine.services.casework import cases as casework
from engine.services.casework.tasks import claim_task, complete_task
from engine.services.delivery.outbox import enqueue
from engine.store import case_queries, kpi, kpi_series
from engine.store.all_models import Base
from engine.store.channels import CustomerAttachment, DeliveryAttempt, InAppNotification, InboundMail
from engine.store.complaints import Complaint
from engine.store.models import ProcessInstance

ADMIN = Actor("privacy-admin", roles=frozenset({ROLE_ADMIN}))
LEAD = Actor("lead", frozenset({"team_lead", "agent"}), frozenset({"team_lead"}))


def complaint(session: Session, reference: str) -> Complaint:
    return session.scalars(select(Complaint).where(Complaint.reference == reference)).one()


def add_history(session: Session, reference: str, now: datetime, tag: str) -> None:
    """Notes, hand-over, subtask, attachment, e-mails, delivery log, in-app notice, inbound mail; each text
    carries ``tag``, so a test can look for this customer's texts."""
    case = complaint(session, reference)
    name, email = case.customer.name, case.customer.email or ""
    casework.add_note(session, LEAD, case.id, f"Called {name} back, she said the router is broken ({tag}).", now)
    handover = casework.hand_over(
        session, LEAD, case.id, "billing", f"Was {name} billed twice ({tag})?", now + timedelta(days=1), now
    )
    casework.create_subtask(
        session,
        LEAD,
        case.id,
        "agent",
        f"Call {name}",
        f"Ask about the router invoice ({tag})",
        now + timedelta(days=1),
        now,
    )
    session.add(
        CustomerAttachment(
            complaint_id=case.id,
            filename=f"{name} invoice.pdf",
            content_type="application/pdf",
            size=11,
            sha256="0" * 64,
            content=b"%PDF " + tag.encode(),
            source="web",
            uploaded_at=now,
        )
    )
    message = enqueue(
        session,
        now,
        kind="email",
        topic="customer_reply",
        recipient=email,
        subject=f"Hello {name}",
        body=f"Dear {name}, about {case.subject}",
        complaint_id=case.id,
        instance_id=case.instance_id,
    )
    session.flush()
    session.add(DeliveryAttempt(outbox_id=message.id, channel="email", target=email, at=now, success=True))
    session.add(
        InAppNotification(
            username="agent",
            topic="customer_reply",
            subject=f"{name} wrote again",
            body=case.description,
            complaint_id=case.id,
            created_at=now,
        )
    )
    session.add(
        InboundMail(message_id=f"<{case.id}.{email}>", complaint_id=case.id, outcome="attached", received_at=now)
    )
    session.commit()
    assert handover.id
    # fmt: skip


def close(session: Session, reference: str, closed_at: datetime, csat: int = 4, nps: int = 8) -> None:
    """Complete the complaint's task (the process ends), then record closure and feedback on the row."""
    case = complaint(session, reference)
    task = case_queries.open_tasks_of(session, case)[0]
    claim_task(session, LEAD, task.id, closed_at - timedelta(hours=2))
    data = {"resolution": "explanation", "refund_amount": 0, "reply": f"Dear {case.customer.name}, we are sorry."}
    complete_task(session, LEAD, task.id, data, closed_at - timedelta(hours=1))
    case = complaint(session, reference)
    assert case.instance is not None and case.instance.status == "completed"
    case.status, case.resolved_at, case.closed_at = "closed", closed_at - timedelta(hours=1), closed_at
    case.first_response_at, case.first_response_met, case.resolution_met = (
        case.created_at + timedelta(hours=1),
        True,
        True,
    )
    case.outcome, case.root_cause, case.csat, case.nps = "upheld", "billing_error", csat, nps
    case.feedback_comment = f"Thanks, {case.customer.name} is happy"
    session.commit()  # fmt: skip


def text_values(session: Session) -> Iterator[tuple[str, str, str]]:
    """(table, column, text) of every text, JSON and binary value in the database, plus decompressed states."""
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON | LargeBinary)]
        if not columns:
            continue
        for row in session.execute(select(*columns)).mappings():
            for column in columns:
                value = row[column.name]
                if value is None:
                    continue
                if isinstance(value, bytes):
                    text = (
                        json.dumps(decode_state(value))
                        if table.name == "process_instance" and value
                        else value.decode("latin-1")
                    )
                elif isinstance(value, str):
                    text = value
                else:
                    text = json.dumps(value, ensure_ascii=False)
                yield table.name, column.name, text  # fmt: skip


def traces(session: Session, needles: list[str]) -> list[tuple[str, str, str]]:
    """Where any of the needles (case-insensitive) still occurs."""
    found = []
    for table, column, text in text_values(session):
        lowered = text.lower()
        found += [(table, column, needle) for needle in needles if needle.lower() in lowered]
    return found


def kpi_snapshot(session: Session, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """Every cockpit aggregate over the period, with customers by id (their names are what erasure changes)."""
    criteria = kpi.KpiFilter(start, end)
    return {
        "kpis": kpi.kpis(session, criteria),
        "over_time": kpi_series.over_time(session, criteria, "day"),
        "backlog": kpi.backlog_by_light(session, criteria, now),
        "teams": kpi.per_team(session, criteria),
        "agents": kpi.per_agent(session, criteria),
        "category": kpi.top(session, criteria, "category"),
        "root_cause": kpi.top(session, criteria, "root_cause"),
        "complainants": [(row[0], row[2]) for row in kpi.top_complainants(session, criteria)],
    }


def instance_states(session: Session) -> dict[int, str]:
    return {i.id: json.dumps(decode_state(i.state)) for i in session.scalars(select(ProcessInstance))}
