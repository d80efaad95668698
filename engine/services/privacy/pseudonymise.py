"""Replacing the personal data around complaints by placeholders, keeping their anonymous statistics.

Shared by erasure of a customer (:mod:`engine.services.privacy.erasure`) and the retention clean-up
(:mod:`engine.services.privacy.retention`); neither commits here. What goes:

* texts the customer or staff wrote about the case (description, subject, notes, hand-over and subtask texts,
  feedback comment, free-text process variables): replaced by ``[erased]``;
* attachments: deleted;
* e-mails addressed to the customer: address, subject and body replaced (a pending one is not sent any more);
* every other text of the rows that belong to the complaints (task titles and the complaint copies on task
  rows, notifications, incidents, the delivery log, the workflow state's variables, audit values): each
  occurrence of the customer's name, e-mail, phone and of the texts above is replaced.

What stays: category, channel, priority, team, dates, SLA clock and verdicts, outcome, amounts, root cause,
CSAT and NPS, and the ids that tie them together, so every KPI reads the same before and after.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, String, Table, Text, delete, func, select, update
from sqlalchemy.orm import Session

from engine.runtime.redaction import redact_state, redact_value
from engine.services.privacy.audit_redaction import redact_entries
from engine.store.all_models import Base
from engine.store.casework import CaseNote, Handover, Subtask
from engine.store.channels import CustomerAttachment, DeliveryAttempt, InboundMail
from engine.store.complaints import Complaint, Customer
from engine.store.models import ProcessInstance
from engine.store.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OutboxMessage

ERASED = "[erased]"
# Shorter strings are not searched for inside other texts: "Li" would mangle every "billing".
MIN_NEEDLE = 4
# Process variables (processes/README.md) that hold personal data or free text: replaced whole.
PERSONAL_VARIABLES = frozenset(
    {
        "customer_name", "customer_email", "customer_phone", "customer_address", "subject", "description",
        "order_ref", "customer_message", "internal_note", "resolution_summary", "approval_comment",
        "department_question", "department_reply", "clarification", "department_findings", "customer_info",
        "attachments", "feedback_comment", "lessons_learned", "reopen_reason", "text", "body", "question", "answer",
    }
)  # fmt: skip
# Columns of any table that copy the customer's contact data (e.g. the complaint copies on task rows).
PERSONAL_COLUMNS = frozenset({"customer_name", "customer_email", "customer_phone", "customer_address"})
# Columns that are identifiers or codes, never free text: left alone even if a needle happens to match.
_CODE_COLUMNS = frozenset(
    {
        "element_id", "task_id", "process_key", "lane", "status", "kind", "topic", "message_name",
        "correlation_key", "business_key", "reference", "serializer_version", "sha256", "content_type", "source",
        "channel", "category", "priority", "complaint_priority", "assignee", "completed_by", "created_by", "author",
        "username", "claimed_by", "answered_by", "group_name", "outcome", "resolution_type", "root_cause",
        "currency", "language", "segment", "responsible_group", "started_by", "resolved_by",
    }
)  # fmt: skip
# Tables handled by their own rules below rather than the generic row walk.
_SPECIAL_TABLES = frozenset({"audit_entry", "complaint", "customer", "process_instance", "customer_attachment"})


@dataclass
class Scrubber:
    """What to look for (the customer's data and the complaints' texts) and how to replace it."""

    needles: list[str]
    pattern: re.Pattern[str] | None = field(init=False)

    def __post_init__(self) -> None:
        unique = sorted({n.strip() for n in self.needles if n and len(n.strip()) >= MIN_NEEDLE}, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(n) for n in unique), re.IGNORECASE) if unique else None

    def text(self, value: str) -> str:
        return self.pattern.sub(ERASED, value) if self.pattern is not None else value

    def json(self, value: Any) -> Any:
        return redact_value(value, self.text, PERSONAL_VARIABLES, ERASED)


@dataclass
class Counts:
    """Rows changed per table (for the audit entry and the admin page; no personal data)."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int = 1) -> None:
        if count:
            self.rows[table] = self.rows.get(table, 0) + count


def customer_needles(customer: Customer) -> list[str]:
    return [value for value in (customer.name, customer.email, customer.phone) if value]


def complaint_needles(session: Session, complaints: Iterable[Complaint]) -> list[str]:
    """The free texts of these complaints, wherever they were copied to."""
    needles: list[str] = []
    ids = []
    for complaint in complaints:
        ids.append(complaint.id)
        needles += [
            complaint.subject,
            complaint.description,
            complaint.order_ref or "",
            complaint.feedback_comment or "",
        ]
        if complaint.instance is not None:
            variables = complaint.instance.variables or {}
            needles += [str(variables[key]) for key in PERSONAL_VARIABLES if isinstance(variables.get(key), str)]
    if ids:
        needles += session.scalars(select(CaseNote.body).where(CaseNote.complaint_id.in_(ids))).all()
        for question, answer in session.execute(
            select(Handover.question, Handover.answer).where(Handover.complaint_id.in_(ids))
        ):
            needles += [question, answer or ""]
        for description, result in session.execute(
            select(Subtask.description, Subtask.result).where(Subtask.complaint_id.in_(ids))
        ):
            needles += [description, result or ""]
        needles += session.scalars(select(CustomerAttachment.filename).where(CustomerAttachment.complaint_id.in_(ids)))
    return [needle for needle in needles if needle and needle != ERASED]


# Columns replaced whole (free text about the case), per table.
_WHOLE = {
    "case_note": ("body",),
    "handover": ("question", "answer"),
    "subtask": ("description", "result"),
}


def _text_columns(table: Table) -> list[Any]:
    return [
        column
        for column in table.columns
        if isinstance(column.type, String | Text | JSON)
        and not column.primary_key
        and not column.foreign_keys
        and column.name not in _CODE_COLUMNS
    ]


def _scrub_rows(session: Session, table: Table, where: Any, scrub: Scrubber, counts: Counts) -> None:
    """Generic: every free-text and JSON column of the matching rows, by the rules above."""
    columns = _text_columns(table)
    if not columns:
        return
    key = list(table.primary_key.columns)
    for row in session.execute(select(*key, *columns).where(where)).mappings().all():
        values: dict[str, Any] = {}
        for column in columns:
            old = row[column.name]
            if old is None:
                continue
            if column.name in _WHOLE.get(table.name, ()) or column.name in PERSONAL_COLUMNS:
                new: Any = ERASED if old != "" else old
            elif isinstance(column.type, JSON):
                new = scrub.json(old)
            else:
                new = scrub.text(old)
            if new != old:
                values[column.name] = new
        if values:
            condition = [k == row[k.name] for k in key]
            session.execute(update(table).where(*condition).values(**values))
            counts.add(table.name)


def _linked_tables() -> list[tuple[Table, str]]:
    """Every table that points at a complaint or an instance, with the column it does so by."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in _SPECIAL_TABLES:
            continue
        for name in ("complaint_id", "instance_id"):
            if name in table.columns:
                found.append((table, name))
    return found


def _outbox_to_customer(
    session: Session, email: str | None, complaint_ids: list[int], whole_customer: bool, counts: Counts
) -> None:
    """E-mails to the customer lose address, subject and body; the delivery log loses the address.

    For the whole customer (erasure) every e-mail to their address goes; for some complaints (retention) only
    the e-mails about those complaints.
    """
    if not email:
        return
    addressed = func.lower(OutboxMessage.recipient) == email.lower()
    if not whole_customer:
        addressed = addressed & OutboxMessage.complaint_id.in_(complaint_ids)
    ids = session.scalars(select(OutboxMessage.id).where(addressed)).all()
    if not ids:
        return
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(recipient=ERASED, subject=ERASED, body=ERASED)
    )
    counts.add("outbox_message", len(ids))
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OUTBOX_PENDING)
        .values(status=OUTBOX_FAILED, last_error="not sent: the recipient's data was erased")
    )
    result = session.execute(
        update(DeliveryAttempt)
        .where(DeliveryAttempt.outbox_id.in_(ids), func.lower(DeliveryAttempt.target) == email.lower())
        .values(target=ERASED)
    )
    counts.add("delivery_attempt", getattr(result, "rowcount", 0) or 0)


def pseudonymise_complaints(
    session: Session, customer: Customer, complaints: list[Complaint], now: datetime, whole_customer: bool
) -> Counts:
    """Remove personal data from these complaints of ``customer`` and everything attached to them
    (``whole_customer``: also the e-mails to their address that belong to no complaint)."""
    counts = Counts()
    scrub = Scrubber(customer_needles(customer) + complaint_needles(session, complaints))
    complaint_ids = [c.id for c in complaints]
    instance_ids = [c.instance_id for c in complaints if c.instance_id is not None]
    _outbox_to_customer(session, customer.email, complaint_ids, whole_customer, counts)
    removed = session.execute(delete(CustomerAttachment).where(CustomerAttachment.complaint_id.in_(complaint_ids)))
    counts.add("customer_attachment", getattr(removed, "rowcount", 0) or 0)
    for table, column in _linked_tables():
        ids = complaint_ids if column == "complaint_id" else instance_ids
        if ids:
            _scrub_rows(session, table, table.c[column].in_(ids), scrub, counts)
    outbox_ids = select(OutboxMessage.id).where(OutboxMessage.complaint_id.in_(complaint_ids))
    _scrub_rows(
        session, cast(Table, DeliveryAttempt.__table__), DeliveryAttempt.outbox_id.in_(outbox_ids), scrub, counts
    )
    for mail in session.scalars(select(InboundMail).where(InboundMail.complaint_id.in_(complaint_ids))):
        # The Message-ID may carry the sender's domain; its hash still recognises a redelivered mail.
        if not mail.message_id.startswith("erased:"):
            mail.message_id = "erased:" + hashlib.sha256(mail.message_id.encode()).hexdigest()
            counts.add("inbound_mail")
    for complaint in complaints:
        complaint.subject = ERASED
        complaint.description = ERASED
        complaint.order_ref = None
        complaint.feedback_comment = None
        complaint.extra = scrub.json(complaint.extra or {})
        complaint.pseudonymised_at = now
        counts.add("complaint")
        if complaint.instance is not None:
            _scrub_instance(complaint.instance, scrub)
            counts.add("process_instance")
    redacted = redact_entries(session, instance_ids, scrub.text, PERSONAL_VARIABLES, ERASED)
    counts.add("audit_entry", redacted)
    return counts


def _scrub_instance(instance: ProcessInstance, scrub: Scrubber) -> None:
    """Variables and the serialized state (through the runtime, the only code that knows its format)."""
    instance.variables = scrub.json(instance.variables or {})
    instance.state = redact_state(instance.state, scrub.text, PERSONAL_VARIABLES, ERASED)


def pseudonym_for(customer: Customer) -> str:
    """A stable, meaningless name that still tells apart the erased customers in statistics."""
    return f"Pseudonym {hashlib.sha256(f'customer-{customer.id}'.encode()).hexdigest()[:10]}"


def pseudonymise_customer(customer: Customer, now: datetime) -> None:
    """The customer record itself: name becomes the pseudonym, contact data goes."""
    customer.name = pseudonym_for(customer)
    customer.email = None
    customer.phone = None
    customer.pseudonymised_at = now


__all__ = ["ERASED", "Counts", "pseudonym_for", "pseudonymise_complaints", "pseudonymise_customer"]
