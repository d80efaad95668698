"""Read queries for the case page: the complaint's timeline, the customer's other complaints, open work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.notification_channels import CHANNEL_EMAIL
from engine.store.casework import CaseNote, Handover, Subtask
from engine.store.complaints import Complaint, complaint_of_instance
from engine.store.models import TASK_OPEN, AuditEntry, HumanTask, ProcessInstance, TaskCandidate
from engine.store.outbox import OutboxMessage

# Audit actions that a note already shows in full.
_SHOWN_AS_NOTES = frozenset({"customer_replied", "customer_info_requested"})
# Outbox topics written by the case work services, shown through their notes instead.
_NOTE_TOPICS = frozenset({"customer_reply", "customer_info_request"})


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to a case, whatever table it comes from."""

    at: datetime
    kind: str  # audit action, note kind, or "email"
    actor: str
    text: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    internal: bool = True


# Free-text variables of the process library's hand-over (processes/department_handover.bpmn) that the
# timeline shows when a task completes with them: the question, the department's reply, the clarification.
HANDOVER_TEXT_VARIABLES = ("department_question", "department_reply", "clarification")
# The department's task in that process: listed in the department inbox next to the case-work hand-overs.
HANDOVER_ANSWER_ELEMENTS = ("answer_department_request",)


def _audit_text(entry: AuditEntry) -> str | None:
    if entry.message:
        return entry.message
    after = entry.after or {}
    if entry.action == "task_created":
        return str(after.get("title") or entry.element_id or "")
    if entry.action == "task_completed":
        texts = [str(after[name]) for name in HANDOVER_TEXT_VARIABLES if after.get(name)]
        return "\n\n".join(texts) or None
    return None


def timeline(session: Session, complaint: Complaint, task_titles: dict[str, str] | None = None) -> list[TimelineEntry]:
    """Audit entries of the complaint's instance, notes and e-mails to the customer, oldest first."""
    entries: list[TimelineEntry] = []
    titles = dict(task_titles or {})
    if complaint.instance_id is not None:
        titles.update(
            {
                task_id: title
                for task_id, title in session.execute(
                    select(HumanTask.id, HumanTask.title).where(HumanTask.instance_id == complaint.instance_id)
                )
            }
        )
        for entry in session.scalars(
            select(AuditEntry)
            .where(AuditEntry.instance_id == complaint.instance_id)
            .order_by(AuditEntry.at, AuditEntry.id)
        ):
            if entry.action in _SHOWN_AS_NOTES:
                continue
            detail = {
                "task": titles.get(entry.task_id or "", ""),
                "after": entry.after or {},
                "element": entry.element_id,
            }
            entries.append(TimelineEntry(entry.at, entry.action, entry.actor, _audit_text(entry), detail))
    for note in session.scalars(
        select(CaseNote).where(CaseNote.complaint_id == complaint.id).order_by(CaseNote.created_at, CaseNote.id)
    ):
        entries.append(TimelineEntry(note.created_at, note.kind, note.author, note.body, internal=note.kind == "note"))
    for message in session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.complaint_id == complaint.id, OutboxMessage.kind == CHANNEL_EMAIL)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ):
        if message.topic in _NOTE_TOPICS:
            continue
        entries.append(
            TimelineEntry(
                message.created_at,
                CHANNEL_EMAIL,
                "system",
                message.subject,
                {"topic": message.topic, "status": message.status},
                internal=False,
            )
        )
    # Stable: entries at the same moment keep audit -> notes -> e-mails order.
    return sorted(entries, key=lambda item: item.at)


def earlier_complaints(session: Session, complaint: Complaint, limit: int = 10) -> Sequence[Complaint]:
    """The same customer's other complaints, newest first."""
    return session.scalars(
        select(Complaint)
        .where(Complaint.customer_id == complaint.customer_id, Complaint.id != complaint.id)
        .order_by(Complaint.created_at.desc())
        .limit(limit)
    ).all()


def open_tasks_of(session: Session, complaint: Complaint) -> Sequence[HumanTask]:
    """Open human tasks of the complaint's process."""
    if complaint.instance_id is None:
        return []
    return session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == complaint.instance_id, HumanTask.status == TASK_OPEN)
        .order_by(HumanTask.created_at)
    ).all()


def handovers_of(session: Session, complaint: Complaint) -> Sequence[Handover]:
    """All hand-overs of the complaint, newest first."""
    return session.scalars(
        select(Handover).where(Handover.complaint_id == complaint.id).order_by(Handover.created_at.desc())
    ).all()


def subtasks_of(session: Session, complaint: Complaint) -> Sequence[Subtask]:
    """All subtasks of the complaint, newest first."""
    return session.scalars(
        select(Subtask).where(Subtask.complaint_id == complaint.id).order_by(Subtask.created_at.desc())
    ).all()


def instance_variables(session: Session, instance_id: int) -> dict[str, Any]:
    """An instance's process variables: from the session's row when it holds one loaded, otherwise that column
    alone (the row also brings the serialized workflow state, which a page showing variables does not need)."""
    held = session.identity_map.get(session.identity_key(ProcessInstance, instance_id))
    if isinstance(held, ProcessInstance) and "variables" in held.__dict__:
        return dict(held.__dict__["variables"] or {})
    found = session.scalar(select(ProcessInstance.variables).where(ProcessInstance.id == instance_id))
    return dict(found or {})


def complaint_for_instance(session: Session, instance_id: int) -> Complaint | None:
    """The complaint a process instance handles, if any."""
    return complaint_of_instance(session, instance_id)


def process_handover_tasks(session: Session, groups: Sequence[str]) -> Sequence[HumanTask]:
    """Open department tasks of the process library's hand-over offered to these groups, by due time."""
    offered = select(TaskCandidate.task_id).where(TaskCandidate.kind == "group", TaskCandidate.name.in_(groups or [""]))
    return session.scalars(
        select(HumanTask)
        .where(
            HumanTask.status == TASK_OPEN,
            HumanTask.element_id.in_(HANDOVER_ANSWER_ELEMENTS),
            HumanTask.id.in_(offered),
        )
        .order_by(HumanTask.due_at.asc().nulls_last(), HumanTask.id)
    ).all()
