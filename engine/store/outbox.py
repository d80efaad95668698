"""The outbox: notifications written in the same transaction as the change that caused them.

Delivery (SMTP, in-app, webhooks) happens after the commit, by ``notifications/``; a failed send stays
queued and is retried, it never rolls back the workflow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base

OUTBOX_PENDING = "pending"
OUTBOX_SENT = "sent"
OUTBOX_FAILED = "failed"  # gave up after the maximum number of attempts


class OutboxMessage(Base):
    """One notification to deliver: an e-mail, an in-app message or a webhook call."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(20))  # email / in_app / webhook
    topic: Mapped[str] = mapped_column(String(50))  # e.g. task_assigned, sla_reminder, complaint_received
    recipient: Mapped[str] = mapped_column(String(300))  # address, user name, group:<name> or URL
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    complaint_id: Mapped[int | None] = mapped_column(Integer, index=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20), default=OUTBOX_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
