"""The customer portal's use cases: the public status view, rating a resolved complaint, rate limits, FAQ.

Nothing here checks a status link: the portal verifies the token (engine.domain.status_links) before it
asks for a complaint, so a wrong link never reaches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import Conflict, FormValidationError, InvalidState, NotFound
from engine.domain.messages import msg
from engine.domain.notification_channels import CHANNEL_EMAIL
from engine.services.audit import record
from engine.services.delivery.outbox import enqueue
from engine.services.instances import lifecycle as instances
from engine.services.intake.rate_limits import Hit, add_hit
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.casework import NOTE_CUSTOMER_MESSAGE, NOTE_INFO_REQUEST, NOTE_REPLY, CaseNote
from engine.store.channels import CustomerAttachment
from engine.store.complaints import Complaint, Customer
from engine.store.knowledge import KbArticle
from engine.store.models import MessageSubscription
from engine.store.outbox import OutboxMessage

RATABLE = frozenset({"resolved", "closed"})
# Messages of the process library (processes/README.md).
FEEDBACK_MESSAGE = "feedback_received"
REOPEN_MESSAGE = "complaint_reopened"
# Timeline entries a customer may see: what they said and what we wrote to them, never internal notes.
PUBLIC_NOTES = {NOTE_CUSTOMER_MESSAGE: "you", NOTE_REPLY: "us", NOTE_INFO_REQUEST: "us"}
# Mails the shipped process sends the customer (template -> timeline kind, variable holding the text).
PROCESS_MESSAGES = {
    "complaint_update": ("us", "customer_message"),
    "complaint_resolved": ("resolved", "resolution_summary"),
}


@dataclass(frozen=True)
class PublicEntry:
    """One line of the customer's timeline: ``kind`` is received / you / us / resolved / closed."""

    at: datetime
    kind: str
    text: str = ""
    note_kind: str = ""


@dataclass(frozen=True)
class StatusView:
    """What the customer sees about their complaint."""

    reference: str
    subject: str
    status: str
    language: str
    created_at: datetime
    expected_response: datetime | None
    can_rate: bool
    rated: bool
    can_add_information: bool
    can_reopen: bool = False
    entries: list[PublicEntry] = field(default_factory=list)
    attachments: int = 0


def _complaint(session: Session, reference: str) -> Complaint:
    complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).first()
    if complaint is None:
        raise NotFound(msg("notfound.no_such_complaint"))
    return complaint


def _process_messages(session: Session, complaint: Complaint, known: set[str]) -> list[PublicEntry]:
    """What the process wrote to the customer (an agent's answer, the resolution), as sent by e-mail.

    Replies and questions from the case page are notes already; a text seen there is not listed twice.
    """
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.complaint_id == complaint.id,
            OutboxMessage.kind == CHANNEL_EMAIL,
            OutboxMessage.topic.in_(list(PROCESS_MESSAGES)),
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    entries = []
    for row in rows:
        kind, variable = PROCESS_MESSAGES[row.topic]
        variables = row.payload.get("variables") if isinstance(row.payload, dict) else None
        text = str((variables or {}).get(variable) or row.body or "").strip()
        if text and text in known and kind == "us":
            continue
        entries.append(PublicEntry(row.created_at, kind, text))
    return entries


def status_view(session: Session, reference: str) -> StatusView:
    """The public view of one complaint (callers have verified the private link or number + e-mail)."""
    complaint = _complaint(session, reference)
    entries = [PublicEntry(complaint.created_at, "received")]
    notes = session.scalars(
        select(CaseNote)
        .where(CaseNote.complaint_id == complaint.id, CaseNote.kind.in_(list(PUBLIC_NOTES)))
        .order_by(CaseNote.created_at, CaseNote.id)
    )
    entries += [PublicEntry(note.created_at, PUBLIC_NOTES[note.kind], note.body, note.kind) for note in notes]
    mailed = _process_messages(session, complaint, {entry.text.strip() for entry in entries})
    entries += mailed
    if complaint.resolved_at and not any(entry.kind == "resolved" for entry in mailed):
        entries.append(PublicEntry(complaint.resolved_at, "resolved"))
    if complaint.closed_at:
        entries.append(PublicEntry(complaint.closed_at, "closed"))
    entries.sort(key=lambda entry: entry.at)
    # Files staff attached to internal notes (source "staff") are internal: not counted for the customer.
    customer_files = (CustomerAttachment.complaint_id == complaint.id) & (CustomerAttachment.source != "staff")
    attachments = session.scalar(select(func.count()).where(customer_files))
    waiting_for = complaint.first_response_due_at if complaint.first_response_at is None else None
    return StatusView(
        reference=complaint.reference,
        subject=complaint.subject,
        status=complaint.status,
        language=complaint.language,
        created_at=complaint.created_at,
        expected_response=None if complaint.status in RATABLE else (waiting_for or complaint.resolution_due_at),
        can_rate=complaint.status in RATABLE and complaint.csat is None and complaint.nps is None,
        rated=complaint.csat is not None or complaint.nps is not None,
        can_add_information=complaint.status != "closed",
        can_reopen=can_reopen(session, complaint.reference),
        entries=entries,
        attachments=int(attachments or 0),
    )


def reference_for(session: Session, reference: str, email: str) -> str | None:
    """The reference when number and e-mail address belong together, else None (one answer for both misses)."""
    row = session.execute(
        select(Complaint.reference)
        .join(Customer, Complaint.customer_id == Customer.id)
        .where(Complaint.reference == reference.strip().upper(), Customer.email == email.strip().lower())
    ).first()
    return row[0] if row else None


def _score(value: object, low: int, high: int, name: str, errors: dict[str, str]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        errors[name] = msg("field.whole_number_between", low=low, high=high)
        return None
    return number


@unit_of_work
def rate(
    session: Session, actor: Actor, reference: str, csat: object, nps: object, comment: str, now: datetime
) -> Complaint:
    """Store the customer's rating (CSAT 1-5, NPS 0-10, comment) once the complaint is resolved; only once."""
    complaint = _complaint(session, reference)
    if complaint.status not in RATABLE:
        raise InvalidState(msg("portal.rate_when_resolved"))
    if complaint.csat is not None or complaint.nps is not None:
        raise Conflict(msg("portal.already_rated"))
    errors: dict[str, str] = {}
    csat_value = _score(csat, 1, 5, "csat", errors)
    nps_value = _score(nps, 0, 10, "nps", errors)
    text = (comment or "").strip()
    if len(text) > 2000:
        errors["comment"] = msg("field.too_long", num=2000)
    if csat_value is None and nps_value is None and not errors:
        errors["csat"] = msg("field.choose_rating")
    if errors:
        raise FormValidationError(errors)
    complaint.csat = csat_value
    complaint.nps = nps_value
    complaint.feedback_comment = text or None
    complaint.updated_at = now
    record(
        session,
        actor,
        "complaint_rated",
        now,
        instance_id=complaint.instance_id,
        after={"csat": csat_value, "nps": nps_value},
    )
    if _waiting(session, FEEDBACK_MESSAGE, complaint.reference):
        payload = {"csat": csat_value, "nps": nps_value, "feedback_comment": text}
        # One commit: the rating on the complaint row and the process step that stores it.
        instances.deliver_message(session, actor, FEEDBACK_MESSAGE, complaint.reference, payload, now)
    else:
        commit(session)
    return complaint


def _waiting(session: Session, message_name: str, reference: str) -> bool:
    query = select(MessageSubscription.id).where(
        MessageSubscription.message_name == message_name, MessageSubscription.correlation_key == reference
    )
    return session.scalars(query).first() is not None


def can_reopen(session: Session, reference: str) -> bool:
    """Whether the complaint's process still accepts a reopening (during its reopening period)."""
    return _waiting(session, REOPEN_MESSAGE, reference)


@unit_of_work
def reopen(session: Session, actor: Actor, reference: str, reason: str, now: datetime) -> Complaint:
    """The customer reopens a closed complaint: timeline entry, process message and confirmation mail."""
    complaint = _complaint(session, reference)
    text = (reason or "").strip()
    if not text:
        raise FormValidationError({"reason": msg("field.reopen_reason")})
    if len(text) > 5000:
        raise FormValidationError({"reason": msg("field.too_long", num=5000)})
    if not can_reopen(session, complaint.reference):
        raise InvalidState(msg("portal.cannot_reopen"))
    author = f"customer ({actor.username})"
    session.add(
        CaseNote(complaint_id=complaint.id, kind=NOTE_CUSTOMER_MESSAGE, author=author, body=text, created_at=now)
    )
    if complaint.customer.email:
        enqueue(
            session,
            now,
            kind=CHANNEL_EMAIL,
            topic="reopen_confirmation",
            recipient=complaint.customer.email,
            complaint_id=complaint.id,
            instance_id=complaint.instance_id,
            payload={"reference": complaint.reference, "language": complaint.language},
        )
    record(session, actor, "complaint_reopen_requested", now, instance_id=complaint.instance_id, message=text[:500])
    # deliver_message commits the note, the confirmation and the process step together.
    instances.deliver_message(session, actor, REOPEN_MESSAGE, complaint.reference, {"reopen_reason": text}, now)
    return complaint


@unit_of_work
def count_hit(session: Session, bucket: str, keys: list[str], limit: int, window: timedelta, now: datetime) -> None:
    """Count a read-only request (status lookups) for each key; RateLimited when any is over ``limit``.

    A request that writes passes its ``Hit`` to the use case instead, which counts it in the same commit.
    """
    add_hit(session, Hit(bucket, tuple(keys), limit, window), now)
    commit(session)


def public_faq(session: Session, language: str, limit: int = 50) -> list[KbArticle]:
    """Public knowledge base articles in the customer's language (others if there are none in it)."""
    query = select(KbArticle).where(KbArticle.public.is_(True)).order_by(KbArticle.title).limit(limit)
    articles = list(session.scalars(query.where(KbArticle.language == language)))
    return articles or list(session.scalars(query))
