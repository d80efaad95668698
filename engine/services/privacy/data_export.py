"""Exporting all data of one customer as JSON (GDPR Art. 15 and 20): admin only, audited.

One self-contained JSON document: the customer record, each complaint with its texts, feedback, timeline notes
(internal ones too, marked ``internal``: they are personal data about the customer as well, and the admin
decides what to hand over), hand-overs and subtasks, the e-mails sent about it, inbound mail markers, the
workflow variables, attachments (metadata and content as base64, so the export is one file) and the audit
entries of its process. The audit entry of the export names the customer id and counts, never the data.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.services.audit import record
from engine.services.privacy.erasure import get_customer, require_admin
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.casework import NOTE_INTERNAL, CaseNote, Handover, Subtask
from engine.store.channels import CustomerAttachment, InboundMail
from engine.store.complaints import Complaint, Customer
from engine.store.models import AuditEntry
from engine.store.outbox import OutboxMessage

EXPORT_FORMAT = "complaintflow-customer-export/1"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _columns(row: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    skipped = set(skip)
    return {c.name: _plain(getattr(row, c.key)) for c in row.__table__.columns if c.name not in skipped}


def _rows(session: Session, model: Any, *where: Any) -> list[Any]:
    return list(session.scalars(select(model).where(*where).order_by(model.id)))


def _complaint(session: Session, complaint: Complaint) -> dict[str, Any]:
    data = _columns(complaint, skip=("csat", "nps", "feedback_comment"))
    data["feedback"] = {"csat": complaint.csat, "nps": complaint.nps, "comment": complaint.feedback_comment}
    data["notes"] = [
        {**_columns(note), "internal": note.kind == NOTE_INTERNAL}
        for note in _rows(session, CaseNote, CaseNote.complaint_id == complaint.id)
    ]
    data["handovers"] = [_columns(row) for row in _rows(session, Handover, Handover.complaint_id == complaint.id)]
    data["subtasks"] = [_columns(row) for row in _rows(session, Subtask, Subtask.complaint_id == complaint.id)]
    data["attachments"] = [
        {**_columns(row, skip=("content",)), "content_base64": _plain(row.content)}
        for row in _rows(session, CustomerAttachment, CustomerAttachment.complaint_id == complaint.id)
    ]
    data["inbound_mail"] = [_columns(r) for r in _rows(session, InboundMail, InboundMail.complaint_id == complaint.id)]
    data["messages"] = [
        _columns(row, skip=("attempts", "next_attempt_at", "last_error"))
        for row in _rows(session, OutboxMessage, OutboxMessage.complaint_id == complaint.id)
    ]
    instance = complaint.instance
    data["process"] = (
        None
        if instance is None
        else {"instance_id": instance.id, "status": instance.status, "variables": instance.variables or {}}
    )
    data["audit"] = (
        []
        if instance is None
        else [
            _columns(entry)
            for entry in session.scalars(
                select(AuditEntry).where(AuditEntry.instance_id == instance.id).order_by(AuditEntry.at, AuditEntry.id)
            )
        ]
    )
    return data


def build_export(session: Session, customer: Customer) -> dict[str, Any]:
    """Everything stored about ``customer`` (and nothing about anyone else), as JSON-ready values."""
    complaints = sorted(customer.complaints, key=lambda c: c.id)
    # E-mails to the customer's address that belong to no complaint (e.g. a portal lookup reply).
    loose = (
        _rows(
            session,
            OutboxMessage,
            OutboxMessage.complaint_id.is_(None),
            func.lower(OutboxMessage.recipient) == customer.email.lower(),
        )
        if customer.email
        else []
    )
    own_audit = select(AuditEntry).where(
        AuditEntry.instance_id.is_(None),
        AuditEntry.action.in_(("customer_data_exported", "customer_erased", "audit_redacted")),
    )
    customer_audit = [
        _columns(entry)
        for entry in session.scalars(own_audit.order_by(AuditEntry.at, AuditEntry.id))
        if (entry.after or {}).get("customer_id") == customer.id
    ]
    return {
        "format": EXPORT_FORMAT,
        "customer": _columns(customer),
        "complaints": [_complaint(session, complaint) for complaint in complaints],
        "other_messages": [_columns(row, skip=("attempts", "next_attempt_at", "last_error")) for row in loose],
        "customer_audit": customer_audit,
        "notes": {
            "portal_activity": "the portal keeps only hashed client keys for rate limits, not linkable to a person; "
            "what the customer sent through it is in the complaints' notes and attachments (source 'web').",
            "preferences": "customers have no stored notification preferences or consents; they are mailed about "
            "their own complaints only.",
        },
    }


def export_summary(session: Session, customer: Customer) -> dict[str, int]:
    """How much an export holds, by counting rows (the preview page; no attachment is loaded)."""
    ids = [complaint.id for complaint in customer.complaints]
    instances = [complaint.instance_id for complaint in customer.complaints if complaint.instance_id is not None]

    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    addressed = func.lower(OutboxMessage.recipient) == (customer.email or "").lower()
    return {
        "complaints": len(ids),
        "notes": count(CaseNote, CaseNote.complaint_id.in_(ids)),
        "attachments": count(CustomerAttachment, CustomerAttachment.complaint_id.in_(ids)),
        "messages": count(OutboxMessage, OutboxMessage.complaint_id.in_(ids))
        + (count(OutboxMessage, OutboxMessage.complaint_id.is_(None), addressed) if customer.email else 0),
        "audit": count(AuditEntry, AuditEntry.instance_id.in_(instances)),
    }


@unit_of_work
def export_customer(session: Session, actor: Actor, customer_id: int, now: datetime) -> dict[str, Any]:
    """The export of one customer, with an audit entry (customer id and counts only) committed first."""
    require_admin(actor)
    customer = get_customer(session, customer_id)
    export = build_export(session, customer)
    export["exported_at"] = now.isoformat()
    record(
        session,
        actor,
        "customer_data_exported",
        now,
        after={"customer_id": customer.id, "complaints": len(export["complaints"])},
    )
    commit(session)
    return export
