"""Case work use cases the diagram does not model: notes, hand-overs to departments, customer replies and
questions, subtasks for colleagues. Each public function is one unit of work and commits once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.attachments import AttachmentLimits, Upload
from engine.domain.errors import Conflict, FormValidationError, NotFound
from engine.domain.messages import msg
from engine.domain.notification_channels import CHANNEL_IN_APP
from engine.services.audit import record
from engine.services.casework import attachments as case_attachments
from engine.services.casework.access import may_view_complaint, supervises_cases
from engine.services.delivery.outbox import enqueue
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.casework import (
    HANDOVER_ANSWERED,
    HANDOVER_OPEN,
    NOTE_CUSTOMER_MESSAGE,
    NOTE_INTERNAL,
    SUBTASK_DONE,
    SUBTASK_OPEN,
    CaseNote,
    Handover,
    Subtask,
)
from engine.store.complaints import Complaint
from engine.store.users import Group, User

MAX_TEXT = 10_000


def complaint_for(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    # The same answer for "missing" and "not yours": the caller learns nothing about other cases.
    if complaint is None or not may_view_complaint(session, actor, complaint):
        raise NotFound(msg("notfound.complaint", complaint=complaint_id))
    return complaint


def clean_text(value: str, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise FormValidationError({field: msg("field.required")})
    if len(text) > limit:
        raise FormValidationError({field: msg("field.too_long", num=limit)})
    return text


def _due(due_at: datetime | None, now: datetime, field: str = "due_at") -> datetime:
    if due_at is None:
        raise FormValidationError({field: msg("field.required")})
    if due_at <= now:
        raise FormValidationError({field: msg("field.in_future")})
    return due_at


def timeline_note(session: Session, complaint: Complaint, kind: str, author: str, body: str, now: datetime) -> CaseNote:
    note = CaseNote(complaint_id=complaint.id, kind=kind, author=author, body=body, created_at=now)
    session.add(note)
    return note


@unit_of_work
def add_note(
    session: Session,
    actor: Actor,
    complaint_id: int,
    body: str,
    now: datetime,
    kind: str = NOTE_INTERNAL,
    uploads: list[Upload] | None = None,
    limits: AttachmentLimits | None = None,
) -> CaseNote:
    """An internal note (or a customer message taken down by staff) on the complaint's timeline.

    Files (``uploads``, checked against ``limits``) are kept with the note and audited; they stay internal.
    """
    if kind not in (NOTE_INTERNAL, NOTE_CUSTOMER_MESSAGE):
        raise FormValidationError({"kind": msg("case.note_kind")})
    complaint = complaint_for(session, actor, complaint_id)
    errors: dict[str, str] = {}
    try:
        text = clean_text(body, "body")
    except FormValidationError as error:
        errors.update(error.errors)
    checked: list[Upload] = []
    try:
        checked = case_attachments.checked_uploads(list(uploads or []), limits or AttachmentLimits())
    except FormValidationError as error:
        errors.update(error.errors)
    if errors:
        raise FormValidationError(errors)
    note = timeline_note(session, complaint, kind, actor.username, text, now)
    session.flush()
    case_attachments.store_staff_files(session, actor, complaint, note, checked, now)
    commit(session)
    return note


@unit_of_work
def hand_over(
    session: Session,
    actor: Actor,
    complaint_id: int,
    group_name: str,
    question: str,
    due_at: datetime | None,
    now: datetime,
    task_id: str | None = None,
) -> Handover:
    """Ask a department a question about the case; it shows in the department's inbox until answered."""
    complaint = complaint_for(session, actor, complaint_id)
    errors: dict[str, str] = {}
    group = session.scalars(select(Group).where(Group.name == group_name)).first()
    if group is None or not group.is_department:
        errors["group"] = msg("field.choose_department")
    try:
        question = clean_text(question, "question")
    except FormValidationError as error:
        errors.update(error.errors)
    try:
        due_at = _due(due_at, now)
    except FormValidationError as error:
        errors.update(error.errors)
    if errors:
        raise FormValidationError(errors)
    assert due_at is not None
    handover = Handover(
        complaint_id=complaint.id,
        task_id=task_id,
        group_name=group_name,
        question=question,
        due_at=due_at,
        status=HANDOVER_OPEN,
        created_by=actor.username,
        created_at=now,
    )
    session.add(handover)
    session.flush()
    record(
        session,
        actor,
        "handover_created",
        now,
        instance_id=complaint.instance_id,
        task_id=task_id,
        after={"handover": handover.id, "group": group_name, "due_at": due_at.isoformat()},
        message=question,
    )
    enqueue(
        session,
        now,
        kind=CHANNEL_IN_APP,
        topic="handover_received",
        recipient=f"group:{group_name}",
        subject=f"{complaint.reference}: question from {actor.username}",
        body=question,
        complaint_id=complaint.id,
        instance_id=complaint.instance_id,
        payload={"handover": handover.id},
    )
    commit(session)
    return handover


def _handover_for_department(session: Session, actor: Actor, handover_id: int) -> Handover:
    handover = session.get(Handover, handover_id)
    if handover is None or (handover.group_name not in actor.groups and not supervises_cases(actor)):
        raise NotFound(msg("notfound.handover", handover_id=handover_id))
    return handover


@unit_of_work
def claim_handover(session: Session, actor: Actor, handover_id: int, now: datetime) -> Handover:
    """A department member takes a hand-over, so colleagues see who is on it."""
    handover = _handover_for_department(session, actor, handover_id)
    if handover.status != HANDOVER_OPEN:
        raise Conflict(msg("handover.already_answered", user=handover.answered_by))
    if handover.claimed_by and handover.claimed_by != actor.username:
        raise Conflict(msg("handover.being_handled", user=handover.claimed_by))
    handover.claimed_by = actor.username
    commit(session)
    return handover


@unit_of_work
def answer_handover(session: Session, actor: Actor, handover_id: int, answer: str, now: datetime) -> Handover:
    """The department answers and returns the case; the agent sees the answer in the timeline."""
    handover = _handover_for_department(session, actor, handover_id)
    if handover.status != HANDOVER_OPEN:
        raise Conflict(msg("handover.already_answered", user=handover.answered_by))
    handover.answer = clean_text(answer, "answer")
    handover.status = HANDOVER_ANSWERED
    handover.answered_by = actor.username
    handover.answered_at = now
    complaint = handover.complaint
    record(
        session,
        actor,
        "handover_answered",
        now,
        instance_id=complaint.instance_id,
        task_id=handover.task_id,
        after={"handover": handover.id, "group": handover.group_name},
        message=handover.answer,
    )
    enqueue(
        session,
        now,
        kind=CHANNEL_IN_APP,
        topic="handover_answered",
        recipient=handover.created_by,
        subject=f"{complaint.reference}: {handover.group_name} answered",
        body=handover.answer,
        complaint_id=complaint.id,
        instance_id=complaint.instance_id,
        payload={"handover": handover.id},
    )
    commit(session, "this hand-over was answered by someone else at the same time")
    return handover


@unit_of_work
def create_subtask(
    session: Session,
    actor: Actor,
    complaint_id: int,
    assignee: str,
    title: str,
    description: str,
    due_at: datetime | None,
    now: datetime,
) -> Subtask:
    """Give a colleague a piece of the work, with a due date; it shows in their task list."""
    complaint = complaint_for(session, actor, complaint_id)
    errors: dict[str, str] = {}
    user = session.scalars(select(User).where(User.username == assignee, User.active.is_(True))).first()
    if user is None:
        errors["assignee"] = msg("field.choose_colleague")
    for _field, check in (
        ("title", lambda: clean_text(title, "title", limit=300)),
        ("due_at", lambda: _due(due_at, now)),
    ):
        try:
            check()
        except FormValidationError as error:
            errors.update(error.errors)
    if errors:
        raise FormValidationError(errors)
    assert due_at is not None
    subtask = Subtask(
        complaint_id=complaint.id,
        title=title.strip(),
        description=(description or "").strip(),
        assignee=assignee,
        due_at=due_at,
        status=SUBTASK_OPEN,
        created_by=actor.username,
        created_at=now,
    )
    session.add(subtask)
    session.flush()
    record(
        session,
        actor,
        "subtask_created",
        now,
        instance_id=complaint.instance_id,
        after={"subtask": subtask.id, "assignee": assignee, "due_at": due_at.isoformat()},
        message=subtask.title,
    )
    enqueue(
        session,
        now,
        kind=CHANNEL_IN_APP,
        topic="subtask_assigned",
        recipient=assignee,
        subject=f"{complaint.reference}: {subtask.title}",
        body=subtask.description,
        complaint_id=complaint.id,
        instance_id=complaint.instance_id,
        payload={"subtask": subtask.id},
    )
    commit(session)
    return subtask


@unit_of_work
def complete_subtask(session: Session, actor: Actor, subtask_id: int, result: str, now: datetime) -> Subtask:
    """The colleague reports back; the result shows in the timeline."""
    subtask = session.get(Subtask, subtask_id)
    if subtask is None or (subtask.assignee != actor.username and not supervises_cases(actor)):
        raise NotFound(msg("notfound.subtask", subtask_id=subtask_id))
    if subtask.status != SUBTASK_OPEN:
        raise Conflict(msg("subtask.done"))
    subtask.result = clean_text(result, "result")
    subtask.status = SUBTASK_DONE
    subtask.done_at = now
    record(
        session,
        actor,
        "subtask_done",
        now,
        instance_id=subtask.complaint.instance_id,
        after={"subtask": subtask.id},
        message=subtask.result,
    )
    commit(session, "this subtask was changed by someone else at the same time")
    return subtask


def get_handover(session: Session, actor: Actor, handover_id: int) -> Handover:
    """A hand-over the actor's department may see."""
    return _handover_for_department(session, actor, handover_id)


def get_subtask(session: Session, actor: Actor, subtask_id: int) -> Subtask:
    """A subtask of the actor (or any, for supervisors)."""
    subtask = session.get(Subtask, subtask_id)
    if subtask is None or (
        subtask.assignee != actor.username and subtask.created_by != actor.username and not supervises_cases(actor)
    ):
        raise NotFound(msg("notfound.subtask", subtask_id=subtask_id))
    return subtask
