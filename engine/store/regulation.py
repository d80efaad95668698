"""The regulatory clock and the mandated letters of a complaint (regulation packs, docs/regulation.md).

One ``regulatory_deadline`` row per legal deadline a pack sets on a complaint; the scheduler's sweep reminds before
it and records a breach once it has passed. One ``regulatory_letter`` row per letter sent: the exact text, its hash,
the recipient and the outbox row whose status tells whether it was delivered (the proof of what was sent).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base

DEADLINE_OPEN = "open"
DEADLINE_MET = "met"
DEADLINE_BREACHED = "breached"  # passed while open; met later still shows it was late


class RegulatoryDeadline(Base):
    """A legal deadline of one pack on one complaint."""

    __tablename__ = "regulatory_deadline"
    __table_args__ = (
        # The sweep's two questions: which open deadlines need a reminder, which have passed.
        Index("ix_regulatory_deadline_remind", "status", "remind_at"),
        Index("ix_regulatory_deadline_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    pack: Mapped[str] = mapped_column(String(50))
    rule: Mapped[str] = mapped_column(String(50))
    calendar: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(50))
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    remind_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=DEADLINE_OPEN)
    extended_by: Mapped[str | None] = mapped_column(String(50))  # the letter that moved the deadline
    reminded_at: Mapped[datetime | None]
    met_at: Mapped[datetime | None]
    met_by: Mapped[str | None] = mapped_column(String(50))
    breached_at: Mapped[datetime | None]
    breach_reason: Mapped[str | None] = mapped_column(Text)
    breach_reason_by: Mapped[str | None] = mapped_column(String(150))


class RegulatoryLetter(Base):
    """A mandated letter as it was sent: text, hash, recipient, time and the outbox row that carries it."""

    __tablename__ = "regulatory_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    pack: Mapped[str] = mapped_column(String(50))
    letter: Mapped[str] = mapped_column(String(50))
    language: Mapped[str] = mapped_column(String(5))
    recipient: Mapped[str | None] = mapped_column(String(300))  # None: no e-mail address, to be sent by post
    subject: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(150))
    outbox_message_id: Mapped[int | None] = mapped_column(Integer)
