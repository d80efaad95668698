"""Talking to the customer from a case: replies from templates and questions for missing information.

Messages are queued in the outbox in the same transaction; the timeline keeps a note of each. A question
for missing information goes through the process (see :func:`request_information`), so the SLA pauses and
the case waits for the answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from string import Formatter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import Conflict, FormValidationError, NotFound, PermissionDenied
from engine.domain.messages import msg
from engine.domain.notification_channels import CHANNEL_EMAIL
from engine.domain.tasks import TaskAccess, may_complete
from engine.services.audit import record
from engine.services.casework import tasks
from engine.services.casework.cases import MAX_TEXT, clean_text, complaint_for, timeline_note
from engine.services.delivery.outbox import enqueue
from engine.services.unit_of_work import commit, unit_of_work
from engine.store import case_queries
from engine.store.casework import NOTE_INFO_REQUEST, NOTE_REPLY, CaseNote, ReplyTemplate
from engine.store.complaints import Complaint
from engine.store.models import HumanTask, MessageSubscription


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
        raise FormValidationError({"body": msg("contact.no_email")})
    enqueue(
        session,
        now,
        kind=CHANNEL_EMAIL,
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
    complaint = complaint_for(session, actor, complaint_id)
    subject = clean_text(subject, "subject", limit=300)
    body = clean_text(body, "body")
    _to_customer(session, actor, complaint, subject, body, "customer_reply", now)
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        if complaint.first_response_due_at is not None:
            complaint.first_response_met = now <= complaint.first_response_due_at
    note = timeline_note(session, complaint, NOTE_REPLY, actor.username, f"{subject}\n\n{body}", now)
    record(session, actor, "customer_replied", now, instance_id=complaint.instance_id, message=subject)
    commit(session)
    return note


# The process's info-request path (processes/README.md, "Waiting for the customer"): a user task whose form
# offers ``next_step = request_info`` together with the message to the customer; the process then pauses the
# SLA, marks the complaint waiting_customer and waits for the message ``customer_info_received``.
STEP_FIELD = "next_step"
STEP_REQUEST_INFO = "request_info"
MESSAGE_FIELD = "customer_message"
CUSTOMER_INFO_MESSAGE = "customer_info_received"

INFO_VIA_PROCESS = "process"  # a task offers the step: completing it makes the process wait
INFO_FOLLOW_UP = "follow_up"  # the process already waits for the customer: a further question by e-mail
INFO_CLOSED = "closed"
INFO_TAKEN = "taken"  # the task offering the step is assigned to someone else
INFO_NOT_CANDIDATE = "not_candidate"  # the task offering the step is not offered to this user
INFO_ELSEWHERE = "elsewhere"  # the process is at a step without the info-request path
INFO_NOT_MODELLED = "not_modelled"  # the process has no open step at all that could wait for the customer


@dataclass(frozen=True)
class InfoRequestState:
    """What "request information from the customer" does for this complaint and this user right now."""

    mode: str
    task: HumanTask | None = None  # the task that offers the step (INFO_VIA_PROCESS, INFO_TAKEN)
    open_steps: tuple[str, ...] = ()  # titles of the open tasks (INFO_ELSEWHERE)
    waiting_since: datetime | None = None
    open_tasks: tuple[HumanTask, ...] = ()  # those tasks, for pages that show their names translated

    @property
    def possible(self) -> bool:
        return self.mode in (INFO_VIA_PROCESS, INFO_FOLLOW_UP)


class InfoRequestUnavailable(Conflict):
    """The process offers no way to wait for the customer at this point; ``state`` says why."""

    def __init__(self, state: InfoRequestState) -> None:
        step = repr(state.task.title) if state.task else ""
        messages = {
            INFO_CLOSED: "the complaint is closed",
            INFO_TAKEN: f"the step {step} is assigned to {state.task.assignee if state.task else ''}",
            INFO_NOT_CANDIDATE: f"the step {step} is not offered to you",
            INFO_ELSEWHERE: f"the process is at {', '.join(map(repr, state.open_steps))}; "
            "information can be requested where the complaint is handled",
            INFO_NOT_MODELLED: "this complaint's process has no step that waits for the customer; reply instead",
        }
        super().__init__(messages.get(state.mode, "information cannot be requested now"))
        self.state = state


def offers_info_request(task: HumanTask) -> bool:
    """Whether the task's form has the info-request step (``next_step`` with ``request_info`` and a message)."""
    fields = {field.get("id"): field for field in task.form or []}
    options = [option[0] for option in (fields.get(STEP_FIELD) or {}).get("options") or []]
    return STEP_REQUEST_INFO in options and MESSAGE_FIELD in fields


def _waiting_for_customer(session: Session, complaint: Complaint) -> bool:
    query = select(MessageSubscription.id).where(
        MessageSubscription.message_name == CUSTOMER_INFO_MESSAGE,
        MessageSubscription.correlation_key == complaint.reference,
    )
    return session.scalars(query).first() is not None


def info_request_state(
    session: Session,
    actor: Actor,
    complaint: Complaint,
    task_id: str | None = None,
    open_tasks: Sequence[HumanTask] | None = None,
) -> InfoRequestState:
    """Decide how an information request goes for ``complaint`` (``task_id``: the task page it comes from).

    ``open_tasks``: the complaint's open tasks when the caller has just loaded them (the case and task pages),
    so that they are not selected a second time.
    """
    if complaint.status == "closed" or complaint.closed_at is not None:
        return InfoRequestState(INFO_CLOSED)
    if _waiting_for_customer(session, complaint):
        return InfoRequestState(INFO_FOLLOW_UP, waiting_since=complaint.sla_paused_at)
    open_tasks = list(case_queries.open_tasks_of(session, complaint) if open_tasks is None else open_tasks)
    offering = sorted((task for task in open_tasks if offers_info_request(task)), key=lambda task: task.id != task_id)
    for task in offering:
        access = TaskAccess(
            task.assignee,
            frozenset(task.candidate_groups),
            frozenset(task.candidate_users),
            frozenset(task.excluded_users),
        )
        if may_complete(actor, access):
            return InfoRequestState(INFO_VIA_PROCESS, task=task)
    if offering:
        taken = offering[0].assignee and offering[0].assignee != actor.username
        return InfoRequestState(INFO_TAKEN if taken else INFO_NOT_CANDIDATE, task=offering[0])
    if open_tasks:
        return InfoRequestState(
            INFO_ELSEWHERE, open_steps=tuple(task.title for task in open_tasks), open_tasks=tuple(open_tasks)
        )
    return InfoRequestState(INFO_NOT_MODELLED)


def request_information(
    session: Session, actor: Actor, complaint_id: int, question: str, now: datetime, task_id: str | None = None
) -> InfoRequestState:
    """Ask the customer for missing information through the process, so the case waits with the SLA paused.

    When a task offers the step, it is completed with ``next_step = request_info`` and the question as the
    message to the customer: the process sends it (with the private status link), pauses the SLA, marks the
    complaint ``waiting_customer`` and waits for ``customer_info_received`` (portal, e-mail or API answer).
    While the process already waits, a further question goes out by e-mail. Elsewhere the request is refused
    with :class:`InfoRequestUnavailable`. Returns the state that was acted on.
    """
    complaint = complaint_for(session, actor, complaint_id)
    question = clean_text(question, "question", limit=5000)
    if not complaint.customer.email:
        # The process would wait for an answer to a question nobody received.
        raise FormValidationError({"question": msg("contact.no_email")})
    state = info_request_state(session, actor, complaint, task_id)
    if state.mode == INFO_VIA_PROCESS:
        _ask_through_process(session, actor, complaint, state, question, now)
    elif state.mode == INFO_FOLLOW_UP:
        _ask_again(session, actor, complaint, question, now)
    else:
        raise InfoRequestUnavailable(state)
    return state


def _ask_through_process(
    session: Session, actor: Actor, complaint: Complaint, state: InfoRequestState, question: str, now: datetime
) -> None:
    assert state.task is not None
    # The note and the audit entry ride in the task completion's single commit (or roll back with it).
    timeline_note(session, complaint, NOTE_INFO_REQUEST, actor.username, question, now)
    record(
        session,
        actor,
        "customer_info_requested",
        now,
        instance_id=complaint.instance_id,
        task_id=state.task.id,
        element_id=state.task.element_id,
        after={"via": INFO_VIA_PROCESS, "task": state.task.title},
        message=question,
    )
    data = {STEP_FIELD: STEP_REQUEST_INFO, MESSAGE_FIELD: question}
    try:
        tasks.complete_task(session, actor, state.task.id, data, now)
    except FormValidationError as error:
        # The task form's rules (e.g. at least 10 characters) are the question's rules here.
        raise FormValidationError(
            {
                ("question" if key in (MESSAGE_FIELD, STEP_FIELD, "") else key): text
                for key, text in error.errors.items()
            }
        ) from None
    except PermissionDenied as error:
        raise Conflict(str(error)) from None


@unit_of_work
def _ask_again(session: Session, actor: Actor, complaint: Complaint, question: str, now: datetime) -> None:
    subject = f"{complaint.reference}: we need more information"
    _to_customer(session, actor, complaint, subject, question, "customer_info_request", now)
    timeline_note(session, complaint, NOTE_INFO_REQUEST, actor.username, question, now)
    record(
        session,
        actor,
        "customer_info_requested",
        now,
        instance_id=complaint.instance_id,
        after={"via": INFO_FOLLOW_UP},
        message=question,
    )
    commit(session)


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
        raise PermissionDenied(msg("denied.edit_templates"))
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for field, limit in (("name", 200), ("subject", 300), ("body", MAX_TEXT)):
        try:
            cleaned[field] = clean_text(str(values.get(field) or ""), field, limit=limit)
        except FormValidationError as error:
            errors.update(error.errors)
    language = str(values.get("language") or "en")
    if language not in ("en", "de"):
        errors["language"] = msg("field.en_or_de")
    if errors:
        raise FormValidationError(errors)
    template = session.get(ReplyTemplate, template_id) if template_id else ReplyTemplate()
    if template is None:
        raise NotFound(msg("notfound.reply_template", template_id=template_id))
    template.name, template.subject, template.body = cleaned["name"], cleaned["subject"], cleaned["body"]
    template.language = language
    template.category = str(values.get("category") or "").strip() or None
    template.updated_by = actor.username
    template.updated_at = now
    session.add(template)
    commit(session)
    return template
