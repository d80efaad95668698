"""Case work around a complaint that the process diagram does not model: notes, hand-overs to departments,
subtasks for colleagues, replies from templates and each user's saved task list filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.complaints import Complaint
from engine.store.models import Base

NOTE_INTERNAL = "note"  # internal note, never shown to the customer
NOTE_CUSTOMER_MESSAGE = "customer_message"  # something the customer said (phone call, letter) noted by staff
NOTE_REPLY = "reply"  # a reply sent to the customer
NOTE_INFO_REQUEST = "info_request"  # a question sent to the customer
NOTE_KINDS = (NOTE_INTERNAL, NOTE_CUSTOMER_MESSAGE, NOTE_REPLY, NOTE_INFO_REQUEST)


class CaseNote(Base):
    """A timeline entry written by a person: internal note, customer message, reply or question."""

    __tablename__ = "case_note"
    __table_args__ = (Index("ix_case_note_complaint_at", "complaint_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


HANDOVER_OPEN = "open"
HANDOVER_ANSWERED = "answered"
HANDOVER_WITHDRAWN = "withdrawn"


class Handover(Base):
    """A question handed to a department about a complaint; the department answers and returns the case."""

    __tablename__ = "handover"
    __table_args__ = (Index("ix_handover_group_status_due", "group_name", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))  # the agent's task the question came from
    group_name: Mapped[str] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=HANDOVER_OPEN)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(150))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(150))
    answered_at: Mapped[datetime | None]

    complaint: Mapped[Complaint] = relationship()


SUBTASK_OPEN = "open"
SUBTASK_DONE = "done"


class Subtask(Base):
    """A piece of work on a complaint given to a colleague, with a due date; shown in their task list."""

    __tablename__ = "subtask"
    __table_args__ = (Index("ix_subtask_assignee_status_due", "assignee", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    assignee: Mapped[str] = mapped_column(String(150))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=SUBTASK_OPEN)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime]
    result: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]

    complaint: Mapped[Complaint] = relationship()


class ReplyTemplate(Base):
    """A reusable reply to customers; ``{customer_name}``, ``{reference}``, ``{agent_name}`` are filled in."""

    __tablename__ = "reply_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="en")
    category: Mapped[str | None] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(150))
    updated_at: Mapped[datetime]


class SavedFilter(Base):
    """A named task list filter of one user (the list scope plus the filter fields)."""

    __tablename__ = "saved_filter"
    __table_args__ = (Index("ix_saved_filter_owner", "owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(150))
    name: Mapped[str] = mapped_column(String(100))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
