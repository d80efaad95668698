"""Case work use cases the diagram does not model: notes, hand-overs to departments, customer replies and
questions, subtasks for colleagues. Each public function is one unit of work and commits once."""

from __future__ import annotations

from datetime import datetime
from string import Formatter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import Conflict, FormValidationError, NotFound, PermissionDenied
from engine.services.access import may_view_complaint, supervises_cases
from engine.services.audit import record
from engine.services.outbox import enqueue
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.casework import (
    HANDOVER_ANSWERED,
    HANDOVER_OPEN,
    NOTE_CUSTOMER_MESSAGE,
    NOTE_INFO_REQUEST,
    NOTE_INTERNAL,
    NOTE_REPLY,
    SUBTASK_DONE,
    SUBTASK_OPEN,
    CaseNote,
    Handover,
    ReplyTemplate,
    Subtask,
)
from engine.store.complaints import Complaint
from engine.store.users import Group, User

MAX_TEXT = 10_000


def _complaint(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    # The same answer for "missing" and "not yours": the caller learns nothing about other cases.
    if complaint is None or not may_view_complaint(session, actor, complaint):
        raise NotFound(f"complaint {complaint_id} does not exist")
    return complaint


def _text(value: str, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise FormValidationError({field: "is required"})
    if len(text) > limit:
        raise FormValidationError({field: f"must have at most {limit} characters"})
    return text


def _due(due_at: datetime | None, now: datetime, field: str = "due_at") -> datetime:
    if due_at is None:
        raise FormValidationError({field: "is required"})
    if due_at <= now:
        raise FormValidationError({field: "must lie in the future"})
    return due_at


def _note(session: Session, complaint: Complaint, kind: str, author: str, body: str, now: datetime) -> CaseNote:
    note = CaseNote(complaint_id=complaint.id, kind=kind, author=author, body=body, created_at=now)
    session.add(note)
    return note


@unit_of_work
def add_note(
    session: Session, actor: Actor, complaint_id: int, body: str, now: datetime, kind: str = NOTE_INTERNAL
) -> CaseNote:
    """An internal note (or a customer message taken down by staff) on the complaint's timeline."""
    if kind not in (NOTE_INTERNAL, NOTE_CUSTOMER_MESSAGE):
        raise FormValidationError({"kind": "must be an internal note or a customer message"})
    complaint = _complaint(session, actor, complaint_id)
    note = _note(session, complaint, kind, actor.username, _text(body, "body"), now)
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
    complaint = _complaint(session, actor, complaint_id)
    errors: dict[str, str] = {}
    group = session.scalars(select(Group).where(Group.name == group_name)).first()
    if group is None or not group.is_department:
        errors["group"] = "choose a department"
    try:
        question = _text(question, "question")
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
        kind="in_app",
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
        raise NotFound(f"hand-over {handover_id} does not exist")
    return handover


@unit_of_work
def claim_handover(session: Session, actor: Actor, handover_id: int, now: datetime) -> Handover:
    """A department member takes a hand-over, so colleagues see who is on it."""
    handover = _handover_for_department(session, actor, handover_id)
    if handover.status != HANDOVER_OPEN:
        raise Conflict(f"this hand-over was already answered by {handover.answered_by}")
    if handover.claimed_by and handover.claimed_by != actor.username:
        raise Conflict(f"this hand-over is already being handled by {handover.claimed_by}")
    handover.claimed_by = actor.username
    commit(session)
    return handover


@unit_of_work
def answer_handover(session: Session, actor: Actor, handover_id: int, answer: str, now: datetime) -> Handover:
    """The department answers and returns the case; the agent sees the answer in the timeline."""
    handover = _handover_for_department(session, actor, handover_id)
    if handover.status != HANDOVER_OPEN:
        raise Conflict(f"this hand-over was already answered by {handover.answered_by}")
    handover.answer = _text(answer, "answer")
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
        kind="in_app",
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


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_template_text(text: str, values: dict[str, str]) -> str:
    """Fill ``{name}`` placeholders; unknown ones stay as typed, format specs and attributes are not allowed."""
    parts = []
    for literal, field, _spec, _conversion in Formatter().parse(text):
        parts.append(literal)
        if field is not None:
            parts.append(values.get(field, "{" + field + "}") if field.isidentifier() else "{" + field + "}")
    return "".join(parts)


def template_values(complaint: Complaint, agent_name: str) -> dict[str, str]:
    """The placeholders a reply template may use."""
    return {
        "customer_name": complaint.customer.name,
        "reference": complaint.reference,
        "subject": complaint.subject,
        "agent_name": agent_name,
    }


def _to_customer(
    session: Session, actor: Actor, complaint: Complaint, subject: str, body: str, topic: str, now: datetime
) -> None:
    if not complaint.customer.email:
        raise FormValidationError({"body": "the customer has no e-mail address; note a phone call instead"})
    enqueue(
        session,
        now,
        kind="email",
        topic=topic,
        recipient=complaint.customer.email,
        subject=subject,
        body=body,
        complaint_id=complaint.id,
        instance_id=complaint.instance_id,
        payload={"reference": complaint.reference, "language": complaint.language},
    )


@unit_of_work
def reply_to_customer(
    session: Session, actor: Actor, complaint_id: int, subject: str, body: str, now: datetime
) -> CaseNote:
    """Send the customer a reply (queued in the outbox) and keep it on the timeline."""
    complaint = _complaint(session, actor, complaint_id)
    subject = _text(subject, "subject", limit=300)
    body = _text(body, "body")
    _to_customer(session, actor, complaint, subject, body, "customer_reply", now)
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        if complaint.first_response_due_at is not None:
            complaint.first_response_met = now <= complaint.first_response_due_at
    note = _note(session, complaint, NOTE_REPLY, actor.username, f"{subject}\n\n{body}", now)
    record(session, actor, "customer_replied", now, instance_id=complaint.instance_id, message=subject)
    commit(session)
    return note


@unit_of_work
def request_information(session: Session, actor: Actor, complaint_id: int, question: str, now: datetime) -> CaseNote:
    """Ask the customer for missing information by e-mail; the answer arrives as a message or a note."""
    complaint = _complaint(session, actor, complaint_id)
    question = _text(question, "question")
    subject = f"{complaint.reference}: we need more information"
    _to_customer(session, actor, complaint, subject, question, "customer_info_request", now)
    note = _note(session, complaint, NOTE_INFO_REQUEST, actor.username, question, now)
    record(session, actor, "customer_info_requested", now, instance_id=complaint.instance_id, message=question)
    commit(session)
    return note


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
    complaint = _complaint(session, actor, complaint_id)
    errors: dict[str, str] = {}
    user = session.scalars(select(User).where(User.username == assignee, User.active.is_(True))).first()
    if user is None:
        errors["assignee"] = "choose an active colleague"
    for _field, check in (("title", lambda: _text(title, "title", limit=300)), ("due_at", lambda: _due(due_at, now))):
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
        kind="in_app",
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
        raise NotFound(f"subtask {subtask_id} does not exist")
    if subtask.status != SUBTASK_OPEN:
        raise Conflict("this subtask is already done")
    subtask.result = _text(result, "result")
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
        raise NotFound(f"subtask {subtask_id} does not exist")
    return subtask


def templates_for(session: Session, language: str | None = None) -> list[ReplyTemplate]:
    """Reply templates, those in the complaint's language first."""
    rows = list(session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.name)))
    return sorted(rows, key=lambda row: row.language != language)


@unit_of_work
def save_template(
    session: Session, actor: Actor, template_id: int | None, values: dict[str, Any], now: datetime
) -> ReplyTemplate:
    """Create or change a reply template (team leads and admins)."""
    if not actor.supervises:
        raise PermissionDenied("only team leads and admins may edit reply templates")
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for field, limit in (("name", 200), ("subject", 300), ("body", MAX_TEXT)):
        try:
            cleaned[field] = _text(str(values.get(field) or ""), field, limit=limit)
        except FormValidationError as error:
            errors.update(error.errors)
    language = str(values.get("language") or "en")
    if language not in ("en", "de"):
        errors["language"] = "must be en or de"
    if errors:
        raise FormValidationError(errors)
    template = session.get(ReplyTemplate, template_id) if template_id else ReplyTemplate()
    if template is None:
        raise NotFound(f"reply template {template_id} does not exist")
    template.name, template.subject, template.body = cleaned["name"], cleaned["subject"], cleaned["body"]
    template.language = language
    template.category = str(values.get("category") or "").strip() or None
    template.updated_by = actor.username
    template.updated_at = now
    session.add(template)
    commit(session)
    return template
