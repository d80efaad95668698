"""Talking to the customer from a case: replies from templates and questions for missing information.

Messages are queued in the outbox in the same transaction; the timeline keeps a note of each."""

from __future__ import annotations

from datetime import datetime
from string import Formatter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError, NotFound, PermissionDenied
from engine.services.audit import record
from engine.services.casework import MAX_TEXT, clean_text, complaint_for, timeline_note
from engine.services.outbox import enqueue
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.casework import NOTE_INFO_REQUEST, NOTE_REPLY, CaseNote, ReplyTemplate
from engine.store.complaints import Complaint


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


@unit_of_work
def request_information(session: Session, actor: Actor, complaint_id: int, question: str, now: datetime) -> CaseNote:
    """Ask the customer for missing information by e-mail; the answer arrives as a message or a note."""
    complaint = complaint_for(session, actor, complaint_id)
    question = clean_text(question, "question")
    subject = f"{complaint.reference}: we need more information"
    _to_customer(session, actor, complaint, subject, question, "customer_info_request", now)
    note = timeline_note(session, complaint, NOTE_INFO_REQUEST, actor.username, question, now)
    record(session, actor, "customer_info_requested", now, instance_id=complaint.instance_id, message=question)
    commit(session)
    return note


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
            cleaned[field] = clean_text(str(values.get(field) or ""), field, limit=limit)
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
